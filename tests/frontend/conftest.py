"""People, networks and signed-in clients for the page tests, made through the services."""

from __future__ import annotations

import datetime
import html as html_entities
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from agencies.models import Agency, StaffRole
from caregraph.models import IdentifierSystem, MemberKind, Network
from caregraph.policy import Viewer, viewer_for
from caregraph.services.networks import membership_add
from caregraph.services.people import IdentifierInput, person_register
from tests.factories import AgencyFactory, UserFactory, staff_create, totp_enrol

NHS_NUMBER = "9434765919"  # valid check digit


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # Hundreds of test accounts: Argon2 would take most of the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def staff(*, agency: Agency | None = None, role: str = StaffRole.PRACTITIONER) -> User:
    """Agency staff who have set up their authenticator app, as staff must."""
    user = staff_create(role=role, agency=agency)
    totp_enrol(user)
    return user


def register(
    by: User,
    *,
    given_name: str = "Ava",
    family_name: str = "Thompson",
    date_of_birth: datetime.date | None = datetime.date(2016, 3, 27),
    nhs_number: str = "",
    postcode: str = "LS1 4AP",
) -> Network:
    agency = by.staff_memberships.get().agency
    identifiers = (
        [IdentifierInput(system=IdentifierSystem.NHS_NUMBER, value=nhs_number)]
        if nhs_number
        else []
    )
    registration = person_register(
        registered_by=by,
        agency=agency,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        postcode=postcode,
        address="1 Park Row\nLeeds",
        identifiers=identifiers,
    )
    assert registration.created
    return registration.network


def join(network: Network, user: User, kind: str = MemberKind.FAMILY, **kwargs: Any) -> None:
    membership_add(network=network, user=user, kind=kind, added_by=None, **kwargs)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    """The page's visible words, tags removed, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return html_entities.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def error_summary(response: Any) -> str:
    html = response.content.decode()
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', html, flags=re.S)
    if not match:
        return ""
    return html_entities.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))))


@pytest.fixture
def agency() -> Agency:
    return AgencyFactory.create(name="Northfield Children's Services")


@pytest.fixture
def practitioner(agency: Agency) -> User:
    return staff(agency=agency)


@pytest.fixture
def network(practitioner: User) -> Network:
    return register(practitioner, nhs_number=NHS_NUMBER)


@pytest.fixture
def family_member(network: Network) -> User:
    user = UserFactory.create(display_name="Grace Thompson")
    join(network, user, relationship="Grandmother")
    return user


@pytest.fixture
def stranger() -> User:
    return staff()


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    return signed_in


def viewer(user: User, network: Network) -> Viewer:
    """The user's standing in a network they may see."""
    standing = viewer_for(user=user, network=network)
    assert standing is not None
    return standing
