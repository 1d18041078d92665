"""Your networks: the people whose networks you may see, and your role in each."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import StaffRole
from agencies.services import involvement_create
from caregraph.models import MemberKind
from tests.factories import UserFactory
from tests.frontend.conftest import join, register, signed_in, staff, text, viewer

pytestmark = pytest.mark.django_db


def test_signing_in_is_needed(client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_a_practitioner_sees_their_networks_with_date_of_birth_and_role(
    practitioner, network
) -> None:
    other = register(staff(), given_name="Noah", family_name="Patel")

    page = text(signed_in(practitioner).get("/"))

    assert "Your networks" in page
    assert "Ava Thompson 27 March 2016 Professional Coordinator" in page
    assert "Noah Patel" not in page
    assert other.person.full_name not in page
    assert f"Signed in as {practitioner.display_name}" in page
    assert "Change your password" in page


def test_family_see_their_relationship_and_leads_see_they_are_reviewing(
    agency, network, family_member
) -> None:
    assert "Ava Thompson 27 March 2016 Family (Grandmother)" in text(
        signed_in(family_member).get("/")
    )
    lead = staff(agency=agency, role=StaffRole.SAFEGUARDING_LEAD)
    assert "Ava Thompson 27 March 2016 Safeguarding lead, reviewing" in text(
        signed_in(lead).get("/")
    )


def test_someone_in_no_network_is_told_where_networks_will_appear() -> None:
    page = text(signed_in(UserFactory.create()).get("/"))
    assert "You will see the care networks you have been invited to here." in page
    assert "Register a person" not in page


def _queries_for_home(count: int) -> int:
    user = UserFactory.create()
    registrar = staff()
    for serial in range(count):
        network = register(registrar, given_name=f"Child{serial}")
        join(network, user, kind=MemberKind.FRIEND, relationship="Neighbour")
        if serial % 2:
            involvement_create(
                network=network,
                viewer=viewer(registrar, network),
                created_by=registrar,
                agency=registrar.staff_memberships.get().agency,
                service="Early help",
                started_on=datetime.date(2025, 1, 6),
            )
    client = signed_in(user)
    client.get("/")  # the session is warm, as it is after signing in
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    assert text(response).count("Friend or neighbour (Neighbour)") == count
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_number_of_networks() -> None:
    assert _queries_for_home(5) == _queries_for_home(200)
