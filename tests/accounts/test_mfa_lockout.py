"""Wrong two-factor codes count towards the sign-in lockout, on the web and at the API alike.

The attack: with the right password, keep posting guesses at the two-factor step. Each
wrong code counts as a wrong password does, the address locks after the limit, and while it
is locked even the right code does not sign in.
"""

import re
import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import PASSWORD, staff_create, totp_code, totp_enrol

pytestmark = pytest.mark.django_db
LOGIN = "/account/login/"
AUTHENTICATE = "/account/2fa/authenticate/"
REAUTHENTICATE = "/account/2fa/reauthenticate/"
TOKEN = "/api/v1/auth/token/"
LOCKED_OUT = "You cannot sign in at the moment"


def wait_for_fresh_period() -> None:
    """Codes are single-use within their 30-second period; avoid the edge of one."""
    if int(time.time()) % 30 > 26:
        time.sleep(31 - int(time.time()) % 30)


def wrong_code(secret: str) -> str:
    """A six-digit code that no nearby period of the authenticator would accept."""
    nearby = {totp_code(secret, offset_periods=offset) for offset in (-2, -1, 0, 1, 2)}
    return next(code for code in ("000000", "111111", "222222") if code not in nearby)


def visible_text(response) -> str:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def at_the_code_step(email: str) -> Client:
    """A browser that has given the right password and is asked for the code."""
    client = Client()
    response = client.post(LOGIN, {"login": email, "password": PASSWORD})
    assert response["Location"] == AUTHENTICATE
    return client


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session and client.get("/").status_code == 200


def test_guessing_codes_locks_out_and_then_even_the_right_code_is_refused() -> None:
    staff = staff_create()
    secret = totp_enrol(staff)
    browser = at_the_code_step(staff.email)
    guess = wrong_code(secret)

    answers = [browser.post(AUTHENTICATE, {"code": guess}) for _ in range(60)]

    limit = settings.AXES_FAILURE_LIMIT
    assert [answer.status_code for answer in answers[: limit - 1]] == [200] * (limit - 1)
    assert "Incorrect code." in answers[0].content.decode()
    assert {answer.status_code for answer in answers[limit - 1 :]} == {429}
    assert LOCKED_OUT in answers[-1].content.decode()

    wait_for_fresh_period()
    right = browser.post(AUTHENTICATE, {"code": totp_code(secret)})

    assert right.status_code == 429
    assert LOCKED_OUT in right.content.decode()
    assert not signed_in(browser)
    # The password step is locked too, for a fresh browser with the right password.
    again = Client().post(LOGIN, {"login": staff.email, "password": PASSWORD})
    assert again.status_code == 429


def test_the_lockout_after_wrong_codes_is_the_same_page_for_every_account() -> None:
    answers = []
    for _ in range(2):
        staff = staff_create()
        secret = totp_enrol(staff)
        browser = at_the_code_step(staff.email)
        for _ in range(settings.AXES_FAILURE_LIMIT):
            browser.post(AUTHENTICATE, {"code": wrong_code(secret)})
        answers.append(browser.post(AUTHENTICATE, {"code": totp_code(secret)}))
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(LOGIN, {"login": "nobody@example.org", "password": "guess"})
    password_lockout = Client().post(LOGIN, {"login": "nobody@example.org", "password": "guess"})

    assert [answer.status_code for answer in answers] == [429, 429]
    assert password_lockout.status_code == 429
    assert visible_text(answers[0]) == visible_text(answers[1]) == visible_text(password_lockout)


def test_wrong_codes_on_the_web_and_at_the_api_count_towards_one_lockout() -> None:
    staff = staff_create()
    secret = totp_enrol(staff)
    browser = at_the_code_step(staff.email)
    api = APIClient()

    def api_guess(code: str):  # type: ignore[no-untyped-def]
        return api.post(TOKEN, {"email": staff.email, "password": PASSWORD, "otp": code})

    answers = []
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        if attempt % 2:
            answers.append(api_guess(wrong_code(secret)).status_code)
        else:
            answers.append(browser.post(AUTHENTICATE, {"code": wrong_code(secret)}).status_code)
    assert answers == [
        400 if attempt % 2 else 200 for attempt in range(settings.AXES_FAILURE_LIMIT - 1)
    ]

    last_web_guess = browser.post(AUTHENTICATE, {"code": wrong_code(secret)})
    wait_for_fresh_period()
    api_with_the_right_code = api_guess(totp_code(secret))

    assert last_web_guess.status_code == 429
    assert api_with_the_right_code.status_code == 429
    assert "token" not in api_with_the_right_code.json()


def test_a_lockout_from_the_api_refuses_the_right_code_on_the_web() -> None:
    staff = staff_create()
    secret = totp_enrol(staff)
    browser = at_the_code_step(staff.email)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        APIClient().post(
            TOKEN, {"email": staff.email, "password": PASSWORD, "otp": wrong_code(secret)}
        )

    wait_for_fresh_period()
    right = browser.post(AUTHENTICATE, {"code": totp_code(secret)})

    assert right.status_code == 429
    assert not signed_in(browser)


def test_the_right_code_within_the_limit_signs_in_and_clears_the_count() -> None:
    staff = staff_create()
    secret = totp_enrol(staff)
    browser = at_the_code_step(staff.email)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert browser.post(AUTHENTICATE, {"code": wrong_code(secret)}).status_code == 200

    wait_for_fresh_period()
    assert browser.post(AUTHENTICATE, {"code": totp_code(secret)}).status_code == 302
    assert signed_in(browser)

    later = at_the_code_step(staff.email)
    assert later.post(AUTHENTICATE, {"code": wrong_code(secret)}).status_code == 200


def test_a_wrong_code_is_not_kept_in_the_record_of_failures() -> None:
    staff = staff_create()
    secret = totp_enrol(staff)
    guess = wrong_code(secret)

    at_the_code_step(staff.email).post(AUTHENTICATE, {"code": guess})

    attempt = AccessAttempt.objects.get(username=staff.email)
    assert attempt.failures_since_start == 1
    assert guess not in attempt.post_data


def test_guessing_codes_to_reauthenticate_locks_out_too() -> None:
    staff = staff_create()
    secret = totp_enrol(staff)
    browser = at_the_code_step(staff.email)
    wait_for_fresh_period()
    assert browser.post(AUTHENTICATE, {"code": totp_code(secret)}).status_code == 302

    answers = [
        browser.post(REAUTHENTICATE, {"code": wrong_code(secret)}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]

    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert Client().post(LOGIN, {"login": staff.email, "password": PASSWORD}).status_code == 429
