"""An API token is held to the two-factor duty each time it is used, not only when issued.

The attack: a family member asks for a token, is later made agency staff (or loses their
authenticator app), and keeps creating people and reading staff lists with the old token
while the website refuses them.
"""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from django.urls import URLPattern
from rest_framework.test import APIClient

from agencies.models import StaffRole
from agencies.services import staff_add
from api.urls import v1
from caregraph.models import Person
from tests.api.helpers import API, errors
from tests.factories import (
    PASSWORD,
    AgencyFactory,
    UserFactory,
    staff_create,
    totp_code,
    totp_enrol,
)

pytestmark = pytest.mark.django_db
TOKEN = f"{API}/auth/token/"
PEOPLE = f"{API}/people/"
SET_UP_FIRST = "Set up two-factor authentication first"
CODE_NOT_GIVEN = "issued without a code from your authenticator app"


def wait_for_fresh_period() -> None:
    """Codes are single-use within their 30-second period; avoid the edge of one."""
    if int(time.time()) % 30 > 26:
        time.sleep(31 - int(time.time()) % 30)


def token_client(email: str, otp: str | None = None) -> APIClient:
    body = {"email": email, "password": PASSWORD}
    if otp is not None:
        body["otp"] = otp
    response = APIClient().post(TOKEN, body, format="json")
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def registration() -> dict[str, str]:
    return {"given_name": "Jordan", "family_name": "Reilly", "date_of_birth": "2016-07-02"}


def staff_list(agency_id: int) -> str:
    return f"{API}/agencies/{agency_id}/staff/"


def test_a_family_token_is_refused_once_its_user_is_made_staff_without_two_factor() -> None:
    family = UserFactory.create()
    client = token_client(family.email)
    assert client.get(f"{API}/networks/").status_code == 200
    agency = AgencyFactory.create()

    staff_add(agency=agency, user=family, role=StaffRole.PRACTITIONER)
    registering = client.post(PEOPLE, registration(), format="json")
    reading_staff = client.get(staff_list(agency.pk))

    assert registering.status_code == 403
    assert SET_UP_FIRST in errors(registering)["non_field_errors"][0]
    assert not Person.objects.exists()
    assert reading_staff.status_code == 403
    assert SET_UP_FIRST in errors(reading_staff)["non_field_errors"][0]


def test_a_token_issued_without_a_code_stops_working_when_its_user_must_use_one() -> None:
    family = UserFactory.create()
    old = token_client(family.email)
    agency = AgencyFactory.create()
    staff_add(agency=agency, user=family, role=StaffRole.PRACTITIONER)
    secret = totp_enrol(family)

    registering = old.post(PEOPLE, registration(), format="json")
    reading_staff = old.get(staff_list(agency.pk))

    assert registering.status_code == 401
    assert CODE_NOT_GIVEN in errors(registering)["non_field_errors"][0]
    assert reading_staff.status_code == 401
    assert not Person.objects.exists()

    wait_for_fresh_period()
    renewed = token_client(family.email, otp=totp_code(secret))
    assert renewed.post(PEOPLE, registration(), format="json").status_code == 201
    assert renewed.get(staff_list(agency.pk)).status_code == 200


def test_a_staff_token_is_refused_once_their_authenticator_is_removed() -> None:
    agency = AgencyFactory.create()
    staff = staff_create(agency=agency)
    secret = totp_enrol(staff)
    wait_for_fresh_period()
    client = token_client(staff.email, otp=totp_code(secret))
    assert client.get(staff_list(agency.pk)).status_code == 200

    Authenticator.objects.filter(user=staff).delete()
    registering = client.post(PEOPLE, registration(), format="json")
    reading_staff = client.get(staff_list(agency.pk))

    assert registering.status_code == reading_staff.status_code == 403
    assert SET_UP_FIRST in errors(reading_staff)["non_field_errors"][0]
    assert not Person.objects.exists()


def test_a_token_that_may_not_be_used_is_refused_by_every_endpoint() -> None:
    family = UserFactory.create()
    client = token_client(family.email)
    staff_add(agency=AgencyFactory.create(), user=family, role=StaffRole.PRACTITIONER)
    paths = [
        API + "/" + re.sub(r"<int:\w+>", "1", str(pattern.pattern))
        for pattern in v1
        if isinstance(pattern, URLPattern) and pattern.name != "auth_token"
    ]
    assert len(paths) > 30

    answers = {path: client.generic("OPTIONS", path).status_code for path in paths}
    answers |= {f"GET {path}": client.get(path).status_code for path in paths}

    assert set(answers.values()) == {403}, answers
