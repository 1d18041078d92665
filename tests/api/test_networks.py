"""Networks through the API: overview, members, invitations, requests to join, audit."""

import datetime

import pytest

from agencies.models import StaffRole
from agencies.services import involvement_create
from api import idempotency
from caregraph.models import (
    AuditAction,
    AuditEvent,
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    MemberKind,
    MembershipStatus,
)
from caregraph.policy import viewer_for
from caregraph.services.networks import join_request_create
from notifications.invitations import invitation_create
from tests.api.helpers import API, client_for, coordinator_of, errors, member_add, network_create
from tests.factories import AgencyFactory, UserFactory, staff_create
from tests.networks import works_for

pytestmark = pytest.mark.django_db


def involvement_add(network, *, visibility: str = "professionals"):  # type: ignore[no-untyped-def]
    coordinator = coordinator_of(network)
    agency = AgencyFactory.create()
    return involvement_create(
        network=network,
        viewer=viewer_for(user=works_for(coordinator, agency), network=network),  # type: ignore[arg-type]
        created_by=coordinator,
        agency=agency,
        service="Early help",
        started_on=datetime.date(2026, 1, 5),
        visibility=visibility,
    )


@pytest.fixture
def network():  # type: ignore[no-untyped-def]
    network = network_create()
    member_add(network)
    return network


def network_urls(network) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Every endpoint under one network, with something real in each detail URL."""
    coordinator = coordinator_of(network)
    viewer = viewer_for(user=coordinator, network=network)
    invitation, _ = invitation_create(
        network=network,
        invited_by=coordinator,
        viewer=viewer,  # type: ignore[arg-type]
        email="friend@example.org",
        kind=MemberKind.FRIEND,
    )
    join_request = join_request_create(
        network=network, requested_by=staff_create(), reason="New school nurse"
    )
    involvement = involvement_add(network)
    membership = network.memberships.filter(is_coordinator=False).first()
    base = f"{API}/networks/{network.pk}"
    return [
        ("get", f"{base}/"),
        ("get", f"{base}/members/"),
        ("delete", f"{base}/members/{membership.pk}/"),
        ("get", f"{base}/invitations/"),
        ("post", f"{base}/invitations/"),
        ("delete", f"{base}/invitations/{invitation.pk}/"),
        ("get", f"{base}/join-requests/"),
        ("post", f"{base}/join-requests/{join_request.pk}/approve/"),
        ("post", f"{base}/join-requests/{join_request.pk}/decline/"),
        ("get", f"{base}/involvements/"),
        ("post", f"{base}/involvements/"),
        ("get", f"{base}/involvements/{involvement.pk}/"),
        ("patch", f"{base}/involvements/{involvement.pk}/"),
        ("get", f"{base}/audit/"),
    ]


@pytest.mark.parametrize("outsider_kind", ["staff", "lead_elsewhere", "family"])
def test_every_network_endpoint_answers_404_not_403_to_someone_outside(
    network,  # type: ignore[no-untyped-def]
    outsider_kind: str,
) -> None:
    outsider = {
        "staff": lambda: staff_create(),
        "lead_elsewhere": lambda: staff_create(role=StaffRole.SAFEGUARDING_LEAD),
        "family": lambda: UserFactory.create(),
    }[outsider_kind]()
    client = client_for(outsider)
    missing = client.get(f"{API}/networks/999999/")

    for method, url in network_urls(network):
        response = getattr(client, method)(url, {"email": "x@example.org", "kind": "family"})
        assert response.status_code == 404, (method, url)
        assert response.json() == missing.json() == {"errors": {"non_field_errors": ["Not found."]}}
    assert Invitation.objects.filter(revoked_at__isnull=False).count() == 0
    assert JoinRequest.objects.get().status == JoinRequestStatus.PENDING
    assert network.memberships.filter(status=MembershipStatus.ACTIVE).count() == 2


def test_my_networks_lists_only_mine(network) -> None:  # type: ignore[no-untyped-def]
    network_create()  # someone else's
    response = client_for(coordinator_of(network)).get(f"{API}/networks/")

    assert response.json()["count"] == 1
    assert response.json()["results"][0]["id"] == network.pk
    assert response.json()["results"][0]["person"]["given_name"] == "Alex"


def test_the_overview_says_who_i_am_here_and_counts_what_i_may_see(network) -> None:  # type: ignore[no-untyped-def]
    involvement_add(network)
    involvement_add(network, visibility="network")
    aunt = network.memberships.get(kind=MemberKind.FAMILY).user

    mine = client_for(coordinator_of(network)).get(f"{API}/networks/{network.pk}/").json()
    hers = client_for(aunt).get(f"{API}/networks/{network.pk}/").json()

    assert mine["member_count"] == hers["member_count"] == 2
    assert mine["open_involvement_count"] == 2
    assert hers["open_involvement_count"] == 1
    assert mine["my_role"]["is_coordinator"] is True
    assert mine["pending_join_request_count"] == 0
    assert hers["my_role"] == {
        "membership_id": network.memberships.get(user=aunt).pk,
        "member_kind": "family",
        "is_member": True,
        "is_coordinator": False,
        "is_professional": False,
        "is_reviewing_lead": False,
        "may_manage_members": False,
        "may_record": False,
        "may_view_audit": False,
    }
    assert hers["pending_join_request_count"] is None
    assert (
        AuditEvent.objects.filter(
            network=network, object_type="network", action=AuditAction.VIEW, channel="api"
        ).count()
        == 2
    )


def test_removal_takes_effect_at_once(network) -> None:  # type: ignore[no-untyped-def]
    aunt_membership = network.memberships.get(kind=MemberKind.FAMILY)
    aunt = client_for(aunt_membership.user)
    assert aunt.get(f"{API}/networks/{network.pk}/").status_code == 200

    removed = client_for(coordinator_of(network)).delete(
        f"{API}/networks/{network.pk}/members/{aunt_membership.pk}/"
    )

    assert removed.status_code == 204
    assert aunt.get(f"{API}/networks/{network.pk}/").status_code == 404
    assert aunt.get(f"{API}/people/{network.person.pk}/").status_code == 404
    assert aunt.get(f"{API}/networks/").json()["count"] == 0


def test_a_member_may_leave_but_not_remove_others(network) -> None:  # type: ignore[no-untyped-def]
    aunt_membership = network.memberships.get(kind=MemberKind.FAMILY)
    coordinator_membership = network.memberships.get(is_coordinator=True)
    aunt = client_for(aunt_membership.user)
    base = f"{API}/networks/{network.pk}/members"

    refused = aunt.delete(f"{base}/{coordinator_membership.pk}/")
    left = aunt.delete(f"{base}/{aunt_membership.pk}/")

    assert refused.status_code == 403
    assert "Only a coordinator" in errors(refused)["non_field_errors"][0]
    assert left.status_code == 204


def test_the_last_coordinator_cannot_leave(network) -> None:  # type: ignore[no-untyped-def]
    mine = network.memberships.get(is_coordinator=True)

    response = client_for(mine.user).delete(f"{API}/networks/{network.pk}/members/{mine.pk}/")

    assert response.status_code == 400
    assert "needs a coordinator" in errors(response)["non_field_errors"][0]


def test_members_list_filters_by_kind(network) -> None:  # type: ignore[no-untyped-def]
    client = client_for(coordinator_of(network))

    family = client.get(f"{API}/networks/{network.pk}/members/", {"kind": "family"})
    wrong = client.get(f"{API}/networks/{network.pk}/members/", {"kind": "dragon"})

    assert [m["kind"] for m in family.json()["results"]] == ["family"]
    assert wrong.status_code == 400
    assert list(errors(wrong)) == ["kind"]


def test_coordinators_invite_and_withdraw_and_others_are_told_they_cannot(network) -> None:  # type: ignore[no-untyped-def]
    coordinator = client_for(coordinator_of(network))
    aunt = client_for(network.memberships.get(kind=MemberKind.FAMILY).user)
    url = f"{API}/networks/{network.pk}/invitations/"

    created = coordinator.post(
        url, {"email": "Gran@Example.org", "kind": "family"}, HTTP_IDEMPOTENCY_KEY="invite-gran"
    )
    replayed = coordinator.post(
        url, {"email": "Gran@Example.org", "kind": "family"}, HTTP_IDEMPOTENCY_KEY="invite-gran"
    )
    listed = coordinator.get(url)
    by_family = aunt.post(url, {"email": "x@example.org", "kind": "friend"})

    assert created.status_code == 201
    assert created.json()["email"] == "gran@example.org"
    assert replayed["Idempotent-Replayed"] == "true"
    assert Invitation.objects.count() == 1
    assert [i["id"] for i in listed.json()["results"]] == [created.json()["id"]]
    assert by_family.status_code == 403
    assert aunt.get(url).status_code == 403

    withdrawn = coordinator.delete(f"{url}{created.json()['id']}/")
    assert withdrawn.status_code == 204
    assert coordinator.get(url).json()["count"] == 0
    assert coordinator.delete(f"{url}{created.json()['id']}/").status_code == 404


def test_join_requests_come_from_outside_and_coordinators_decide(network) -> None:  # type: ignore[no-untyped-def]
    nurse, officer = staff_create(), staff_create()
    coordinator = client_for(coordinator_of(network))
    url = f"{API}/networks/{network.pk}/join-requests/"

    asked = client_for(nurse).post(url, {"reason": "School nurse"}, HTTP_IDEMPOTENCY_KEY="j1")
    again = client_for(nurse).post(url, {"reason": "School nurse"}, HTTP_IDEMPOTENCY_KEY="j1")
    twice = client_for(nurse).post(url, {"reason": "School nurse"})
    other = client_for(officer).post(url, {"reason": "Police"})
    no_reason = client_for(staff_create()).post(url, {"reason": ""})
    family = client_for(UserFactory.create()).post(url, {"reason": "Me"})

    assert asked.status_code == other.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert twice.status_code == 400
    assert "already asked" in errors(twice)["non_field_errors"][0]
    assert list(errors(no_reason)) == ["reason"]
    assert family.status_code == 403
    assert client_for(nurse).get(url).status_code == 404  # asking shows nothing
    pending = coordinator.get(url).json()
    assert pending["count"] == 2

    approved = coordinator.post(f"{url}{asked.json()['id']}/approve/")
    declined = coordinator.post(f"{url}{other.json()['id']}/decline/")

    assert approved.json()["status"] == "approved"
    assert declined.json()["status"] == "declined"
    assert client_for(nurse).get(f"{API}/networks/{network.pk}/").status_code == 200
    assert client_for(officer).get(f"{API}/networks/{network.pk}/").status_code == 404
    assert coordinator.get(url).json()["count"] == 0
    assert coordinator.post(f"{url}{asked.json()['id']}/decline/").status_code == 404


def test_a_join_request_to_a_network_that_does_not_exist_is_404() -> None:
    response = client_for(staff_create()).post(
        f"{API}/networks/999999/join-requests/", {"reason": "x"}
    )
    assert response.status_code == 404


def test_the_audit_shows_who_looked_newest_first_to_those_allowed(network) -> None:  # type: ignore[no-untyped-def]
    aunt = network.memberships.get(kind=MemberKind.FAMILY).user
    client_for(aunt).get(f"{API}/people/{network.person.pk}/")
    coordinator = client_for(coordinator_of(network))
    url = f"{API}/networks/{network.pk}/audit/"

    trail = coordinator.get(url).json()["results"]
    views = coordinator.get(url, {"action": "view"}).json()["results"]

    assert trail[0]["actor"]["display_name"] == str(aunt)
    assert trail[0]["summary"] == "Viewed the person's details"
    assert trail[0]["channel"] == "api"
    assert [event["at"] for event in trail] == sorted((e["at"] for e in trail), reverse=True)
    assert {event["action"] for event in views} == {"view"}
    refused = client_for(aunt).get(url)
    assert refused.status_code == 403
    assert "can see who has looked" in errors(refused)["non_field_errors"][0]


def test_a_reviewing_safeguarding_lead_sees_the_audit() -> None:
    agency = AgencyFactory.create()
    network = network_create(agency=agency)
    lead = staff_create(agency=agency, role=StaffRole.SAFEGUARDING_LEAD)

    response = client_for(lead).get(f"{API}/networks/{network.pk}/audit/")

    assert response.status_code == 200
    assert response.json()["count"] >= 1


def test_involvement_is_recorded_read_and_changed_by_professionals(network) -> None:  # type: ignore[no-untyped-def]
    school = AgencyFactory.create(name="Oakwood Primary")
    coordinator = client_for(works_for(coordinator_of(network), school))
    aunt = client_for(network.memberships.get(kind=MemberKind.FAMILY).user)
    url = f"{API}/networks/{network.pk}/involvements/"

    created = coordinator.post(
        url,
        {
            "agency_id": school.pk,
            "service": "Designated safeguarding lead",
            "started_on": "2026-09-01",
            "contact_phone": "0191 000 0000",
        },
        HTTP_IDEMPOTENCY_KEY="school",
    )
    detail = f"{url}{created.json()['id']}/"
    changed = coordinator.patch(detail, {"ended_on": "2026-12-20"})
    backwards = coordinator.patch(detail, {"ended_on": "2026-01-01"})

    assert created.status_code == 201
    assert created.json()["agency"] == {"id": school.pk, "name": "Oakwood Primary"}
    assert created.json()["visibility"] == "professionals"
    assert changed.status_code == 200
    assert changed.json()["ended_on"] == "2026-12-20"
    assert changed.json()["contact_phone"] == "0191 000 0000"
    assert list(errors(backwards)) == ["ended_on"]
    assert coordinator.get(detail).status_code == 200
    assert aunt.get(detail).status_code == 404  # professionals only: absent for family
    assert aunt.get(url).json()["count"] == 0
    refused = aunt.post(url, {"agency_id": school.pk, "service": "x", "started_on": "2026-01-01"})
    assert refused.status_code == 403


def test_two_requests_racing_with_one_key_create_once(network, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The second request misses the first's stored answer (as when both arrive together),
    does its work, and is then rolled back and answered with the first's response."""
    coordinator = client_for(coordinator_of(network))
    url = f"{API}/networks/{network.pk}/invitations/"
    body = {"email": "gran@example.org", "kind": "family"}
    first = coordinator.post(url, body, HTTP_IDEMPOTENCY_KEY="race")

    real_stored = idempotency._stored
    misses = iter([True])
    monkeypatch.setattr(
        idempotency,
        "_stored",
        lambda user, key: None if next(misses, False) else real_stored(user, key),
    )
    second = coordinator.post(url, body, HTTP_IDEMPOTENCY_KEY="race")

    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert Invitation.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="invitation").count() == 1


# --- Involvement belongs to its agency (the attacks as they were made) -----------------------


def test_a_professional_cannot_hand_the_network_to_another_agency(network) -> None:  # type: ignore[no-untyped-def]
    """Any professional could POST another agency's id; its safeguarding leads then read
    restricted concerns and the audit trail."""
    other = AgencyFactory.create(name="Elsewhere Housing")
    their_lead = staff_create(agency=other, role=StaffRole.SAFEGUARDING_LEAD)
    practitioner = member_add(network, kind=MemberKind.PROFESSIONAL).user
    url = f"{API}/networks/{network.pk}/involvements/"

    for user in (practitioner, coordinator_of(network)):
        refused = client_for(user).post(
            url, {"agency_id": other.pk, "service": "Tenancy", "started_on": "2026-01-05"}
        )
        assert refused.status_code == 403
        assert "only for an agency you work for" in errors(refused)["non_field_errors"][0]

    assert not network.involvements.filter(agency=other).exists()
    lead = client_for(their_lead)
    assert lead.get(f"{API}/networks/{network.pk}/").status_code == 404
    assert lead.get(f"{API}/networks/{network.pk}/audit/").status_code == 404
    assert lead.get(f"{API}/networks/{network.pk}/concerns/").status_code == 404


def test_another_agencys_involvement_is_changed_only_by_its_own_professionals(network) -> None:  # type: ignore[no-untyped-def]
    """Any professional could change another agency's contact details, widen who sees it,
    or end it (cutting its leads out). Only its own professionals change it; a coordinator
    may end it."""
    police = AgencyFactory.create(name="Northfield Police")
    officer = member_add(network, kind=MemberKind.PROFESSIONAL, agency=police).user
    created = client_for(officer).post(
        f"{API}/networks/{network.pk}/involvements/",
        {
            "agency_id": police.pk,
            "service": "Public protection",
            "started_on": "2026-01-05",
            "contact_email": "ppu@police.example",
        },
    )
    assert created.status_code == 201
    detail = f"{API}/networks/{network.pk}/involvements/{created.json()['id']}/"
    practitioner = client_for(member_add(network, kind=MemberKind.PROFESSIONAL).user)
    coordinator = client_for(coordinator_of(network))

    for attempt in (
        {"contact_email": "attacker@example.org"},
        {"contact_phone": "0000"},
        {"visibility": "network"},
        {"ended_on": "2026-02-01"},
    ):
        assert practitioner.patch(detail, attempt).status_code == 403
    assert coordinator.patch(detail, {"visibility": "network"}).status_code == 403
    assert coordinator.patch(detail, {"contact_email": "x@example.org"}).status_code == 403
    unchanged = client_for(officer).get(detail).json()
    assert (unchanged["contact_email"], unchanged["visibility"], unchanged["ended_on"]) == (
        "ppu@police.example",
        "professionals",
        None,
    )

    ended = coordinator.patch(detail, {"ended_on": "2026-02-01"})
    assert ended.status_code == 200
    assert ended.json()["ended_on"] == "2026-02-01"
    changed = client_for(officer).patch(detail, {"contact_phone": "0191 000 0000"})
    assert changed.status_code == 200
