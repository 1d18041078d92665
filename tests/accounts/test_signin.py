"""Signing in, locking out, and what a wrong or malformed answer shows."""

import re

import pytest
from allauth.account.models import EmailAddress
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

LOGIN = "/account/login/"
pytestmark = pytest.mark.django_db


def sign_in(client: Client, email: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"login": email, "password": password})


def visible_text(response) -> str:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_family_member_signs_in_with_email_and_password(client: Client) -> None:
    user = UserFactory.create(email="carer@example.org")

    response = sign_in(client, "Carer@Example.org", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert user.display_name in home.content.decode()


def test_passwords_are_stored_with_argon2(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = UserFactory.create()
    assert User.objects.get(pk=user.pk).password.startswith("argon2")


def test_wrong_password_and_unknown_email_get_the_same_answer(client: Client) -> None:
    UserFactory.create(email="known@example.org")

    wrong_password = sign_in(client, "known@example.org", "not-the-password")
    unknown_email = sign_in(Client(), "nobody@example.org", "not-the-password")

    assert wrong_password.status_code == unknown_email.status_code == 200
    assert "There is a problem" in wrong_password.content.decode()
    assert visible_text(wrong_password).replace("known@example.org", "X") == visible_text(
        unknown_email
    ).replace("nobody@example.org", "X")


def test_repeated_wrong_passwords_lock_the_account(client: Client) -> None:
    UserFactory.create(email="target@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "target@example.org", "guess").status_code == 200
    assert sign_in(client, "target@example.org", "guess").status_code == 429

    locked = sign_in(Client(), "target@example.org", PASSWORD)  # even the right password

    assert locked.status_code == 429
    assert "You cannot sign in at the moment" in locked.content.decode()
    assert "_auth_user_id" not in Client().session
    assert AccessAttempt.objects.filter(username="target@example.org").exists()


def test_lockout_does_not_reveal_whether_the_email_exists(client: Client) -> None:
    UserFactory.create(email="exists@example.org")
    for email in ("exists@example.org", "ghost@example.org"):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, email, "guess")

    existing = sign_in(Client(), "exists@example.org", "guess")
    unknown = sign_in(Client(), "ghost@example.org", "guess")

    assert existing.status_code == unknown.status_code == 429
    assert visible_text(existing) == visible_text(unknown)


def test_another_account_is_not_locked_by_someone_elses_failures(client: Client) -> None:
    UserFactory.create(email="target@example.org")
    UserFactory.create(email="colleague@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "target@example.org", "guess")

    assert sign_in(client, "colleague@example.org", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-email", "Enter a valid email address"),
        ("a" * 250 + "@example.org", "Enter an email address of 254 characters or fewer"),
        ("", "Enter your email address"),
    ],
)
def test_malformed_email_is_named_in_the_error_summary(
    client: Client, email: str, message: str
) -> None:
    response = sign_in(client, email, "whatever-password")

    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert 'href="#id_login"' in html
    assert message in html
    assert "<title>Error:" in html


def test_unverified_email_is_sent_a_verification_link(  # type: ignore[no-untyped-def]
    client: Client, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    UserFactory.create(email="new@example.org", email_verified=False)

    # The e-mail leaves through the outbox once the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(client, "new@example.org", PASSWORD)

    assert response.status_code == 302
    assert "confirm-email" in response["Location"]
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new@example.org"]
    link = re.search(r"http://testserver(/account/confirm-email/[^\s]+)", mailoutbox[0].body)
    assert link
    assert client.get("/").status_code == 302  # not signed in until verified

    client.post(link.group(1))

    assert sign_in(Client(), "new@example.org", PASSWORD).status_code == 302
    assert EmailAddress.objects.get(email="new@example.org").verified


def test_sign_up_is_closed(client: Client) -> None:
    response = client.post(
        "/account/signup/",
        {"email": "walk-in@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert not User.objects.filter(email="walk-in@example.org").exists()
    assert "invitation" in response.content.decode().lower()
