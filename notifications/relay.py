"""Relaying the outbox: each message is claimed with a lease, sent, and marked sent, once.

How "exactly once" holds, and where it cannot:

- A worker claims a message with one conditional UPDATE: pending and due, or still
  `sending` with its lease run out because its worker died. The claim counts an attempt,
  and the attempt number is the worker's fencing token: every later write of that worker
  is conditional on it, so a worker that has lost its claim can neither mark the message
  sent nor schedule a retry, and two workers never both hold one message.
- The SMTP conversation is driven step by step. Only the end of DATA (the final ".")
  hands the message over: a worker that dies, or whose connection drops, before then
  leaves nothing delivered (RFC 5321 §4.1.1.4: the server discards an unfinished mail
  transaction), and the message is claimed again by the sweep once its lease runs out.
- At the last moment before that point, after the server has said "354 go ahead", the
  worker renews its lease on its token. If another worker has claimed the message in the
  meantime it hangs up without sending; otherwise it has a whole lease for what is left.
- What remains is at least once, and SMTP alone cannot close it: once the final "." is on
  the wire, the server may accept the message while the worker dies, while the connection
  drops before the "250" reply arrives, or while the database is too busy to record it.
  The message is then sent again after the lease. The window is one round trip to the mail
  server plus one UPDATE (retried briefly if the database blips); a repeat carries the same
  Message-ID, `<outbox-<id>@caregraph>`, by which mail systems and clients recognise it.

Text messages go through GOV.UK Notify (`notifications.sms`) in one HTTP request: the lease
is renewed just before it, and the request in flight is the same at-least-once window. Its
`reference` is `outbox-<id>`, by which Notify's records show a repeat.

The lease (`OUTBOX_LEASE_SECONDS`) must be longer than one SMTP conversation can last, each
step of which is bounded by `OUTBOX_SMTP_TIMEOUT_SECONDS`, or a slow but living worker
could be overtaken. Failures that may pass (refused connection, timeout, 4xx) are retried
with exponential backoff; after `OUTBOX_MAX_ATTEMPTS`, or a permanent refusal of the
recipient or the content (an SMTP 5xx for them, Notify's 400), the message is given up as
`failed` with its last error.
"""

from __future__ import annotations

import datetime
import re
import smtplib
import time
from collections.abc import Callable

import structlog
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpEmailBackend
from django.core.mail.message import sanitize_address
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from notifications_python_client.errors import APIError

from notifications.models import OutboxChannel, OutboxMessage, OutboxState
from notifications.sms import sms_send

logger = structlog.get_logger(__name__)
# What a log line says instead of an e-mail address (logs carry ids, never addresses).
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# Defaults for the settings of the same names, which deployments may set from the environment.
OUTBOX_LEASE_SECONDS = 300
OUTBOX_SMTP_TIMEOUT_SECONDS = 30
OUTBOX_MAX_ATTEMPTS = 10
OUTBOX_RETRY_BASE_SECONDS = 30
OUTBOX_RETRY_MAX_SECONDS = 3600
# The sweep leaves fresh messages to the send task queued for them after commit for this
# long, so that a sweep does not queue a second task for every message in a busy moment.
OUTBOX_SWEEP_GRACE_SECONDS = 60
OUTBOX_SWEEP_BATCH = 500

MARK_SENT_RETRY_DELAYS = (0.5, 1.0, 2.0)
SMTP_LINE_START_DOT = re.compile(rb"(?m)^\.")
BARE_LINE_FEED = re.compile(rb"(?<!\r)\n")


class OutboxLeaseLost(Exception):
    """Another worker claimed the message while this one was still talking to the server."""


def _setting(name: str) -> int:
    return int(getattr(settings, name, globals()[name]))


def outbox_lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=_setting("OUTBOX_LEASE_SECONDS"))


def outbox_retry_delay(*, attempts: int) -> datetime.timedelta:
    """How long to wait after the given number of failed attempts: doubling, up to a cap."""
    seconds = _setting("OUTBOX_RETRY_BASE_SECONDS") * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, _setting("OUTBOX_RETRY_MAX_SECONDS")))


def outbox_reference(message_id: int) -> str:
    """Our name for an outbox message, the same on every attempt, so that a repeat shows."""
    return f"outbox-{message_id}"


def outbox_message_id_header(message_id: int) -> str:
    """The Message-ID of an outbox e-mail."""
    return f"<{outbox_reference(message_id)}@caregraph>"


def _claimable(now: datetime.datetime) -> Q:
    lease_ran_out = Q(lease_until__lt=now) | Q(lease_until__isnull=True)
    return Q(state=OutboxState.PENDING, available_at__lte=now) | Q(
        lease_ran_out, state=OutboxState.SENDING
    )


def outbox_message_claim(*, message_id: int) -> OutboxMessage | None:
    """Claims a due message for this worker: None if it is not due, done, or held by another.

    One conditional UPDATE, so that of any number of workers racing for a message exactly
    one wins. The returned message's `attempts` is the winner's fencing token.
    """
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            OutboxMessage.objects.filter(_claimable(now), pk=message_id)
            .filter(attempts__lt=_setting("OUTBOX_MAX_ATTEMPTS"))
            .update(
                state=OutboxState.SENDING,
                lease_until=now + outbox_lease(),
                attempts=F("attempts") + 1,
            )
        )
        if not claimed:
            return None
        # Read in the claiming transaction, which holds the row: these values are ours.
        return OutboxMessage.objects.get(pk=message_id)


def outbox_message_send(*, message_id: int) -> bool:
    """Claims a due message, sends it, and marks it sent; returns whether it was sent now.

    Safe to run any number of times, at once or one after another: only the worker holding
    the claim sends, and a message already sent, failed or held by another is left alone.
    An error that may pass schedules another attempt with backoff; see the module docstring
    for what happens when a worker dies on the way, and the one window that remains.
    """
    message = outbox_message_claim(message_id=message_id)
    if message is None:
        return False
    attempt = message.attempts
    try:
        _deliver(message, before_commit=lambda: _lease_renew(message.pk, attempt))
    except OutboxLeaseLost:
        logger.warning("outbox_lease_lost", message_id=message.pk, attempt=attempt)
        return False
    except smtplib.SMTPRecipientsRefused as error:
        permanent = all(code >= 500 for code, _reply in error.recipients.values())
        _attempt_failed(message.pk, attempt, error, permanent=permanent)
        return False
    except smtplib.SMTPDataError as error:
        # A 5xx after the content means it was refused for good (rejected as spam, too large).
        _attempt_failed(message.pk, attempt, error, permanent=error.smtp_code >= 500)
        return False
    except OSError as error:  # refused, timed out, disconnected, 4xx: may pass
        _attempt_failed(message.pk, attempt, error, permanent=False)
        return False
    except APIError as error:  # Notify: 400 is a number or text it will never take
        _attempt_failed(message.pk, attempt, error, permanent=error.status_code == 400)
        return False
    except ImproperlyConfigured as error:  # texts before Notify is set up: keep them
        _attempt_failed(message.pk, attempt, error, permanent=False)
        return False
    if not _mark_sent(message.pk, attempt):
        # The tail of the conversation outlasted the lease and another worker took it over.
        logger.error("outbox_sent_after_lease_lost", message_id=message.pk, attempt=attempt)
    return True


def outbox_sweep() -> list[int]:
    """The ids of the messages due for sending, after giving up on those out of attempts.

    Due: new ones that the after-commit send has had time to take (or could not, because
    the broker was down), retries whose backoff has passed, and those still `sending` whose
    lease ran out because their worker died. A message whose worker died on its last
    allowed attempt is given up as `failed`.
    """
    now = timezone.now()
    lease_ran_out = Q(lease_until__lt=now) | Q(lease_until__isnull=True)
    OutboxMessage.objects.filter(
        Q(lease_ran_out, state=OutboxState.SENDING) | Q(state=OutboxState.PENDING),
        attempts__gte=_setting("OUTBOX_MAX_ATTEMPTS"),
    ).update(
        state=OutboxState.FAILED,
        lease_until=None,
        last_error="Gave up: the worker stopped while sending, on the last attempt",
    )
    grace = datetime.timedelta(seconds=_setting("OUTBOX_SWEEP_GRACE_SECONDS"))
    due = (
        Q(state=OutboxState.PENDING, attempts=0, available_at__lte=now - grace)
        | Q(state=OutboxState.PENDING, attempts__gt=0, available_at__lte=now)
        | Q(lease_ran_out, state=OutboxState.SENDING)
    )
    return list(
        OutboxMessage.objects.filter(due)
        .order_by("available_at", "pk")
        .values_list("pk", flat=True)[: _setting("OUTBOX_SWEEP_BATCH")]
    )


def _lease_renew(message_id: int, attempt: int) -> None:
    renewed = OutboxMessage.objects.filter(
        pk=message_id, state=OutboxState.SENDING, attempts=attempt
    ).update(lease_until=timezone.now() + outbox_lease())
    if not renewed:
        raise OutboxLeaseLost(message_id)


def _mark_sent(message_id: int, attempt: int) -> bool:
    """Records the delivery, trying again for a few seconds if the database blips."""
    last_error: Exception | None = None
    for delay in (0.0, *MARK_SENT_RETRY_DELAYS):
        time.sleep(delay)
        try:
            return bool(
                OutboxMessage.objects.filter(
                    pk=message_id, state=OutboxState.SENDING, attempts=attempt
                ).update(
                    state=OutboxState.SENT,
                    sent_at=timezone.now(),
                    lease_until=None,
                    last_error="",
                )
            )
        except (OperationalError, InterfaceError) as error:
            logger.warning("outbox_mark_sent_retry", message_id=message_id, error=str(error))
            if not connection.in_atomic_block:
                connection.close()  # the next try opens a fresh connection
            last_error = error
    assert last_error is not None
    raise last_error


def _attempt_failed(message_id: int, attempt: int, error: Exception, *, permanent: bool) -> None:
    give_up = permanent or attempt >= _setting("OUTBOX_MAX_ATTEMPTS")
    description = f"{type(error).__name__}: {error}"[:1000]
    logger.warning(
        "outbox_attempt_failed",
        message_id=message_id,
        attempt=attempt,
        gave_up=give_up,
        error=ADDRESS.sub("<address>", description),  # an SMTP refusal names the recipient
    )
    now = timezone.now()
    OutboxMessage.objects.filter(pk=message_id, state=OutboxState.SENDING, attempts=attempt).update(
        state=OutboxState.FAILED if give_up else OutboxState.PENDING,
        available_at=now if give_up else now + outbox_retry_delay(attempts=attempt),
        lease_until=None,
        last_error=description,
    )


def _email_build(message: OutboxMessage) -> EmailMessage:
    return EmailMessage(
        subject=message.subject,
        body=message.body,
        to=[message.to_address],
        headers={
            "Message-ID": outbox_message_id_header(message.pk),
            "Auto-Submitted": "auto-generated",
        },
    )


def _deliver(message: OutboxMessage, *, before_commit: Callable[[], None]) -> None:
    """Sends one message; `before_commit` runs at the last moment the send can be abandoned."""
    if message.channel == OutboxChannel.SMS:
        before_commit()
        sms_send(to=message.to_address, body=message.body, reference=outbox_reference(message.pk))
    else:
        _email_deliver(message, before_commit=before_commit)


def _email_deliver(message: OutboxMessage, *, before_commit: Callable[[], None]) -> None:
    """Sends one e-mail; `before_commit` runs at the last moment the send can be abandoned."""
    email = _email_build(message)
    backend = get_connection(timeout=_setting("OUTBOX_SMTP_TIMEOUT_SECONDS"))
    if not isinstance(backend, SmtpEmailBackend):
        # Console, file and in-memory backends hand over in one step, in this process.
        before_commit()
        backend.send_messages([email])
        return
    try:
        backend.open()
    except BaseException:
        if backend.connection is not None:
            backend.connection.close()
        raise
    smtp = backend.connection
    assert smtp is not None
    try:
        _smtp_transaction(smtp, email, before_commit=before_commit)
    except BaseException:
        # No QUIT: inside DATA it would be taken as content. Dropping the connection makes
        # the server discard a transaction that has not reached its final ".".
        smtp.close()
        raise
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()  # the message was accepted; a failed goodbye changes nothing


def _smtp_transaction(
    smtp: smtplib.SMTP, email: EmailMessage, *, before_commit: Callable[[], None]
) -> None:
    """One mail transaction, step by step, so that the hand-over point is ours to guard."""
    encoding = email.encoding or settings.DEFAULT_CHARSET
    sender = sanitize_address(email.from_email, encoding)
    recipients = [sanitize_address(address, encoding) for address in email.recipients()]
    content = email.message().as_bytes(linesep="\r\n")
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused = {}
    for recipient in recipients:
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, reply)
    if refused:
        raise smtplib.SMTPRecipientsRefused(refused)
    code, reply = smtp.docmd("DATA")
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    before_commit()
    content = SMTP_LINE_START_DOT.sub(b"..", BARE_LINE_FEED.sub(b"\r\n", content))
    if not content.endswith(b"\r\n"):
        content += b"\r\n"
    smtp.send(content + b".\r\n")  # the point of no return
    code, reply = smtp.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)
