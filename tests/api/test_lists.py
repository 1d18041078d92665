"""Every list is paginated the same way, and the agency directory."""

import datetime

import pytest

from agencies.models import AgencyKind, StaffRole
from agencies.services import involvement_create, staff_add
from caregraph.models import MemberKind
from caregraph.policy import viewer_for
from caregraph.services.networks import join_request_create
from caregraph.services.people import identifier_add
from notifications.invitations import invitation_create
from tests.api.helpers import API, client_for, coordinator_of, errors, member_add, network_create
from tests.factories import AgencyFactory, UserFactory, staff_create
from tests.networks import works_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_network():  # type: ignore[no-untyped-def]
    """A network with two or more of everything that is listed."""
    agency = AgencyFactory.create()
    network = network_create(agency=agency, family_name="Reilly")
    network_create(agency=agency, coordinator=coordinator_of(network), family_name="Reilly")
    coordinator = coordinator_of(network)
    staff_add(agency=agency, user=UserFactory.create(), role=StaffRole.PRACTITIONER)
    viewer = viewer_for(user=coordinator, network=network)
    identifier_add(
        person=network.person,
        viewer=viewer,  # type: ignore[arg-type]
        added_by=coordinator,
        system="ni_number",
        value="AB123456C",
    )
    for n in range(2):
        member_add(network)
        invitation_create(
            network=network,
            invited_by=coordinator,
            viewer=viewer,  # type: ignore[arg-type]
            email=f"invitee{n}@example.org",
            kind=MemberKind.FRIEND,
        )
        join_request_create(network=network, requested_by=staff_create(), reason="Involved")
        agency = AgencyFactory.create()
        involvement_create(
            network=network,
            viewer=viewer_for(user=works_for(coordinator, agency), network=network),  # type: ignore[arg-type]
            created_by=coordinator,
            agency=agency,
            service="Early help",
            started_on=datetime.date(2026, 1, 5),
        )
    return network


def list_urls(network) -> list[str]:  # type: ignore[no-untyped-def]
    base = f"{API}/networks/{network.pk}"
    agency_id = coordinator_of(network).staff_memberships.order_by("pk").first().agency_id  # type: ignore[union-attr]
    return [
        f"{API}/people/?family_name=Reilly",
        f"{API}/people/{network.person.pk}/identifiers/",
        f"{API}/networks/",
        f"{base}/members/",
        f"{base}/invitations/",
        f"{base}/join-requests/",
        f"{base}/involvements/",
        f"{base}/audit/",
        f"{API}/agencies/",
        f"{API}/agencies/{agency_id}/staff/",
    ]


def test_every_list_is_paginated_with_count_next_and_previous(busy_network) -> None:  # type: ignore[no-untyped-def]
    client = client_for(coordinator_of(busy_network))

    for url in list_urls(busy_network):
        joiner = "&" if "?" in url else "?"
        first = client.get(f"{url}{joiner}page_size=1")
        assert first.status_code == 200, url
        body = first.json()
        assert set(body) == {"count", "next", "previous", "results"}, url
        assert body["count"] >= 2, url
        assert len(body["results"]) == 1, url
        assert body["previous"] is None, url
        assert "page=2" in body["next"], url
        second = client.get(body["next"]).json()
        assert len(second["results"]) == 1, url
        assert second["previous"] is not None, url
        if not url.endswith("/audit/"):  # reading the audit adds to it, so it moves on
            assert second["results"] != body["results"], url


def test_pages_hold_50_by_default_and_at_most_200() -> None:
    client = client_for(staff_create())
    AgencyFactory.create_batch(210)

    default = client.get(f"{API}/agencies/").json()
    biggest = client.get(f"{API}/agencies/", {"page_size": 1000}).json()
    beyond = client.get(f"{API}/agencies/", {"page": 99})

    assert len(default["results"]) == 50
    assert len(biggest["results"]) == 200
    assert beyond.status_code == 404
    assert errors(beyond) == {"non_field_errors": ["Not found."]}


def test_agencies_filter_by_kind_and_everyone_signed_in_may_list_them() -> None:
    AgencyFactory.create(name="Oakwood Primary", kind=AgencyKind.SCHOOL, code="OAK01")
    AgencyFactory.create(name="Northumbria Police", kind=AgencyKind.POLICE)
    family = client_for(UserFactory.create())

    schools = family.get(f"{API}/agencies/", {"kind": "school"}).json()
    wrong = family.get(f"{API}/agencies/", {"kind": "bakery"})

    assert [a["name"] for a in schools["results"]] == ["Oakwood Primary"]
    assert schools["results"][0] == {
        "id": schools["results"][0]["id"],
        "name": "Oakwood Primary",
        "kind": "school",
        "code": "OAK01",
    }
    assert wrong.status_code == 400
    assert list(errors(wrong)) == ["kind"]


def test_staff_lists_are_for_agency_staff_only() -> None:
    agency = AgencyFactory.create()
    lead = staff_create(agency=agency, role=StaffRole.SAFEGUARDING_LEAD)
    url = f"{API}/agencies/{agency.pk}/staff/"

    by_staff = client_for(staff_create()).get(url, {"role": "safeguarding_lead"})
    by_family = client_for(UserFactory.create()).get(url)

    assert [s["user"]["id"] for s in by_staff.json()["results"]] == [lead.pk]
    assert by_staff.json()["results"][0]["email"] == lead.email
    assert by_family.status_code == 404
    assert client_for(UserFactory.create()).get(f"{API}/agencies/{agency.pk}/").status_code == 200
    assert client_for(staff_create()).get(f"{API}/agencies/999999/staff/").status_code == 404
