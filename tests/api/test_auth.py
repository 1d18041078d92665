"""API tokens: e-mail, password and a two-factor code; lockout; rotation and revoking."""

import time

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from rest_framework.test import APIClient

from api.models import ApiToken
from api.tokens import api_token_hash
from tests.api.helpers import API, errors
from tests.factories import PASSWORD, UserFactory, staff_create, totp_code, totp_enrol

pytestmark = pytest.mark.django_db
TOKEN = f"{API}/auth/token/"


def wait_for_fresh_period() -> None:
    """Codes are single-use within their 30-second period; avoid the edge of one."""
    if int(time.time()) % 30 > 26:
        time.sleep(31 - int(time.time()) % 30)


def ask(email: str, password: str = PASSWORD, otp: str | None = None):  # type: ignore[no-untyped-def]
    body = {"email": email, "password": password}
    if otp is not None:
        body["otp"] = otp
    return APIClient().post(TOKEN, body, format="json")


def test_a_family_member_without_two_factor_gets_a_token_that_signs_them_in() -> None:
    UserFactory.create(email="carer@example.org")

    response = ask("Carer@Example.org")

    assert response.status_code == 200
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(f"{API}/networks/").status_code == 200


def test_staff_need_a_current_code_from_their_authenticator() -> None:
    staff = staff_create()
    secret = totp_enrol(staff)
    wait_for_fresh_period()

    without = ask(staff.email)
    wrong = ask(staff.email, otp="000000" if totp_code(secret) != "000000" else "111111")
    right = ask(staff.email, otp=totp_code(secret))
    replayed = ask(staff.email, otp=totp_code(secret))

    assert without.status_code == 400
    assert "authenticator app" in errors(without)["otp"][0]
    assert wrong.status_code == 400
    assert "wrong" in errors(wrong)["otp"][0]
    assert right.status_code == 200
    assert ApiToken.objects.get(user=staff).key_hash == api_token_hash(right.json()["token"])
    assert replayed.status_code == 400  # a code works once


def test_a_recovery_code_works_once_in_place_of_the_app() -> None:
    staff = staff_create()
    totp_enrol(staff)
    code = RecoveryCodes.activate(staff).get_unused_codes()[0]

    assert ask(staff.email, otp=code).status_code == 200
    assert ask(staff.email, otp=code).status_code == 400


def test_staff_without_two_factor_are_told_to_set_it_up_first() -> None:
    staff = staff_create()

    response = ask(staff.email)

    assert response.status_code == 403
    assert "Set up two-factor authentication first" in errors(response)["non_field_errors"][0]
    assert not ApiToken.objects.filter(user=staff).exists()


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer() -> None:
    UserFactory.create(email="known@example.org")

    wrong_password = ask("known@example.org", "not-the-password")
    unknown_email = ask("nobody@example.org", "not-the-password")

    assert wrong_password.status_code == unknown_email.status_code == 400
    assert wrong_password.json() == unknown_email.json()
    assert errors(wrong_password) == {
        "non_field_errors": ["Enter a correct e-mail address and password"]
    }


def test_missing_fields_are_named() -> None:
    response = APIClient().post(TOKEN, {"email": "a@example.org"}, format="json")

    assert response.status_code == 400
    assert errors(response) == {"password": ["This field is required."]}


def test_repeated_failures_lock_out_and_the_answer_does_not_reveal_the_account() -> None:
    UserFactory.create(email="target@example.org")
    for email in ("target@example.org", "ghost@example.org"):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert ask(email, "guess").status_code == 400
        assert ask(email, "guess").status_code == 429

    existing = ask("target@example.org")  # even the right password
    unknown = ask("ghost@example.org", "guess")

    assert existing.status_code == unknown.status_code == 429
    assert existing.json() == unknown.json()
    assert "try again in" in errors(existing)["non_field_errors"][0]
    assert existing["Content-Type"] == "application/json"


def test_wrong_codes_count_towards_lockout() -> None:
    staff = staff_create()
    totp_enrol(staff)
    answers = [
        ask(staff.email, otp="12345678").status_code for _ in range(settings.AXES_FAILURE_LIMIT)
    ]

    assert answers[:-1] == [400] * (settings.AXES_FAILURE_LIMIT - 1)
    assert answers[-1] == 429


def test_each_token_replaces_the_last_and_delete_revokes_it() -> None:
    UserFactory.create(email="script@example.org")
    first = ask("script@example.org").json()["token"]
    second = ask("script@example.org").json()["token"]
    old, new = APIClient(), APIClient()
    old.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    new.credentials(HTTP_AUTHORIZATION=f"Token {second}")

    assert first != second
    assert old.get(f"{API}/networks/").status_code == 401
    assert new.get(f"{API}/networks/").status_code == 200

    assert new.delete(TOKEN).status_code == 204
    assert new.get(f"{API}/networks/").status_code == 401


def test_without_credentials_the_api_answers_401_in_its_error_shape() -> None:
    response = APIClient().get(f"{API}/networks/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert list(errors(response)) == ["non_field_errors"]


def test_an_expired_token_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone
    from rest_framework.test import APIClient

    from api.tokens import api_token_issue
    from tests.factories import UserFactory

    user = UserFactory.create()
    key = api_token_issue(user=user, code_given=False)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/networks/").status_code == 200

    ApiToken.objects.filter(user=user).update(
        created_at=timezone.now() - timedelta(days=settings.API_TOKEN_LIFETIME_DAYS, seconds=1)
    )
    expired = client.get("/api/v1/networks/")
    assert expired.status_code == 401
    assert "expired" in expired.content.decode()
