"""Your details: the name members see, a mobile number proved by a texted code (so text
reminders can be chosen), and a change of e-mail address verified through the outbox.

Only the HTTP request to GOV.UK Notify is stood in for; the outbox and relay are real.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from typing import Any
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from accounts.models import PhoneVerification, User
from notifications.models import OutboxChannel, OutboxMessage
from notifications.phone import (
    CODE_ATTEMPTS,
    CODES_PER_HOUR,
    phone_verification_confirm,
    phone_verification_start,
)
from tests.factories import UserFactory
from tests.frontend.conftest import error_summary, signed_in, text

pytestmark = pytest.mark.django_db

MOBILE = "07911 123456"
MOBILE_E164 = "+447911123456"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def notify(settings: Any) -> Any:
    """GOV.UK Notify configured, with its HTTP API answered here: yields the mock, whose
    calls are the texts that would have left."""
    settings.NOTIFY_API_KEY = f"caregraph_test-{uuid.uuid4()}-{uuid.uuid4()}"
    settings.NOTIFY_SMS_TEMPLATE_ID = str(uuid.uuid4())
    answered = mock.Mock(status_code=201)
    answered.json.return_value = {"id": str(uuid.uuid4())}
    with mock.patch("requests.Session.request", return_value=answered) as network:
        yield network


def _texts(network: Any) -> list[dict[str, Any]]:
    return [json.loads(call.kwargs["data"]) for call in network.call_args_list]


def _code_texted(network: Any) -> str:
    body = _texts(network)[-1]["personalisation"]["body"]
    match = re.search(r"\b(\d{6})\b", body)
    assert match, body
    return match.group(1)


@pytest.fixture
def carer() -> User:
    return UserFactory.create(display_name="Grace Thompson", email="grace@example.org")


def test_a_user_changes_the_name_members_see(carer: User) -> None:
    client = signed_in(carer)
    page = client.get("/your-details/")
    assert 'href="/your-details/"' in page.content.decode()  # in the header's menu
    assert "Name Grace Thompson" in text(page)

    empty = client.post("/your-details/name/", {"display_name": "   "})
    assert "Enter your name" in error_summary(empty)

    saved = client.post("/your-details/name/", {"display_name": "Grace  T. Thompson"}, follow=True)
    assert "Your name is saved." in text(saved)
    carer.refresh_from_db()
    assert carer.display_name == "Grace T. Thompson"


def test_a_mobile_number_is_proved_by_a_texted_code_then_text_reminders_can_be_chosen(
    carer: User, notify: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(carer)
    reminders = {"channel": "sms", "minutes_before": "60"}

    # No number yet: text reminders cannot be chosen.
    refused = client.post("/calendar/settings/", reminders)
    assert "confirm it with the code we text you" in error_summary(refused)

    landline = client.post("/your-details/mobile/", {"phone": "020 7946 0000"})
    assert "Enter a mobile phone number" in error_summary(landline)
    assert not _texts(notify)

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/your-details/mobile/", {"phone": MOBILE}, follow=True)
    assert "We have texted you a code" in text(sent)
    assert "We texted a code to 07911 123456" in text(sent)
    [texted] = _texts(notify)
    assert texted["phone_number"] == MOBILE_E164
    code = _code_texted(notify)
    # Only a hash of the code is kept.
    assert code not in PhoneVerification.objects.get(user=carer).code_hash

    # A number waiting for its code does not get texts yet.
    assert "confirm it" in error_summary(client.post("/calendar/settings/", reminders))

    wrong = "000000" if code != "000000" else "111111"
    mistaken = client.post("/your-details/mobile/confirm/", {"code": wrong})
    assert f"That code is not right. You can try {CODE_ATTEMPTS - 1} more times" in error_summary(
        mistaken
    )
    assert "The code must be 6 numbers" in error_summary(
        client.post("/your-details/mobile/confirm/", {"code": "12ab"})
    )

    confirmed = client.post("/your-details/mobile/confirm/", {"code": code}, follow=True)
    assert "Your mobile number is confirmed" in text(confirmed)
    assert "Mobile number 07911 123456 Confirmed" in text(confirmed)
    carer.refresh_from_db()
    assert str(carer.phone) == MOBILE_E164 and carer.phone_verified_at is not None
    # The sent text kept in the outbox no longer holds the code.
    assert code not in OutboxMessage.objects.get(user=carer, channel=OutboxChannel.SMS).body

    chosen = client.post("/calendar/settings/", reminders, follow=True)
    assert "You are reminded by text message, 1 hour before." in text(chosen)

    # Removing the number takes texts away again.
    client.post("/your-details/mobile/remove/")
    assert "confirm it" in error_summary(client.post("/calendar/settings/", reminders))


def test_a_code_expires_runs_out_of_tries_and_codes_are_rationed(
    carer: User, notify: Any, django_capture_on_commit_callbacks: Any
) -> None:
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        phone_verification_start(user=carer, phone=MOBILE, now=start)
    code = _code_texted(notify)

    with pytest.raises(Exception, match="That code has expired"):
        phone_verification_confirm(
            user=carer, code=code, now=start + datetime.timedelta(minutes=11)
        )

    with django_capture_on_commit_callbacks(execute=True):
        phone_verification_start(user=carer, phone=MOBILE)
    code = _code_texted(notify)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(CODE_ATTEMPTS - 1):
        with pytest.raises(Exception, match="That code is not right"):
            phone_verification_confirm(user=carer, code=wrong)
    with pytest.raises(Exception, match="too many wrong codes"):
        phone_verification_confirm(user=carer, code=wrong)
    with pytest.raises(Exception, match="too many wrong codes"):
        phone_verification_confirm(user=carer, code=code)  # the right one, too late
    carer.refresh_from_db()
    assert carer.phone_verified_at is None

    for _ in range(CODES_PER_HOUR - 2):
        phone_verification_start(user=carer, phone=MOBILE)
    refused = signed_in(carer).post("/your-details/mobile/", {"phone": MOBILE})
    assert "You have asked for too many codes" in error_summary(refused)
    sent = OutboxMessage.objects.filter(user=carer, channel=OutboxChannel.SMS).count()
    assert sent == CODES_PER_HOUR


def test_without_notify_a_number_cannot_be_added(carer: User, settings: Any) -> None:
    settings.NOTIFY_API_KEY = ""
    page = text(signed_in(carer).get("/your-details/"))
    assert "Text messages are not set up on this service" in page
    refused = signed_in(carer).post("/your-details/mobile/", {"phone": MOBILE})
    assert "Text messages are not set up" in error_summary(refused)
    assert not OutboxMessage.objects.exists()


def test_a_new_email_address_is_verified_through_the_outbox_before_it_is_used(
    carer: User,
) -> None:
    client = signed_in(carer)
    assert 'href="/account/email/"' in client.get("/your-details/").content.decode()

    asked = client.post(
        "/account/email/", {"email": "grace.new@example.org", "action_add": ""}, follow=True
    )
    assert "Changing to grace.new@example.org" in text(asked)
    carer.refresh_from_db()
    assert carer.email == "grace@example.org"  # until the link is followed

    [message] = OutboxMessage.objects.filter(to_address="grace.new@example.org")
    assert message.channel == OutboxChannel.EMAIL
    link = re.search(r"https?://[^/\s]+(/account/confirm-email/[^\s]+/)", message.body)
    assert link, message.body
    client.post(link.group(1))

    carer.refresh_from_db()
    assert carer.email == "grace.new@example.org"
    assert list(EmailAddress.objects.filter(user=carer).values_list("email", "verified")) == [
        ("grace.new@example.org", True)
    ]
    signing_in = Client().post(
        "/account/login/",
        {"login": "grace.new@example.org", "password": "correct-horse-battery-staple"},
    )
    assert signing_in.status_code == 302
