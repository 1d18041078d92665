"""Networks and signed-in API clients for the API tests, made through the services."""

from __future__ import annotations

import datetime
import itertools

from rest_framework.test import APIClient

from accounts.models import User
from agencies.models import Agency, StaffRole
from caregraph.models import MemberKind, Membership, Network
from caregraph.services.networks import membership_add
from caregraph.services.people import IdentifierInput, person_register
from tests.factories import AgencyFactory, UserFactory, staff_create

API = "/api/v1"
_nhs_stems = itertools.count(1)


def nhs_number_make() -> str:
    """A fresh valid NHS Number from the 999 test range."""
    while True:
        stem = f"998{next(_nhs_stems):06d}"
        check = 11 - sum(int(d) * w for d, w in zip(stem, range(10, 1, -1), strict=True)) % 11
        if check == 11:
            return stem + "0"
        if check != 10:
            return stem + str(check)


def client_for(user: User | None) -> APIClient:
    """An API client signed in as the user (no session, so no two-factor redirect)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


def network_create(
    *,
    coordinator: User | None = None,
    agency: Agency | None = None,
    given_name: str = "Alex",
    family_name: str = "Morgan",
    date_of_birth: datetime.date | None = datetime.date(2015, 3, 14),
    nhs_number: str | None = None,
) -> Network:
    """Registers a person; the registering practitioner coordinates their network."""
    agency = agency or AgencyFactory.create()
    coordinator = coordinator or staff_create(agency=agency)
    registration = person_register(
        registered_by=coordinator,
        agency=agency,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        postcode="NE1 4ST",
        address="1 Grey Street, Newcastle",
        identifiers=[IdentifierInput(system="nhs_number", value=nhs_number or nhs_number_make())],
    )
    assert registration.created
    return registration.network


def coordinator_of(network: Network) -> User:
    return network.memberships.get(is_coordinator=True, status="active").user


def member_add(
    network: Network,
    *,
    kind: str = MemberKind.FAMILY,
    user: User | None = None,
    agency: Agency | None = None,
    is_coordinator: bool = False,
) -> Membership:
    if user is None:
        if kind == MemberKind.PROFESSIONAL:
            agency = agency or AgencyFactory.create()
            user = staff_create(agency=agency, role=StaffRole.PRACTITIONER)
        else:
            user = UserFactory.create()
    return membership_add(
        network=network,
        user=user,
        kind=kind,
        added_by=None,
        relationship="Aunt" if kind == MemberKind.FAMILY else "",
        agency=agency,
        is_coordinator=is_coordinator,
    )


def errors(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) == {"errors"}, body
    return body["errors"]
