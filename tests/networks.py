"""Networks for tests, built through the same services that people use."""

from __future__ import annotations

import datetime

from accounts.models import User
from agencies.models import Agency, StaffRole
from caregraph.models import MemberKind, Membership, Network
from caregraph.policy import viewer_for
from caregraph.services.networks import membership_add
from caregraph.services.people import IdentifierInput, person_register
from tests.factories import AgencyFactory, UserFactory, nhs_number_make, staff_create


def network_create(
    *,
    coordinator: User | None = None,
    agency: Agency | None = None,
    given_name: str = "Alex",
    family_name: str = "Morgan",
    date_of_birth: datetime.date | None = datetime.date(2015, 3, 14),
    nhs_number: str | None = None,
) -> Network:
    """Registers a person; the coordinator (a practitioner) is their first member, acting
    for `agency` (by default theirs)."""
    if agency is None and coordinator is not None:
        agency = coordinator.staff_memberships.order_by("pk").first().agency  # type: ignore[union-attr]
    agency = agency or AgencyFactory.create()
    coordinator = coordinator or staff_create(agency=agency)
    registration = person_register(
        registered_by=coordinator,
        agency=agency,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        postcode="NE1 4ST",
        identifiers=[IdentifierInput(system="nhs_number", value=nhs_number or nhs_number_make())],
    )
    assert registration.created
    return registration.network


def member_add(
    network: Network,
    *,
    kind: str = MemberKind.FAMILY,
    user: User | None = None,
    agency: Agency | None = None,
    role: str = StaffRole.PRACTITIONER,
    relationship: str = "",
    is_coordinator: bool = False,
) -> Membership:
    if user is None:
        user = (
            staff_create(agency=agency, role=role)
            if kind == MemberKind.PROFESSIONAL
            else (UserFactory.create())
        )
    return membership_add(
        network=network,
        user=user,
        kind=kind,
        added_by=None,
        relationship=relationship,
        agency=agency,
        is_coordinator=is_coordinator,
    )


def coordinator_of(network: Network) -> User:
    membership = network.memberships.get(is_coordinator=True, status="active")
    return membership.user


def viewer(network: Network, user: User):  # type: ignore[no-untyped-def]
    found = viewer_for(user=user, network=network)
    assert found is not None
    return found


def works_for(user: User, agency: Agency) -> User:
    """Makes a professional staff of another agency too, as people with two roles are: a
    professional records involvement only for an agency they work for."""
    from agencies.services import staff_add

    if not user.staff_memberships.filter(agency=agency, is_active=True).exists():
        staff_add(agency=agency, user=user, role=StaffRole.PRACTITIONER)
    return user
