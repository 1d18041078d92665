"""Who sees which file, on every channel a file reaches a user by — the list page, the API
list, and the download (page and API) — for each visibility, as shared, after
each file is narrowed or widened, and after a member is removed. What a user receives is
exactly what the design's table (`SEES`) allows; anything else is absent, and its download
404, also from a URL saved while it was allowed. The live stream is in test_live.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from caregraph.models import Visibility
from caregraph.services.networks import membership_end
from sharedfiles.models import SharedFile
from sharedfiles.services import file_visibility_set
from tests.networks import viewer
from tests.sharedfiles.conftest import (
    ROLES,
    SEES,
    FilesWorld,
    marker,
    share_one_of_each,
)

pytestmark = pytest.mark.django_db

MARKER = re.compile(r"File(?:NETWORK|PROFESSIONALS|AGENCY|RESTRICTED)")
# Each visibility one step round the circle: each file narrowed or widened once.
VISIBILITIES = list(Visibility.values)
ROTATED = dict(zip(VISIBILITIES, VISIBILITIES[1:] + VISIBILITIES[:1], strict=True))


def _page_client(world: FilesWorld, role: str) -> Client:
    client = Client()
    client.force_login(world[role])
    return client


def _api_client(world: FilesWorld, role: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(world[role])
    return client


def seen_on_every_channel(
    world: FilesWorld, role: str, files: dict[str, SharedFile]
) -> dict[str, object]:
    """What one user is shown by each channel: markers, or "404" for the whole list."""
    network = world.network.pk
    page, api = _page_client(world, role), _api_client(world, role)
    seen: dict[str, object] = {}
    response: Any = page.get(f"/networks/{network}/files/")
    seen["page"] = (
        "404" if response.status_code == 404 else set(MARKER.findall(response.content.decode()))
    )
    response = api.get(f"/api/v1/networks/{network}/files/")
    seen["api_list"] = (
        "404"
        if response.status_code == 404
        else {row["title"] for row in response.json()["results"]}
    )
    downloads: dict[str, set[str]] = {"page_download": set(), "api_download": set()}
    for shared_file in files.values():
        urls = {
            "page_download": (page, f"/networks/{network}/files/{shared_file.pk}/download/"),
            "api_download": (api, f"/api/v1/networks/{network}/files/{shared_file.pk}/download/"),
        }
        for channel, (client, url) in urls.items():
            response = client.get(url)
            assert response.status_code in (200, 404), (channel, response.status_code)
            if response.status_code == 200:
                downloads[channel].add(shared_file.title)
                if channel == "page_download":
                    assert response.getvalue().startswith(b"%PDF")
    seen |= downloads
    return seen


def expected(world: FilesWorld, role: str, visibility_of: dict[str, str], gone: set[str]):  # type: ignore[no-untyped-def]
    if role == "outsider" or role in gone:
        shown: object = "404"
        files: set[str] = set()
    else:
        shown = files = {
            marker(original) for original, now in visibility_of.items() if role in SEES[now]
        }
    return {
        "page": shown,
        "api_list": shown,
        "page_download": files,
        "api_download": files,
    }


def _as_shared(world: FilesWorld, files: dict[str, SharedFile]) -> tuple[dict[str, str], set[str]]:
    return {v: v for v in files}, set()


def _rotated(world: FilesWorld, files: dict[str, SharedFile]) -> tuple[dict[str, str], set[str]]:
    author = world["author"]
    for visibility, shared_file in files.items():
        file_visibility_set(
            shared_file=shared_file,
            viewer=viewer(world.network, author),
            changed_by=author,
            visibility=ROTATED[visibility],
        )
    return dict(ROTATED), set()


def _members_removed(
    world: FilesWorld, files: dict[str, SharedFile]
) -> tuple[dict[str, str], set[str]]:
    author = world["author"]
    for role in ("family", "colleague"):
        membership = world.network.memberships.get(user=world[role], status="active")
        membership_end(membership=membership, ended_by=author, viewer=viewer(world.network, author))
    return {v: v for v in files}, {"family", "colleague"}


SCENARIOS: dict[str, Callable[..., tuple[dict[str, str], set[str]]]] = {
    "as_shared": _as_shared,
    "each_file_narrowed_or_widened": _rotated,
    "family_and_colleague_removed": _members_removed,
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_channel_shows_each_file_to_exactly_those_its_visibility_allows(
    world: FilesWorld, scenario: str
) -> None:
    files = share_one_of_each(world)
    # URLs saved while allowed: the family downloads the network file before anything changes.
    family_saved = _page_client(world, "family").get(
        f"/networks/{world.network.pk}/files/{files[Visibility.NETWORK].pk}/download/"
    )
    assert family_saved.status_code == 200
    visibility_of, gone = SCENARIOS[scenario](world, files)
    seen = {role: seen_on_every_channel(world, role, files) for role in ROLES}
    assert seen == {role: expected(world, role, visibility_of, gone) for role in ROLES}
