"""The person overview, and the rule every network page keeps: not yours is not there (404)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import StaffRole
from agencies.services import involvement_create
from caregraph.models import AuditAction, AuditEvent, MemberKind, Visibility
from caregraph.services.networks import join_request_create, membership_end
from tests.factories import AgencyFactory, UserFactory
from tests.frontend.conftest import join, register, signed_in, staff, text, viewer
from tests.networks import works_for

pytestmark = pytest.mark.django_db


def _involve(network, practitioner, **kwargs):
    agency = kwargs.pop("agency", None) or practitioner.staff_memberships.get().agency
    return involvement_create(
        network=network,
        viewer=viewer(works_for(practitioner, agency), network),
        created_by=practitioner,
        agency=agency,
        service=kwargs.pop("service", "Child in need team"),
        started_on=kwargs.pop("started_on", datetime.date(2025, 9, 1)),
        **kwargs,
    )


def test_a_professional_sees_identity_identifiers_involvement_and_members(
    practitioner, network, family_member
) -> None:
    school = AgencyFactory.create(name="Oakwood Primary School")
    _involve(
        network,
        practitioner,
        agency=school,
        service="Designated safeguarding lead",
        lead_professional=practitioner,
        contact_name="Ms Rivers",
        contact_phone="01632 960 001",
        contact_email="dsl@oakwood.example",
    )

    response = signed_in(practitioner).get(f"/networks/{network.pk}/")
    page, html = text(response), response.content.decode()

    assert response.status_code == 200
    assert "Date of birth 27 March 2016" in page
    assert "Postcode LS1 4AP" in page
    assert "1 Park Row" in page
    assert "NHS Number 943 476 5919" in page
    assert "Oakwood Primary School: Designated safeguarding lead" in page
    assert f"Lead professional {practitioner.display_name}" in page
    assert 'href="tel:01632960001"' in html
    assert 'href="mailto:dsl@oakwood.example"' in html
    assert "Grace Thompson Family: Grandmother" in page
    assert f"{practitioner.display_name} (you) Coordinator Professional" in page
    assert "Who has looked" in page  # the coordinator may see the audit trail
    assert "open concerns" not in page.lower()


def test_family_see_the_person_but_not_identifiers_or_professionals_only_involvement(
    practitioner, network, family_member
) -> None:
    _involve(network, practitioner, service="Child in need team")
    _involve(network, practitioner, service="Family support", visibility=Visibility.NETWORK)

    page = text(signed_in(family_member).get(f"/networks/{network.pk}/"))

    assert "Ava Thompson" in page
    assert "NHS Number" not in page
    assert "943 476 5919" not in page
    assert "Family support" in page
    assert "Child in need team" not in page
    assert "Who has looked" not in page


def test_viewing_the_overview_is_audited(practitioner, network) -> None:
    signed_in(practitioner).get(f"/networks/{network.pk}/")
    event = AuditEvent.objects.filter(action=AuditAction.VIEW).get()
    assert (event.actor, event.person, event.channel) == (practitioner, network.person, "page")


def test_coordinators_see_waiting_requests_to_join(practitioner, network, family_member) -> None:
    join_request_create(network=network, requested_by=staff(), reason="Allocated today")

    coordinator_page = signed_in(practitioner).get(f"/networks/{network.pk}/")
    assert "1 professional has asked to join this network." in text(coordinator_page)
    assert f'href="/networks/{network.pk}/join-requests/"' in coordinator_page.content.decode()
    assert "asked to join" not in text(signed_in(family_member).get(f"/networks/{network.pk}/"))


NETWORK_PAGES = [
    "",
    "members/",
    "members/invite/",
    "involvement/",
    "involvement/add/",
    "map/",
    "family/",
    "audit/",
    "leave/",
    "join-requests/",
]


@pytest.mark.parametrize("page", NETWORK_PAGES)
def test_someone_outside_the_network_gets_not_found_on_every_page(network, stranger, page) -> None:
    client = signed_in(stranger)
    assert client.get(f"/networks/{network.pk}/{page}").status_code == 404
    assert client.post(f"/networks/{network.pk}/{page}").status_code == 404
    assert client.get(f"/networks/{network.pk + 1000}/{page}").status_code == 404


def test_someone_outside_the_network_gets_not_found_on_its_actions(
    practitioner, network, family_member, stranger
) -> None:
    membership = network.memberships.get(user=family_member)
    client = signed_in(stranger)
    for action in [
        f"members/{membership.pk}/remove/",
        f"members/{membership.pk}/coordinator/",
        "invitations/1/withdraw/",
        "join-requests/1/",
        "involvement/1/edit/",
        "involvement/1/close/",
    ]:
        assert client.post(f"/networks/{network.pk}/{action}").status_code == 404, action
    assert network.memberships.get(pk=membership.pk).status == "active"


def test_removal_takes_effect_on_the_next_request(practitioner, network, family_member) -> None:
    client = signed_in(family_member)
    assert client.get(f"/networks/{network.pk}/").status_code == 200
    membership_end(
        membership=network.memberships.get(user=family_member),
        ended_by=practitioner,
        viewer=viewer(practitioner, network),
    )
    assert client.get(f"/networks/{network.pk}/").status_code == 404
    assert "Ava Thompson" not in text(client.get("/"))


def test_a_safeguarding_lead_of_an_involved_agency_may_see_it_and_its_audit(
    practitioner, network
) -> None:
    police = AgencyFactory.create(name="Northfield Police")
    _involve(network, practitioner, agency=police, service="Public protection unit")
    lead = staff(agency=police, role=StaffRole.SAFEGUARDING_LEAD)

    page = text(signed_in(lead).get(f"/networks/{network.pk}/"))
    assert "NHS Number 943 476 5919" in page
    assert signed_in(lead).get(f"/networks/{network.pk}/audit/").status_code == 200


def _queries_for_overview(members: int) -> tuple[int, ...]:
    practitioner = staff()
    network = register(practitioner)
    for serial in range(members):
        kind = MemberKind.FAMILY if serial % 2 else MemberKind.FRIEND
        join(network, UserFactory.create(), kind=kind, relationship=f"Relative {serial}")
    for service in ("Child in need team", "School nursing"):
        _involve(network, practitioner, service=service, lead_professional=practitioner)
    client = signed_in(practitioner)
    counts = []
    for _visit in ("first, lists read", "again, lists kept"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/networks/{network.pk}/")
        assert text(response).count("Relative ") == members
        counts.append(len(queries))
    return tuple(counts)


def test_the_number_of_queries_does_not_grow_with_the_number_of_members() -> None:
    small, large = _queries_for_overview(5), _queries_for_overview(200)
    assert small == large
    assert large[1] < large[0]  # the second visit reads the kept lists


def test_lists_kept_for_one_reader_are_never_shown_to_another(
    practitioner, network, family_member
) -> None:
    """The overview's lists are kept for the state of the network and the reader's
    audiences: a professional's never reach family, and a change shows at once."""
    _involve(network, practitioner, service="Child in need team")  # professionals only
    url = f"/networks/{network.pk}/"
    professional_page = text(signed_in(practitioner).get(url))
    assert "Child in need team" in professional_page
    assert f"{practitioner.display_name} (you)" in professional_page

    family = signed_in(family_member)
    family_page = text(family.get(url))
    assert "Child in need team" not in family_page
    assert f"{family_member.display_name} (you)" in family_page
    assert f"{practitioner.display_name} (you)" not in family_page

    _involve(network, practitioner, service="Family support", visibility=Visibility.NETWORK)
    assert "Family support" in text(family.get(url))
