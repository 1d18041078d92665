"""Listing endpoints run a fixed number of queries, whether a network has 5 members or 200.

Each count is pinned once and the same pin must hold at both sizes, so a query per row
(an N+1) fails the larger case.
"""

import datetime
from typing import Any

import pytest

from agencies.services import involvement_create
from caregraph.models import MemberKind, Network
from caregraph.policy import viewer_for
from tests.api.helpers import API, client_for, coordinator_of, member_add, network_create
from tests.factories import AgencyFactory, UserFactory
from tests.networks import works_for

pytestmark = pytest.mark.django_db
SIZES = [5, 200]

# network_get_for_user (2: the member's membership with its network, staff roles), the
# endpoint's own work, then one audit row (1).
MEMBER_LIST_QUERIES = 2 + 2 + 1  # count, page
INVOLVEMENT_LIST_QUERIES = 2 + 2 + 1  # count, page
OVERVIEW_QUERIES = 2 + 3 + 1  # members, open involvements, pending join requests


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # Two hundred Argon2 hashes would take most of a minute and test nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def network_of(size: int) -> Network:
    """A network with `size` members, professionals of two agencies among them, and as many
    involvements, each with a lead professional."""
    network = network_create()
    coordinator = coordinator_of(network)
    agencies = [AgencyFactory.create(), AgencyFactory.create()]
    for agency in agencies:
        works_for(coordinator, agency)
    viewer = viewer_for(user=coordinator, network=network)
    for n in range(size - 1):
        if n % 10 == 0:
            member_add(network, kind=MemberKind.PROFESSIONAL, agency=agencies[n % 2])
        else:
            member_add(network, user=UserFactory.create())
    for n in range(size):
        involvement_create(
            network=network,
            viewer=viewer,  # type: ignore[arg-type]
            created_by=coordinator,
            agency=agencies[n % 2],
            service=f"Service {n}",
            started_on=datetime.date(2026, 1, 5),
            lead_professional=coordinator,
            visibility="network" if n % 2 else "professionals",
        )
    assert network.memberships.count() == size
    return network


@pytest.mark.parametrize("size", SIZES)
def test_the_members_list_runs_the_same_queries_however_many_members(
    size: int,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    network = network_of(size)
    client = client_for(coordinator_of(network))

    with django_assert_num_queries(MEMBER_LIST_QUERIES):
        response = client.get(f"{API}/networks/{network.pk}/members/")

    assert response.json()["count"] == size
    assert len(response.json()["results"]) == min(size, 50)


@pytest.mark.parametrize("size", SIZES)
def test_the_involvement_list_runs_the_same_queries_however_many_involvements(
    size: int,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    network = network_of(size)
    client = client_for(coordinator_of(network))

    with django_assert_num_queries(INVOLVEMENT_LIST_QUERIES):
        response = client.get(f"{API}/networks/{network.pk}/involvements/?page_size=200")

    assert response.json()["count"] == size
    assert len(response.json()["results"]) == size


@pytest.mark.parametrize("size", SIZES)
def test_the_overview_runs_the_same_queries_however_large_the_network(
    size: int,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    network = network_of(size)
    client = client_for(coordinator_of(network))

    with django_assert_num_queries(OVERVIEW_QUERIES):
        response = client.get(f"{API}/networks/{network.pk}/")

    assert response.json()["member_count"] == size
    assert response.json()["open_involvement_count"] == size
