"""A network with one user in every role and one shared record of every visibility."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from accounts.models import User
from agencies.models import Involvement, StaffRole
from agencies.services import involvement_create
from caregraph.models import MemberKind, Network, Visibility
from tests.factories import AgencyFactory, UserFactory, staff_create, totp_enrol
from tests.networks import member_add, network_create, viewer

ROLES = [
    "author",
    "person",
    "family",
    "friend",
    "practitioner_same_agency",
    "practitioner_other_agency",
    "lead_of_involved_agency",
    "lead_of_uninvolved_agency",
    "non_member",
]


@dataclass
class World:
    network: Network
    users: dict[str, User]
    records: dict[str, Involvement]


@pytest.fixture
def world() -> World:
    """Records are written by "author", a practitioner of agency A who coordinates."""
    agency_a, agency_b, agency_c = (AgencyFactory.create() for _ in range(3))
    author = staff_create(agency=agency_a)
    network = network_create(coordinator=author, agency=agency_a)
    users = {"author": author}
    users["person"] = member_add(network, kind=MemberKind.PERSON).user
    users["family"] = member_add(network, kind=MemberKind.FAMILY).user
    users["friend"] = member_add(network, kind=MemberKind.FRIEND).user
    users["practitioner_same_agency"] = member_add(
        network, kind=MemberKind.PROFESSIONAL, agency=agency_a
    ).user
    users["practitioner_other_agency"] = member_add(
        network, kind=MemberKind.PROFESSIONAL, agency=agency_b
    ).user
    users["lead_of_involved_agency"] = staff_create(
        agency=agency_a, role=StaffRole.SAFEGUARDING_LEAD
    )
    users["lead_of_uninvolved_agency"] = staff_create(
        agency=agency_c, role=StaffRole.SAFEGUARDING_LEAD
    )
    users["non_member"] = UserFactory.create()
    records = {
        visibility: involvement_create(
            network=network,
            viewer=viewer(network, author),
            created_by=author,
            agency=agency_a,
            service=f"Service shared with {visibility}",
            started_on=datetime.date(2026, 1, 5),
            visibility=visibility,
        )
        for visibility in Visibility.values
    }
    for user in users.values():
        if user.staff_memberships.exists():
            totp_enrol(user)  # agency staff cannot use pages or the API without it
    return World(network=network, users=users, records=records)
