"""Password reset: a link by e-mail, a clear error for a bad new password, nothing half-saved."""

import re

import pytest
from django.test import Client

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def reset_link(client: Client, email: str, mailoutbox, relayed) -> str:  # type: ignore[no-untyped-def]
    # The e-mail leaves through the outbox once the request's transaction commits.
    with relayed(execute=True):
        client.post("/account/password/reset/", {"email": email})
    assert len(mailoutbox) == 1
    match = re.search(r"http://testserver(/account/password/reset/key/[^\s]+)", mailoutbox[0].body)
    assert match
    # The first visit trades the key in the link for a session-held one and redirects.
    response = client.get(match.group(1))
    return response["Location"] if response.status_code == 302 else match.group(1)


def test_reset_by_email_sets_a_new_password(
    client: Client, mailoutbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory.create(email="forgetful@example.org")
    form_url = reset_link(
        client, "forgetful@example.org", mailoutbox, django_capture_on_commit_callbacks
    )

    response = client.post(
        form_url, {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase")


def test_mismatched_new_passwords_change_nothing(
    client: Client, mailoutbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory.create(email="forgetful@example.org")
    form_url = reset_link(
        client, "forgetful@example.org", mailoutbox, django_capture_on_commit_callbacks
    )

    response = client.post(
        form_url, {"password1": "a-brand-new-passphrase", "password2": "something-else-entirely"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert 'href="#id_password2"' in html
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


def test_reset_for_an_unknown_email_says_the_same_as_for_a_known_one(mailoutbox) -> None:  # type: ignore[no-untyped-def]
    UserFactory.create(email="known@example.org")
    known = Client().post("/account/password/reset/", {"email": "known@example.org"})
    unknown = Client().post("/account/password/reset/", {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
