"""The outbox relay against a real SMTP server: once, retried with backoff, given up at last."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone
from notifications_python_client.errors import HTTPError

from accounts.models import User
from notifications.models import OutboxChannel, OutboxMessage, OutboxState
from notifications.relay import outbox_message_send, outbox_sweep
from tests.factories import UserFactory
from tests.notifications.smtp import SmtpServer


def outbox_message_make(user: User | None = None, **fields: Any) -> OutboxMessage:
    """An e-mail waiting in the outbox, as `notify` leaves it inside the change's transaction."""
    user = user or UserFactory.create()
    values: dict[str, Any] = {
        "channel": OutboxChannel.EMAIL,
        "to_address": user.email,
        "subject": "A new concern was raised in a network you belong to",
        "body": "Hello,\n\nSign in to see it:\nhttp://127.0.0.1:8000/\n",
        "dedupe_key": f"test:{user.pk}:{OutboxMessage.objects.count()}",
    }
    return OutboxMessage.objects.create(user=user, **{**values, **fields})


def refreshed(message: OutboxMessage) -> OutboxMessage:
    message.refresh_from_db()
    return message


def make_due(message: OutboxMessage) -> None:
    """As if the backoff had passed."""
    OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now())


def in_threads(*targets: Callable[[], Any]) -> list[Any]:
    """Runs each target in its own thread (own database connection); returns their results."""
    results: list[Any] = [None] * len(targets)
    errors: list[BaseException] = []

    def run(index: int, target: Callable[[], Any]) -> None:
        try:
            results[index] = target()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    if errors:
        raise errors[0]
    return results


@pytest.mark.django_db
def test_a_message_is_sent_with_its_own_message_id_and_marked_sent(mail: SmtpServer) -> None:
    message = outbox_message_make()

    assert outbox_message_send(message_id=message.pk) is True

    (received,) = mail.received
    assert received.message_id == f"<outbox-{message.pk}@caregraph>"
    assert received.rcpt_tos == (message.to_address,)
    assert received.message["Auto-Submitted"] == "auto-generated"
    message = refreshed(message)
    assert (message.state, message.attempts, message.lease_until) == (OutboxState.SENT, 1, None)
    assert message.sent_at is not None


@pytest.mark.django_db
def test_sending_a_sent_message_again_sends_nothing(mail: SmtpServer) -> None:
    message = outbox_message_make()
    outbox_message_send(message_id=message.pk)

    assert outbox_message_send(message_id=message.pk) is False
    assert len(mail.received) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_message_at_once_send_it_once(mail: SmtpServer) -> None:
    message = outbox_message_make()
    mail.behaviour.delay_data, mail.behaviour.delay_seconds = 1, 0.5  # a slow server
    start = threading.Barrier(2)

    def worker() -> bool:
        start.wait(5)
        return outbox_message_send(message_id=message.pk)

    results = in_threads(worker, worker)

    assert sorted(results) == [False, True]
    assert len(mail.with_message_id(f"<outbox-{message.pk}@caregraph>")) == 1
    assert len(mail.to(message.to_address)) == 1
    assert refreshed(message).attempts == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_overtaken_while_waiting_for_the_server_hangs_up_without_sending(
    settings: Any, mail: SmtpServer
) -> None:
    """Worker A's lease runs out while the server makes it wait for "354"; the sweep hands
    the message to worker B, which sends it. A, answered at last, must not send it too."""
    settings.OUTBOX_LEASE_SECONDS = 1
    message = outbox_message_make()
    mail.behaviour.delay_data, mail.behaviour.delay_seconds = 1, 3.0

    def worker_a() -> bool:
        return outbox_message_send(message_id=message.pk)

    def worker_b() -> bool:
        assert mail.behaviour.data_started.wait(10)
        threading.Event().wait(1.5)  # A's lease runs out
        assert outbox_sweep() == [message.pk]
        return outbox_message_send(message_id=message.pk)

    a_sent, b_sent = in_threads(worker_a, worker_b)

    assert (a_sent, b_sent) == (False, True)
    threading.Event().wait(0.5)
    assert len(mail.with_message_id(f"<outbox-{message.pk}@caregraph>")) == 1
    message = refreshed(message)
    assert (message.state, message.attempts) == (OutboxState.SENT, 2)


@pytest.mark.django_db
def test_mail_server_down_retries_later_with_backoff_then_sends_once(
    settings: Any, mail: SmtpServer
) -> None:
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    message = outbox_message_make()
    mail.stop()

    before = timezone.now()
    assert outbox_message_send(message_id=message.pk) is False
    message = refreshed(message)
    assert (message.state, message.attempts) == (OutboxState.PENDING, 1)
    assert "Connection refused" in message.last_error or "ConnectionRefused" in message.last_error
    assert message.available_at >= before + datetime.timedelta(seconds=30)
    # Not due yet: neither a send nor the sweep touches it.
    assert outbox_message_send(message_id=message.pk) is False
    assert outbox_sweep() == []

    make_due(message)
    assert outbox_message_send(message_id=message.pk) is False
    second = refreshed(message)
    assert second.attempts == 2
    assert second.available_at >= timezone.now() + datetime.timedelta(seconds=59)

    mail.start()
    make_due(message)
    assert outbox_message_send(message_id=message.pk) is True
    assert len(mail.received) == 1
    message = refreshed(message)
    assert (message.state, message.attempts, message.last_error) == (OutboxState.SENT, 3, "")


@pytest.mark.django_db
def test_a_server_that_never_answers_times_out_and_is_tried_again(
    settings: Any, mail: SmtpServer
) -> None:
    settings.OUTBOX_SMTP_TIMEOUT_SECONDS = 1
    mail.behaviour.greet = False
    message = outbox_message_make()

    assert outbox_message_send(message_id=message.pk) is False

    message = refreshed(message)
    assert message.state == OutboxState.PENDING
    assert "timed out" in message.last_error
    assert message.available_at > timezone.now()


@pytest.mark.django_db
def test_after_the_last_attempt_the_message_is_given_up_with_its_error(
    settings: Any, mail: SmtpServer
) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = outbox_message_make()
    mail.stop()

    outbox_message_send(message_id=message.pk)
    make_due(message)
    outbox_message_send(message_id=message.pk)

    message = refreshed(message)
    assert (message.state, message.attempts) == (OutboxState.FAILED, 2)
    assert message.last_error
    mail.start()
    make_due(message)
    assert outbox_sweep() == []
    assert outbox_message_send(message_id=message.pk) is False
    assert mail.received == []


@pytest.mark.django_db
def test_a_recipient_the_server_refuses_for_good_is_given_up_at_once(mail: SmtpServer) -> None:
    mail.behaviour.rcpt_reply = "550 5.1.1 No such mailbox"
    message = outbox_message_make()

    assert outbox_message_send(message_id=message.pk) is False

    message = refreshed(message)
    assert (message.state, message.attempts) == (OutboxState.FAILED, 1)
    assert "No such mailbox" in message.last_error


@pytest.mark.django_db
def test_the_log_of_a_refused_recipient_names_no_address(
    mail: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    # Found by the scan of the test run's logs (tests/log_scan.py).
    mail.behaviour.rcpt_reply = "550 5.1.1 No such mailbox"
    message = outbox_message_make()

    outbox_message_send(message_id=message.pk)

    assert "outbox_attempt_failed" in caplog.text
    assert "No such mailbox" in caplog.text
    assert message.to_address not in caplog.text


@pytest.mark.django_db
def test_a_temporary_refusal_of_the_content_is_retried(mail: SmtpServer) -> None:
    mail.behaviour.data_reply = "451 4.3.0 Try again later"
    message = outbox_message_make()

    assert outbox_message_send(message_id=message.pk) is False
    assert refreshed(message).state == OutboxState.PENDING

    mail.behaviour.data_reply = ""
    make_due(message)
    assert outbox_message_send(message_id=message.pk) is True
    assert len(mail.received) == 1


@pytest.mark.django_db
def test_the_sweep_finds_what_is_due_and_takes_back_what_a_dead_worker_held(
    settings: Any,
) -> None:
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 60
    settings.OUTBOX_MAX_ATTEMPTS = 3
    now = timezone.now()
    long_ago = now - datetime.timedelta(minutes=5)
    missed = outbox_message_make(created_at=long_ago, available_at=long_ago)
    fresh = outbox_message_make()  # its after-commit send is on the way
    retry_due = outbox_message_make(attempts=1, available_at=now)
    later = outbox_message_make(available_at=now + datetime.timedelta(minutes=5))
    held = outbox_message_make(state=OutboxState.HELD, available_at=long_ago)
    in_flight = outbox_message_make(
        state=OutboxState.SENDING, attempts=1, lease_until=now + datetime.timedelta(minutes=1)
    )
    orphaned = outbox_message_make(
        state=OutboxState.SENDING, attempts=1, lease_until=now - datetime.timedelta(seconds=1)
    )
    orphaned_last = outbox_message_make(
        state=OutboxState.SENDING, attempts=3, lease_until=now - datetime.timedelta(seconds=1)
    )

    due = outbox_sweep()

    assert set(due) == {missed.pk, retry_due.pk, orphaned.pk}
    assert {fresh.pk, later.pk, held.pk, in_flight.pk}.isdisjoint(due)
    orphaned_last = refreshed(orphaned_last)
    assert orphaned_last.state == OutboxState.FAILED
    assert "stopped while sending" in orphaned_last.last_error


def notify_error(status: int) -> HTTPError:
    response = requests.Response()
    response.status_code = status
    return HTTPError(response)


@pytest.mark.django_db
def test_a_text_goes_once_through_notify_with_our_reference() -> None:
    user = UserFactory.create()
    message = outbox_message_make(user, channel=OutboxChannel.SMS, to_address="+447700900123")
    # GOV.UK Notify is outside this machine: its client is the one thing stood in for.
    with mock.patch("notifications.relay.sms_send") as notify_api:
        assert outbox_message_send(message_id=message.pk) is True
        assert outbox_message_send(message_id=message.pk) is False

    notify_api.assert_called_once_with(
        to="+447700900123", body=message.body, reference=f"outbox-{message.pk}"
    )
    assert refreshed(message).state == OutboxState.SENT


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("error", "state"),
    [
        (notify_error(503), OutboxState.PENDING),
        (notify_error(429), OutboxState.PENDING),
        (notify_error(400), OutboxState.FAILED),
        (ImproperlyConfigured("NOTIFY_API_KEY is needed"), OutboxState.PENDING),
    ],
)
def test_a_text_notify_cannot_take_now_is_retried_and_one_it_never_will_is_given_up(
    error: Exception, state: str
) -> None:
    message = outbox_message_make(channel=OutboxChannel.SMS, to_address="+447700900123")
    with mock.patch("notifications.relay.sms_send", side_effect=error):
        assert outbox_message_send(message_id=message.pk) is False

    message = refreshed(message)
    assert (message.state, message.attempts) == (state, 1)
    assert message.last_error
