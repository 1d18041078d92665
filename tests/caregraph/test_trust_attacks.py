"""The holes found when the release was tried as an attacker, each written as it was made.

Findings 3 and 4 (involvement) are in `tests/api/test_networks.py`, finding 6 (replay) in
`tests/realtime/test_replay_matrix.py`; the generated matrices are `test_policy_channels`.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from agencies.models import AgencyKind
from caregraph.models import MemberKind, Visibility
from caregraph.services.networks import membership_visibility_set
from concerns.escalation import concern_escalation_due_ids
from concerns.models import ConcernStatus
from concerns.services import concern_acknowledge, concern_close, concern_update_add
from tests.api.helpers import API, client_for
from tests.concerns.helpers import World, concern_raise_as, world_make
from tests.factories import AgencyFactory, UserFactory, staff_create, totp_enrol
from tests.networks import member_add, viewer, works_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return world_make()


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def concern_api(concern, action: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"{API}/networks/{concern.network_id}/concerns/{concern.pk}/{action}"


# --- 5. Acknowledgement is four-eyes ---------------------------------------------------------


@pytest.mark.parametrize("severity", ["high", "urgent"])
def test_a_raiser_cannot_acknowledge_their_own_concern_to_stop_its_escalation(
    world: World, severity: str
) -> None:
    concern = concern_raise_as(world.coordinator, world.network, severity=severity)
    raiser = client_for(world.coordinator)

    acknowledged = raiser.post(concern_api(concern, "acknowledge/"))
    reviewed = raiser.post(concern_api(concern, "review/"))

    assert acknowledged.status_code == reviewed.status_code == 403
    assert (
        "Someone other than the person who raised"
        in acknowledged.json()["errors"]["non_field_errors"][0]
    )
    concern.refresh_from_db()
    assert (concern.status, concern.acknowledged_at) == (ConcernStatus.OPEN, None)
    later = timezone.now() + datetime.timedelta(days=2)
    assert concern.pk in concern_escalation_due_ids(now=later)  # it still escalates

    other = client_for(world.practitioner_b).post(concern_api(concern, "acknowledge/"))
    assert other.status_code == 200
    assert other.json()["acknowledged_by"]["id"] == world.practitioner_b.pk
    # Once someone else has acknowledged it, its raiser may start the review.
    assert raiser.post(concern_api(concern, "review/")).status_code == 200


def test_the_concern_page_does_not_offer_the_raiser_acknowledgement(world: World) -> None:
    concern = concern_raise_as(world.coordinator, world.network, severity="high")
    totp_enrol(world.coordinator)
    totp_enrol(world.practitioner_b)
    page = signed_in(world.coordinator).get(f"/networks/{world.network.pk}/concerns/{concern.pk}/")
    html = page.content.decode()
    assert ">Acknowledge<" not in html and "Start a review" not in html
    assert "You raised this concern, so someone else must acknowledge it." in html
    forged = signed_in(world.coordinator).post(
        f"/networks/{world.network.pk}/concerns/{concern.pk}/acknowledge/"
    )
    assert forged.status_code == 404
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.OPEN
    assert (
        ">Acknowledge<"
        in signed_in(world.practitioner_b)
        .get(f"/networks/{world.network.pk}/concerns/{concern.pk}/")
        .content.decode()
    )


# --- 7. Membership discloses sensitive involvement ------------------------------------------


def test_a_police_officer_known_to_professionals_only_is_absent_for_the_family(
    world: World,
) -> None:
    police = AgencyFactory.create(name="Northfield Police", kind=AgencyKind.POLICE)
    officer = works_for(UserFactory.create(display_name="PC Dana Whitlock"), police)
    member_add(world.network, kind=MemberKind.PROFESSIONAL, agency=police, user=officer)
    totp_enrol(officer)
    membership = world.network.memberships.get(user=officer)
    membership_visibility_set(
        membership=membership,
        visibility=Visibility.PROFESSIONALS,
        changed_by=officer,
        viewer=viewer(world.network, officer),
    )
    pages = ["", "members/", "map/", "chronology/"]

    family = signed_in(world.family)
    for page in pages:
        html = family.get(f"/networks/{world.network.pk}/{page}").content.decode()
        assert "Whitlock" not in html and "Northfield Police" not in html, page
    members = client_for(world.family).get(f"{API}/networks/{world.network.pk}/members/")
    assert "Whitlock" not in members.content.decode()
    overview = client_for(world.family).get(f"{API}/networks/{world.network.pk}/").json()
    assert overview["member_count"] == len(members.json()["results"])

    totp_enrol(world.coordinator)
    coordinator = signed_in(world.coordinator)
    for page in pages:
        html = coordinator.get(f"/networks/{world.network.pk}/{page}").content.decode()
        assert "Whitlock" in html, page
    # The officer may widen it again; the family then sees them.
    membership_visibility_set(
        membership=membership,
        visibility=Visibility.NETWORK,
        changed_by=officer,
        viewer=viewer(world.network, officer),
    )
    assert "Whitlock" in family.get(f"/networks/{world.network.pk}/members/").content.decode()


def test_a_family_coordinator_cannot_reveal_a_hidden_member(world: World) -> None:
    officer = member_add(world.network, kind=MemberKind.PROFESSIONAL).user
    membership = world.network.memberships.get(user=officer)
    membership_visibility_set(
        membership=membership,
        visibility=Visibility.PROFESSIONALS,
        changed_by=officer,
        viewer=viewer(world.network, officer),
    )
    family_coordinator = world.network.memberships.get(user=world.family)
    family_coordinator.is_coordinator = True
    family_coordinator.save()
    client = client_for(world.family)
    url = f"{API}/networks/{world.network.pk}/members/{membership.pk}/"
    assert client.patch(url, {"visibility": "network"}).status_code == 404
    assert client.delete(url).status_code == 404
    membership.refresh_from_db()
    assert membership.visibility == Visibility.PROFESSIONALS


# --- 8. The audit trail reveals hidden records ----------------------------------------------

DETAIL_OF = {
    "concern": "concerns/{id}/",
    "involvement": "involvements/{id}/",
    "calendar_event": "events/{id}/",
}


def test_every_audit_row_shown_names_only_what_its_reader_may_open(world: World) -> None:
    """The person, and a coordinator of another agency, saw "Raised a high concern" with
    the id of a concern that answered 404 to them. Now each row they are shown is about
    something they can open."""
    person = member_add(world.network, kind=MemberKind.PERSON).user
    other_coordinator = world.network.memberships.get(user=world.practitioner_b)
    other_coordinator.is_coordinator = True
    other_coordinator.save()
    for visibility in Visibility.values:
        concern_raise_as(world.coordinator, world.network, severity="high", visibility=visibility)
    readers = {"person": person, "coordinator_of_b": world.practitioner_b, "lead": world.lead_a}
    checked = 0
    for name, reader in readers.items():
        client = client_for(reader)
        rows = client.get(f"{API}/networks/{world.network.pk}/audit/?page_size=200").json()
        for row in rows["results"]:
            path = DETAIL_OF.get(row["object_type"])
            if path and row["object_id"]:
                opened = client.get(
                    f"{API}/networks/{world.network.pk}/" + path.format(id=row["object_id"])
                )
                assert opened.status_code == 200, (name, row["summary"], row["object_id"])
                checked += 1
    assert checked  # the check looked at something
    restricted = world.network.concerns.get(visibility=Visibility.RESTRICTED)
    person_rows = client_for(person).get(f"{API}/networks/{world.network.pk}/audit/").json()
    assert str(restricted.pk) not in {row["object_id"] for row in person_rows["results"]}


# --- 9. The raiser reads the professionals' notes and outcome -------------------------------


def test_a_family_member_who_raised_a_concern_does_not_read_the_professionals_notes(
    world: World,
) -> None:
    concern = concern_raise_as(world.family, world.network)
    concern_acknowledge(
        concern=concern,
        viewer=viewer(world.network, world.practitioner_b),
        acknowledged_by=world.practitioner_b,
    )
    concern_update_add(
        concern=concern,
        viewer=viewer(world.network, world.practitioner_b),
        added_by=world.practitioner_b,
        text="Strategy discussion booked with police",
    )
    concern_update_add(
        concern=concern,
        viewer=viewer(world.network, world.family),
        added_by=world.family,
        text="He stayed with his dad last night",
    )
    concern_close(
        concern=concern,
        viewer=viewer(world.network, world.practitioner_b),
        closed_by=world.practitioner_b,
        outcome="Section 47 enquiry opened",
    )

    family_api = client_for(world.family)
    detail = family_api.get(concern_api(concern)).json()
    history = family_api.get(concern_api(concern, "updates/")).json()["results"]
    page = (
        signed_in(world.family)
        .get(f"/networks/{world.network.pk}/concerns/{concern.pk}/")
        .content.decode()
    )

    assert detail["status"] == "closed"
    assert detail["outcome"] is None
    assert [u["text"] for u in history if u["text"]] == ["He stayed with his dad last night"]
    assert [u["kind"] for u in history] == ["acknowledged", "note"]
    for secret in ("Strategy discussion", "Section 47"):
        assert secret not in page
        assert secret not in str(detail) and secret not in str(history)
    assert "He stayed with his dad last night" in page
    # The professionals read everything.
    theirs = client_for(world.practitioner_c).get(concern_api(concern)).json()
    assert theirs["outcome"] == "Section 47 enquiry opened"
    theirs_page = signed_in(world.practitioner_c)
    totp_enrol(world.practitioner_c)
    assert (
        "Section 47 enquiry opened"
        in theirs_page.get(f"/networks/{world.network.pk}/concerns/{concern.pk}/").content.decode()
    )


def test_a_hidden_acknowledger_is_not_named_to_the_raiser(world: World) -> None:
    officer = staff_create()
    member_add(world.network, kind=MemberKind.PROFESSIONAL, user=officer)
    membership = world.network.memberships.get(user=officer)
    membership_visibility_set(
        membership=membership,
        visibility=Visibility.PROFESSIONALS,
        changed_by=officer,
        viewer=viewer(world.network, officer),
    )
    concern = concern_raise_as(world.family, world.network)
    concern_acknowledge(
        concern=concern, viewer=viewer(world.network, officer), acknowledged_by=officer
    )
    detail = client_for(world.family).get(concern_api(concern)).json()
    assert detail["acknowledged_by"] == {"id": None, "display_name": "A professional"}
    page = (
        signed_in(world.family)
        .get(f"/networks/{world.network.pk}/concerns/{concern.pk}/")
        .content.decode()
    )
    assert str(officer) not in page and "A professional" in page
