"""A network with one user in each role around concerns, made through the services."""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass
from unittest import mock

from accounts.models import User
from agencies.models import Agency, StaffRole
from caregraph.models import MemberKind, Network
from caregraph.policy import viewer_for
from concerns.models import Concern
from concerns.services import concern_raise
from tests.factories import AgencyFactory, UserFactory, staff_create
from tests.networks import member_add, network_create

DESCRIPTION = "Bruises on both arms, said he fell off his bike"


@dataclass
class World:
    """Agency A leads (its practitioner coordinates); B and C are involved through members."""

    network: Network
    agency_a: Agency
    agency_b: Agency
    agency_c: Agency
    coordinator: User  # practitioner of A
    practitioner_b: User
    practitioner_c: User
    lead_a: User  # safeguarding lead of A, reviewing the network
    lead_b: User
    family: User
    friend: User
    outsider: User  # a practitioner of an agency not involved

    def by_agency(self, agency: Agency) -> User:
        return {
            self.agency_a.pk: self.coordinator,
            self.agency_b.pk: self.practitioner_b,
            self.agency_c.pk: self.practitioner_c,
        }[agency.pk]


def world_make() -> World:
    agency_a, agency_b, agency_c = (AgencyFactory.create() for _ in range(3))
    coordinator = staff_create(agency=agency_a)
    network = network_create(coordinator=coordinator, agency=agency_a)
    practitioner_b = member_add(network, kind=MemberKind.PROFESSIONAL, agency=agency_b).user
    practitioner_c = member_add(network, kind=MemberKind.PROFESSIONAL, agency=agency_c).user
    family = member_add(network, kind=MemberKind.FAMILY, relationship="Mother").user
    friend = member_add(network, kind=MemberKind.FRIEND, user=UserFactory.create()).user
    return World(
        network=network,
        agency_a=agency_a,
        agency_b=agency_b,
        agency_c=agency_c,
        coordinator=coordinator,
        practitioner_b=practitioner_b,
        practitioner_c=practitioner_c,
        lead_a=staff_create(role=StaffRole.SAFEGUARDING_LEAD, agency=agency_a),
        lead_b=staff_create(role=StaffRole.SAFEGUARDING_LEAD, agency=agency_b),
        family=family,
        friend=friend,
        outsider=staff_create(),
    )


def concern_raise_as(
    user: User,
    network: Network,
    *,
    severity: str = "medium",
    category: str = "neglect",
    visibility: str | None = None,
    description: str = DESCRIPTION,
    at: datetime.datetime | None = None,
) -> Concern:
    """Raises a concern as the user would; `at` is the moment it is raised."""
    standing = viewer_for(user=user, network=network)
    assert standing is not None
    patched = mock.patch("django.utils.timezone.now", return_value=at)
    with patched if at else contextlib.nullcontext():
        return concern_raise(
            network=network,
            viewer=standing,
            raised_by=user,
            category=category,
            severity=severity,
            description=description,
            visibility=visibility,
        )


def raised_at_set(concern: Concern, at: datetime.datetime) -> None:
    """Moves a concern back in time, as if raised then."""
    Concern.objects.filter(pk=concern.pk).update(raised_at=at)
    concern.raised_at = at
