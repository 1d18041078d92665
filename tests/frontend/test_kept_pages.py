"""Whole pages kept per viewer and state (`frontend.kept_pages`): asked for again, a page
answers as it was rendered, so these tests ask twice and look at what a user would notice
the second time — a change shows at once, another viewer's page never arrives, every look
is audited, the form token is the request's own, removal still answers 404."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from caregraph.models import AuditAction, AuditEvent, IdentifierSystem, Visibility
from caregraph.services.networks import join_request_create, membership_end
from caregraph.services.people import identifier_add, person_update
from messaging.services import thread_mark_read, thread_start
from notifications.models import Notification
from tests.concerns.helpers import World, concern_raise_as, world_make
from tests.factories import AgencyFactory, totp_enrol
from tests.frontend.conftest import signed_in, staff, text, viewer

pytestmark = pytest.mark.django_db

PAGES = ["", "concerns/", "chronology/", "calendar/?view=month", "calendar/?view=week"]


def _world() -> World:
    world = world_make()
    for user in (world.coordinator, world.practitioner_b, world.practitioner_c):
        totp_enrol(user)  # staff see no page without an authenticator app
    return world


@pytest.fixture
def world() -> World:
    return _world()


def _url(world: World, rest: str = "") -> str:
    return f"/networks/{world.network.pk}/{rest}"


def _listed(response: Any) -> str:
    """The page's text after its filters (which name every category)."""
    return text(response).rsplit("Filter concerns", 1)[-1]


def _twice(client: Client, url: str) -> tuple[Any, Any]:
    """The page rendered, then the page as kept."""
    first = client.get(url)
    assert first.status_code == 200
    second = client.get(url)
    assert second.status_code == 200
    return first, second


def test_a_kept_page_is_the_page_as_rendered(world: World) -> None:
    client = signed_in(world.coordinator)
    for page in PAGES:
        first, second = _twice(client, _url(world, page))
        token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
        assert token.sub("", first.content.decode()) == token.sub("", second.content.decode())
        # Kept: no template was rendered the second time.
        assert first.templates and not second.templates


def test_family_never_receive_a_professionals_kept_page(world: World) -> None:
    concern_raise_as(world.coordinator, world.network, category="sexual")
    concern_raise_as(world.family, world.network, category="financial")
    professional = signed_in(world.coordinator)
    family = signed_in(world.family)
    for page in PAGES:
        _twice(professional, _url(world, page))
    for page in ("concerns/", "chronology/"):
        seen_by_professional = _listed(professional.get(_url(world, page)))
        first, second = _twice(family, _url(world, page))
        assert "Sexual abuse" in seen_by_professional
        assert "Sexual abuse" not in _listed(first)
        assert "Sexual abuse" not in _listed(second)
        assert "Financial abuse" in _listed(second)
    overview = text(family.get(_url(world)))
    assert "1 concern is open that you can see" in overview


def test_another_professional_gets_their_own_page(world: World) -> None:
    """Same kind, other agency: their own "(you)" and their own agency's view."""
    concern_raise_as(
        world.coordinator, world.network, category="sexual", visibility=Visibility.AGENCY
    )
    coordinator, other = signed_in(world.coordinator), signed_in(world.practitioner_b)
    _twice(coordinator, _url(world, "concerns/"))
    assert "Sexual abuse" in _listed(coordinator.get(_url(world, "concerns/")))
    assert "Sexual abuse" not in _listed(other.get(_url(world, "concerns/")))
    mine = text(other.get(_url(world)))
    assert f"{world.practitioner_b.display_name} (you)" in mine
    assert f"{world.coordinator.display_name} (you)" not in mine


@pytest.mark.parametrize(
    "change",
    ["person details", "identifier", "join request", "notification", "messages read"],
)
def test_a_change_made_without_a_network_event_shows_at_once(world: World, change: str) -> None:
    network, coordinator = world.network, world.coordinator
    client = signed_in(coordinator)
    if change == "messages read":
        thread = thread_start(
            network=network,
            viewer=viewer(world.family, network),
            started_by=world.family,
            subject="Tuesday",
            text="Can someone bring the forms?",
            audience="network",
        )
    first, kept = _twice(client, _url(world))
    assert text(first) == text(kept)
    person = network.person
    if change == "person details":
        person_update(
            person=person,
            viewer=viewer(coordinator, network),
            updated_by=coordinator,
            given_name="Samira",
            family_name=person.family_name,
            date_of_birth=person.date_of_birth,
            postcode=person.postcode,
            address=person.address,
        )
        expected = "About Samira"
    elif change == "identifier":
        identifier_add(
            person=person,
            viewer=viewer(coordinator, network),
            added_by=coordinator,
            system=IdentifierSystem.LA_CASE_REFERENCE,
            value="CASE-4411",
            agency=coordinator.staff_memberships.get().agency,
        )
        expected = "CASE-4411"
    elif change == "join request":
        join_request_create(
            network=network, requested_by=staff(agency=AgencyFactory.create()), reason="School"
        )
        expected = "1 professional has asked to join this network"
    elif change == "notification":
        Notification.objects.create(
            user=coordinator, kind="concern", text="Something needs your attention", link="/"
        )
        expected = "Notifications 1"
    else:
        assert "Messages ( 1 unread)" in text(kept)
        thread_mark_read(thread=thread, user=coordinator)
        assert "Messages ( 0 unread)" in text(client.get(_url(world)))  # the count, hidden
        return
    assert expected not in text(kept)
    assert expected in text(client.get(_url(world)))


def test_a_new_record_shows_at_once_on_every_kept_page(world: World) -> None:
    client = signed_in(world.coordinator)
    for page in PAGES:
        _twice(client, _url(world, page))
    concern_raise_as(world.coordinator, world.network, category="missing")
    assert "Missing" in text(client.get(_url(world, "concerns/")))
    assert "Missing concern raised" in text(client.get(_url(world, "chronology/")))
    assert "1 concern is open" in text(client.get(_url(world)))


def test_every_look_at_a_kept_page_is_audited(world: World) -> None:
    client = signed_in(world.coordinator)
    for page in PAGES:
        before = AuditEvent.objects.filter(actor=world.coordinator).count()
        for _ in range(3):
            assert client.get(_url(world, page)).status_code == 200
        rows = AuditEvent.objects.filter(actor=world.coordinator).order_by("-pk")[:3]
        assert AuditEvent.objects.filter(actor=world.coordinator).count() == before + 3
        assert {row.action for row in rows} == {AuditAction.VIEW}
        assert {row.network_id for row in rows} == {world.network.pk}


def test_a_member_removed_is_refused_although_their_page_was_kept(world: World) -> None:
    family = signed_in(world.family)
    for page in PAGES:
        _twice(family, _url(world, page))
    membership_end(
        membership=world.network.memberships.get(user=world.family, status="active"),
        ended_by=world.coordinator,
        viewer=viewer(world.coordinator, world.network),
    )
    for page in PAGES:
        assert family.get(_url(world, page)).status_code == 404


def test_a_kept_page_carries_this_requests_form_token_and_it_works(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.coordinator)
    tokens = []
    for _ in range(2):
        page = client.get(_url(world)).content.decode()
        found = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found and len(set(found)) == 1
        assert "<csrf-token>" not in page
        tokens.append(found[0])
    assert tokens[0] != tokens[1]  # masked afresh, as Django does for every page
    signed_out = client.post("/account/logout/", {"csrfmiddlewaretoken": tokens[1]})
    assert signed_out.status_code == 302
    assert client.get(_url(world)).status_code == 302  # to sign in


def test_a_message_to_show_once_is_shown_once(world: World) -> None:
    client = signed_in(world.coordinator)
    _twice(client, _url(world))
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "Your changes are saved")
    response = Client().get("/")  # any response to carry the cookie
    storage.update(response)
    client.cookies["messages"] = response.cookies["messages"].value
    assert "Your changes are saved" in text(client.get(_url(world)))
    assert "Your changes are saved" not in text(client.get(_url(world)))


def test_a_kept_page_reads_only_standing_state_and_audit(world: World) -> None:
    client = signed_in(world.coordinator)
    for page in PAGES:
        _twice(client, _url(world, page))
        # Session, user, staff rows with the authenticator, standing, what changes without
        # an event, and the audit row (with its savepoint in the test's transaction).
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(world, page)).status_code == 200
        reads = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
        assert len(reads) == 6, reads


@pytest.mark.django_db(transaction=True)
def test_a_read_audit_row_outside_a_transaction_is_whole() -> None:
    world = _world()
    client = signed_in(world.coordinator)
    before = datetime.datetime.now(tz=datetime.UTC)
    assert client.get(_url(world, "concerns/"), REMOTE_ADDR="192.0.2.7").status_code == 200
    row = AuditEvent.objects.filter(actor=world.coordinator).latest("pk")
    assert row.action == AuditAction.VIEW
    assert row.summary == "Viewed the concerns"
    assert row.network_id == world.network.pk
    assert row.person_id == world.network.person_id
    assert row.channel == "page"
    assert row.ip_address == "192.0.2.7"
    assert row.at >= before
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"  # off for that one statement only


def test_the_family_overview_is_kept_and_shows_a_new_work_phone(world: World) -> None:
    family = signed_in(world.family)
    _, kept = _twice(family, _url(world))
    assert "Who to call" in text(kept)
    work = world.coordinator.staff_memberships.get()
    work.work_phone = "+441632960123"
    work.save()
    assert "01632 960123" not in text(kept)
    assert "01632 960123" in text(family.get(_url(world)))
