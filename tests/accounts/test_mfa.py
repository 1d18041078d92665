"""Two-factor sign-in: required for agency staff, optional for family and friends."""

import time

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from agencies.models import StaffRole
from tests.factories import PASSWORD, UserFactory, staff_create, totp_code, totp_enrol

pytestmark = pytest.mark.django_db
LOGIN = "/account/login/"
ACTIVATE = "/account/2fa/totp/activate/"
AUTHENTICATE = "/account/2fa/authenticate/"


def wait_for_fresh_period() -> None:
    """Codes are single-use within their 30-second period; avoid the edge of one."""
    if int(time.time()) % 30 > 26:
        time.sleep(31 - int(time.time()) % 30)


@pytest.mark.parametrize("role", [StaffRole.PRACTITIONER, StaffRole.SAFEGUARDING_LEAD])
def test_staff_without_an_authenticator_must_set_one_up_first(client: Client, role: str) -> None:
    user = staff_create(role=role)
    client.post(LOGIN, {"login": user.email, "password": PASSWORD})

    for page in ("/", "/account/email/", "/admin/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == ACTIVATE, page
    assert client.get(ACTIVATE).status_code == 200


def test_staff_enrol_totp_and_then_reach_their_home(client: Client) -> None:
    user = staff_create()
    client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    page = client.get(ACTIVATE)
    secret = page.context["form"].secret

    wrong = client.post(ACTIVATE, {"code": "000000" if totp_code(secret) != "000000" else "1"})
    assert wrong.status_code == 200
    assert "govuk-error-summary" in wrong.content.decode()
    assert not Authenticator.objects.filter(user=user).exists()

    wait_for_fresh_period()
    done = client.post(ACTIVATE, {"code": totp_code(secret)})

    assert done.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get("/").status_code == 200


def test_enrolled_staff_need_a_current_code_to_sign_in(client: Client) -> None:
    user = staff_create()
    secret = totp_enrol(user)

    first_step = client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert first_step["Location"] == AUTHENTICATE
    assert client.get("/").status_code == 302  # not signed in on the password alone

    expired = client.post(AUTHENTICATE, {"code": totp_code(secret, offset_periods=-20)})
    assert expired.status_code == 200
    assert "govuk-error-summary" in expired.content.decode()
    assert 'href="#id_code"' in expired.content.decode()
    assert client.get("/").status_code == 302

    wait_for_fresh_period()
    signed_in = client.post(AUTHENTICATE, {"code": totp_code(secret)})
    assert signed_in.status_code == 302
    assert client.get("/").status_code == 200


def test_a_recovery_code_signs_in_once(client: Client) -> None:
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    user = staff_create()
    totp_enrol(user)
    code = RecoveryCodes.activate(user).get_unused_codes()[0]

    client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert client.post(AUTHENTICATE, {"code": code}).status_code == 302
    client.post("/account/logout/")

    again = Client()
    again.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert again.post(AUTHENTICATE, {"code": code}).status_code == 200
    assert again.get("/").status_code == 302


def test_family_members_may_choose_not_to_use_two_factor(client: Client) -> None:
    user = UserFactory.create()
    client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert client.get("/").status_code == 200
    assert client.get("/account/2fa/").status_code == 200


def test_the_admin_sign_in_goes_through_two_factor(client: Client) -> None:
    operator = UserFactory.create(email="operator@example.org")
    operator.is_staff = operator.is_superuser = True
    operator.save()
    secret = totp_enrol(operator)

    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)

    client.post(LOGIN, {"login": operator.email, "password": PASSWORD})
    assert client.get("/admin/").status_code == 302
    wait_for_fresh_period()
    client.post(AUTHENTICATE, {"code": totp_code(secret)})
    assert client.get("/admin/").status_code == 200
