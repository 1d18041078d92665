"""Networks and signed-in API clients for the API tests, made through the services."""

from __future__ import annotations

from rest_framework.test import APIClient

from accounts.models import User
from agencies.models import Agency
from caregraph.models import MemberKind, Membership, Network
from tests import networks
from tests.factories import AgencyFactory, nhs_number_make
from tests.networks import coordinator_of, network_create

__all__ = ["API", "client_for", "coordinator_of", "errors", "member_add", "network_create"]
__all__ += ["nhs_number_make"]

API = "/api/v1"


def client_for(user: User | None) -> APIClient:
    """An API client signed in as the user (no session, so no two-factor redirect)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


def member_add(
    network: Network,
    *,
    kind: str = MemberKind.FAMILY,
    user: User | None = None,
    agency: Agency | None = None,
    is_coordinator: bool = False,
) -> Membership:
    """A member; family members here are the person's aunt."""
    if kind == MemberKind.PROFESSIONAL and user is None:
        agency = agency or AgencyFactory.create()
    return networks.member_add(
        network,
        kind=kind,
        user=user,
        agency=agency,
        relationship="Aunt" if kind == MemberKind.FAMILY else "",
        is_coordinator=is_coordinator,
    )


def errors(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) == {"errors"}, body
    return body["errors"]
