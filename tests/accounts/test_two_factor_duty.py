"""A web session is held to the two-factor duty at every request, as API tokens are.

The duty follows the user, not the moment they signed in: someone signed in as family who
is then made agency staff, or whose authenticator app is removed, is stopped at their next
request, on the pages and on the API alike.
"""

import time

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from agencies.models import StaffRole
from agencies.services import staff_add
from caregraph.models import Person
from tests.factories import (
    PASSWORD,
    AgencyFactory,
    UserFactory,
    staff_create,
    totp_code,
    totp_enrol,
)

pytestmark = pytest.mark.django_db
LOGIN = "/account/login/"
AUTHENTICATE = "/account/2fa/authenticate/"
ACTIVATE = "/account/2fa/totp/activate/"
REAUTHENTICATE = "/account/2fa/reauthenticate/"
PEOPLE = "/api/v1/people/"


def wait_for_fresh_period() -> None:
    """Codes are single-use within their 30-second period; avoid the edge of one."""
    if int(time.time()) % 30 > 26:
        time.sleep(31 - int(time.time()) % 30)


def signed_in_on_password(email: str) -> Client:
    browser = Client()
    assert browser.post(LOGIN, {"login": email, "password": PASSWORD})["Location"] == "/"
    assert browser.get("/").status_code == 200
    return browser


def register_through_the_api(browser: Client):  # type: ignore[no-untyped-def]
    return browser.post(
        PEOPLE,
        {"given_name": "Jordan", "family_name": "Reilly", "date_of_birth": "2016-07-02"},
        content_type="application/json",
    )


def test_a_family_member_made_staff_is_sent_to_set_up_two_factor() -> None:
    family = UserFactory.create()
    browser = signed_in_on_password(family.email)

    staff_add(agency=AgencyFactory.create(), user=family, role=StaffRole.PRACTITIONER)
    page = browser.get("/")
    api = register_through_the_api(browser)

    assert page.status_code == 302
    assert page["Location"] == ACTIVATE
    assert api.status_code == 403
    assert "Set up two-factor authentication first" in api.json()["errors"]["non_field_errors"][0]
    assert not Person.objects.exists()


def test_a_session_signed_in_without_a_code_must_give_one_once_its_user_must() -> None:
    family = UserFactory.create()
    browser = signed_in_on_password(family.email)
    staff_add(agency=AgencyFactory.create(), user=family, role=StaffRole.PRACTITIONER)
    secret = totp_enrol(family)  # set up on another device, in another session

    page = browser.get("/")
    api = register_through_the_api(browser)
    recovery_codes = browser.get("/account/2fa/recovery-codes/generate/")

    assert page.status_code == 302
    assert page["Location"] == f"{REAUTHENTICATE}?next=%2F"
    assert api.status_code == 403
    assert "Confirm it is you" in api.json()["errors"]["non_field_errors"][0]
    assert not Person.objects.exists()
    assert recovery_codes.status_code == 302
    assert recovery_codes["Location"].startswith(REAUTHENTICATE)

    wait_for_fresh_period()
    confirmed = browser.post(f"{REAUTHENTICATE}?next=/", {"code": totp_code(secret)})

    assert confirmed.status_code == 302
    assert browser.get("/").status_code == 200
    assert register_through_the_api(browser).status_code == 201


def test_a_session_that_set_up_two_factor_itself_carries_on() -> None:
    family = UserFactory.create()
    browser = signed_in_on_password(family.email)
    staff_add(agency=AgencyFactory.create(), user=family, role=StaffRole.PRACTITIONER)
    assert browser.get("/")["Location"] == ACTIVATE
    secret = browser.get(ACTIVATE).context["form"].secret

    wait_for_fresh_period()
    assert browser.post(ACTIVATE, {"code": totp_code(secret)}).status_code == 302

    assert browser.get("/").status_code == 200


def test_staff_whose_authenticator_is_removed_are_stopped_at_their_next_request() -> None:
    staff = staff_create()
    secret = totp_enrol(staff)
    browser = Client()
    browser.post(LOGIN, {"login": staff.email, "password": PASSWORD})
    wait_for_fresh_period()
    browser.post(AUTHENTICATE, {"code": totp_code(secret)})
    assert browser.get("/").status_code == 200

    Authenticator.objects.filter(user=staff).delete()
    page = browser.get("/")
    api = register_through_the_api(browser)

    assert page.status_code == 302
    assert page["Location"] == ACTIVATE
    assert api.status_code == 403
    assert not Person.objects.exists()
