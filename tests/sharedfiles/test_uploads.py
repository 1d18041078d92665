"""Sharing files as people do: without JavaScript on the page, and through the API.

What is refused — a program renamed `.pdf`, an SVG carrying script, a file over the size
limit — is refused with a message naming the file field, and leaves nothing behind: no
row, and nothing in the storage folder. What is shared is downloaded only through the
authorised view, as an attachment nobody caches or sniffs, and every download is audited.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from caregraph.models import AuditAction, AuditEvent, MemberKind, Visibility
from sharedfiles.models import SharedFile
from tests.networks import member_add
from tests.sharedfiles.conftest import (
    EXECUTABLE,
    PDF,
    PNG,
    SHOPPING_LIST,
    SVG_WITH_SCRIPT,
    FilesWorld,
    docx,
    share,
    stored_files,
    upload,
)

pytestmark = pytest.mark.django_db

LIMIT = 4096
REFUSED = {
    "a program renamed .pdf": (EXECUTABLE, "care-plan.pdf", "must be a PDF, text, CSV"),
    "an SVG with script": (SVG_WITH_SCRIPT, "picture.svg", "must be a PDF, text, CSV"),
    "an SVG with script, renamed .txt": (SVG_WITH_SCRIPT, "notes.txt", "must be a PDF, text"),
    "a file over the limit": (PDF + b"%" * LIMIT, "big.pdf", "must be smaller than 4 KB"),
}


def signed_in(world: FilesWorld, role: str) -> Client:
    client = Client()
    client.force_login(world[role])
    return client


def api_as(world: FilesWorld, role: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(world[role])
    return client


def test_refused_uploads_name_the_field_and_leave_nothing_behind(
    world: FilesWorld, shared_dir: Path, settings: Any
) -> None:
    settings.SHARED_FILE_MAX_BYTES = LIMIT
    page, api = signed_in(world, "family"), api_as(world, "family")
    network = world.network.pk
    for case, (content, name, words) in REFUSED.items():
        response: Any = page.post(
            f"/networks/{network}/files/new/",
            {"title": "Care plan", "file": upload(content, name), "visibility": "network"},
        )
        assert response.status_code == 200, case
        body = response.content.decode()
        assert "There is a problem" in body and words in body, case
        assert 'href="#id_file"' in body, case  # the error summary links to the file field
        response = api.post(
            f"/api/v1/networks/{network}/files/",
            {"title": "Care plan", "file": upload(content, name)},
            format="multipart",
        )
        assert response.status_code == 400, case
        errors = response.json()["errors"]
        assert list(errors) == ["file"] and words in errors["file"][0], case
    assert not SharedFile.objects.exists()
    assert stored_files(shared_dir) == []


def test_a_family_member_shares_a_list_without_javascript_and_downloads_are_audited(
    world: FilesWorld, shared_dir: Path
) -> None:
    family = signed_in(world, "family")
    network = world.network.pk
    response: Any = family.post(
        f"/networks/{network}/files/new/",
        {"title": "Shopping list", "file": upload(SHOPPING_LIST, "shopping list.txt")},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/networks/{network}/files/"
    listed = family.get(response["Location"]).content.decode()
    assert "Shopping list" in listed and "&#x27;Shopping list&#x27; is shared." in listed
    shared = SharedFile.objects.get()
    assert (shared.visibility, shared.content_type) == (Visibility.NETWORK, "text/plain")
    assert len(stored_files(shared_dir)) == 1
    assert "Shopping" not in stored_files(shared_dir)[0].name  # a random name on disk

    author = signed_in(world, "author")
    response = author.get(f"/networks/{network}/files/{shared.pk}/download/")
    assert response.status_code == 200
    assert response.getvalue() == SHOPPING_LIST
    assert response["Content-Disposition"] == 'attachment; filename="shopping list.txt"'
    assert response["Content-Type"] == "text/plain"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    response = api_as(world, "other_professional").get(
        f"/api/v1/networks/{network}/files/{shared.pk}/download/",
        HTTP_ACCEPT="application/octet-stream",
    )
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    downloads = AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_type="shared_file", object_id=str(shared.pk)
    )
    assert sorted((row.actor_id, row.channel) for row in downloads) == sorted(
        [(world["author"].pk, "page"), (world["other_professional"].pk, "api")]
    )


def test_the_type_comes_from_the_content_not_the_name(world: FilesWorld) -> None:
    picture = share(world, title="Rash on arm", content=PNG, name="photo.pdf")
    letter = share(world, title="Letter", content=docx(), name="letter")
    response: Any = signed_in(world, "author").get(
        f"/networks/{world.network.pk}/files/{picture.pk}/download/"
    )
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="photo.png"'
    assert letter.download_name == "letter.docx"


def test_an_api_upload_with_an_idempotency_key_is_stored_once(
    world: FilesWorld, shared_dir: Path
) -> None:
    api = api_as(world, "author")
    url = f"/api/v1/networks/{world.network.pk}/files/"
    answers = [
        api.post(
            url,
            {"title": "Care plan", "file": upload(PDF, "plan.pdf"), "visibility": "professionals"},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="care-plan-1",
        )
        for _ in range(2)
    ]
    assert [answer.status_code for answer in answers] == [201, 201]
    assert answers[1]["Idempotent-Replayed"] == "true"
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["visibility"] == "professionals"
    assert SharedFile.objects.count() == 1
    assert len(stored_files(shared_dir)) == 1


def test_only_the_uploader_or_a_coordinator_removes_a_file_and_its_bytes_go(
    world: FilesWorld, shared_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    mine = share(world, by="family", title="Shopping list", content=SHOPPING_LIST, name="a.txt")
    theirs = share(world, by="colleague", title="Pick-up times", content=SHOPPING_LIST)
    network = world.network.pk
    family = signed_in(world, "family")
    assert family.post(f"/networks/{network}/files/{theirs.pk}/remove/").status_code == 404
    response: Any = api_as(world, "family").delete(f"/api/v1/networks/{network}/files/{theirs.pk}/")
    assert response.status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert family.post(f"/networks/{network}/files/{mine.pk}/remove/").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(world, "author").delete(f"/api/v1/networks/{network}/files/{theirs.pk}/")
    assert response.status_code == 204
    assert stored_files(shared_dir) == []
    assert family.get(f"/networks/{network}/files/{mine.pk}/download/").status_code == 404
    assert SharedFile.objects.filter(removed_at__isnull=False).count() == 2  # kept for the audit


def _queries(client: Any, url: str) -> int:
    client.get(url)  # the first request of a session does more (its session, its standing)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_listing_files_costs_the_same_queries_however_many(
    world: FilesWorld, django_assert_num_queries: Any
) -> None:
    for uploader in ("family", "colleague"):
        share(world, by=uploader, content=SHOPPING_LIST, name="list.txt")
    page, api = signed_in(world, "author"), api_as(world, "author")
    page_url = f"/networks/{world.network.pk}/files/"
    api_url = f"/api/v1/networks/{world.network.pk}/files/"
    few = (_queries(page, page_url), _queries(api, api_url))
    for uploader in ("family", "colleague", "other_professional", "author") * 2:
        share(world, by=uploader, content=SHOPPING_LIST, name="list.txt")
    with django_assert_num_queries(few[0]):
        page.get(page_url)
    with django_assert_num_queries(few[1]):
        api.get(api_url)


def test_each_page_of_a_file_renders_for_those_who_may_use_it(world: FilesWorld) -> None:
    shared = share(world, by="colleague", title="Pick-up times", content=SHOPPING_LIST)
    base = f"/networks/{world.network.pk}/files"
    family, author = signed_in(world, "family"), signed_in(world, "author")
    share_page = family.get(f"{base}/new/").content.decode()
    assert 'type="file"' in share_page and 'enctype="multipart/form-data"' in share_page
    assert "smaller than 10 MB" in share_page
    assert 'name="visibility" value="network"' in share_page  # family: nothing to choose
    assert 'value="restricted"' in author.get(f"{base}/new/").content.decode()
    for page in (f"{base}/{shared.pk}/visibility/", f"{base}/{shared.pk}/remove/"):
        assert author.get(page).status_code == 200  # a coordinator
        assert signed_in(world, "colleague").get(page).status_code == 200  # who shared it
        assert family.get(page).status_code == 404
    assert family.get(f"{base}/{shared.pk}/download/").status_code == 200
    response: Any = author.post(
        f"{base}/{shared.pk}/visibility/", {"visibility": Visibility.PROFESSIONALS}
    )
    assert response.status_code == 302
    assert family.get(f"{base}/{shared.pk}/download/").status_code == 404
    assert "Pick-up times" not in family.get(f"{base}/").content.decode()


def test_who_looked_shows_downloads_only_of_files_the_reader_may_see(world: FilesWorld) -> None:
    """The person's trail names a download only to those who may see the file downloaded."""
    person = member_add(world.network, kind=MemberKind.PERSON).user
    hidden = share(world, title="Strategy minutes", visibility=Visibility.PROFESSIONALS)
    shown = share(world, title="Shopping list", content=SHOPPING_LIST, name="list.txt")
    author = signed_in(world, "author")
    for shared_file in (hidden, shown):
        author.get(f"/networks/{world.network.pk}/files/{shared_file.pk}/download/")
    author.get(f"/networks/{world.network.pk}/files/")

    def trail(user: Any) -> set[str]:
        client = APIClient()
        client.force_authenticate(user)
        response = client.get(f"/api/v1/networks/{world.network.pk}/audit/?page_size=200")
        assert response.status_code == 200
        return {row["summary"] for row in response.json()["results"]}

    downloads = {"Downloaded the file 'Strategy minutes'", "Downloaded the file 'Shopping list'"}
    assert downloads | {"Viewed the shared files"} <= trail(world["lead"])
    seen_by_person = trail(person)
    assert {"Downloaded the file 'Shopping list'", "Viewed the shared files"} <= seen_by_person
    assert "Downloaded the file 'Strategy minutes'" not in seen_by_person
