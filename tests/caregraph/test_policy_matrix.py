"""Who sees what, generated: every role, every visibility, every channel.

One network, one shared record of each visibility written by a practitioner of agency A,
and one user in each role. For each channel (selector, API list, API detail, overview page,
involvement page) a record is exactly "shown", "absent" (left out of a list the user may
see) or "404" (the network itself is hidden from them, or the detail they asked for).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from django.test import Client

from accounts.models import User
from agencies.models import Agency, Involvement
from agencies.selectors import involvement_list
from caregraph.models import MemberKind, Visibility
from caregraph.policy import viewer_for
from tests.caregraph.conftest import ROLES, World
from tests.networks import member_add

pytestmark = pytest.mark.django_db

VISIBILITIES = list(Visibility.values)
SEES_NETWORK = set(ROLES) - {"lead_of_uninvolved_agency", "non_member"}
PROFESSIONALS = {
    "author",
    "practitioner_same_agency",
    "practitioner_other_agency",
    "lead_of_involved_agency",
}
SEES = {
    Visibility.NETWORK: SEES_NETWORK,
    Visibility.PROFESSIONALS: PROFESSIONALS,
    Visibility.AGENCY: {"author", "practitioner_same_agency", "lead_of_involved_agency"},
    Visibility.RESTRICTED: {"author", "lead_of_involved_agency"},
}


def expected(role: str, visibility: str, *, detail: bool) -> str:
    if role not in SEES_NETWORK:
        return "404"
    if role in SEES[Visibility(visibility)]:
        return "shown"
    return "404" if detail else "absent"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def via_selector(world: World, user: User, record: Involvement) -> str:
    standing = viewer_for(user=user, network=world.network)
    if standing is None:
        return "404"
    return "shown" if record in involvement_list(viewer=standing) else "absent"


def via_api_list(world: World, user: User, record: Involvement) -> str:
    response = signed_in(user).get(f"/api/v1/networks/{world.network.pk}/involvements/")
    if response.status_code == 404:
        return "404"
    assert response.status_code == 200
    return "shown" if record.pk in [row["id"] for row in response.json()["results"]] else "absent"


def via_api_detail(world: World, user: User, record: Involvement) -> str:
    response = signed_in(user).get(f"/api/v1/networks/{world.network.pk}/involvements/{record.pk}/")
    assert response.status_code in (200, 404)
    return "shown" if response.status_code == 200 else "404"


def page_shows(path: str) -> Callable[[World, User, Involvement], str]:
    def check(world: World, user: User, record: Involvement) -> str:
        response = signed_in(user).get(path.format(network=world.network.pk))
        if response.status_code == 404:
            return "404"
        assert response.status_code == 200
        return "shown" if record.service in response.content.decode() else "absent"

    return check


CHANNELS: dict[str, tuple[Callable[[World, User, Involvement], str], bool]] = {
    "selector": (via_selector, False),
    "api_list": (via_api_list, False),
    "api_detail": (via_api_detail, True),
    "overview_page": (page_shows("/networks/{network}/"), False),
    "involvement_page": (page_shows("/networks/{network}/involvement/"), False),
}


@pytest.mark.parametrize(("role", "channel"), list(itertools.product(ROLES, CHANNELS)))
def test_who_sees_what(world: World, role: str, channel: str) -> None:
    check, is_detail = CHANNELS[channel]
    user = world.users[role]
    seen = {v: check(world, user, world.records[v]) for v in VISIBILITIES}
    assert seen == {v: expected(role, v, detail=is_detail) for v in VISIBILITIES}


def test_the_matrix_covers_every_role_visibility_and_channel() -> None:
    # A guard against the matrix quietly shrinking: every visibility has someone who sees it
    # and someone who does not, on every channel.
    for visibility in VISIBILITIES:
        outcomes = {expected(role, visibility, detail=False) for role in ROLES}
        assert {"shown", "404"} <= outcomes
    assert len(ROLES) * len(CHANNELS) == 45


def test_an_agency_is_what_makes_a_lead_a_reviewer(world: World) -> None:
    lead = world.users["lead_of_uninvolved_agency"]
    assert viewer_for(user=lead, network=world.network) is None
    agency: Agency = lead.staff_memberships.get().agency
    member_add(world.network, kind=MemberKind.PROFESSIONAL, agency=agency)
    standing = viewer_for(user=lead, network=world.network)
    assert standing is not None and standing.is_reviewing_lead
