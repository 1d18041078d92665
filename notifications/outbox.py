"""The outbox: the one way a message leaves Caregraph.

Every e-mail and text message (concern notifications, daily summaries, reminders,
invitations, and the sign-in library's verification and reset e-mails) is written here as
a row, in the transaction of the change it announces, and queued for sending once that
commits. A task is given the row's id, never the message or a secret in it; the relay
(`notifications.relay`) claims, sends and marks each row once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial

import structlog
from django.db import transaction

from notifications.models import OutboxChannel, OutboxMessage, OutboxState

logger = structlog.get_logger(__name__)

RELAY_BATCH = 25


def outbox_message_write(
    *,
    user_id: int | None,
    to_address: str,
    body: str,
    dedupe_key: str,
    subject: str = "",
    channel: str = OutboxChannel.EMAIL,
) -> OutboxMessage | None:
    """Writes one message inside the caller's transaction and queues it for after commit.

    A message is written once per `dedupe_key`: a second write with the same key writes and
    queues nothing, and returns None. `user_id` is whom it is for, where they have an
    account (an invitation's or an unknown address's e-mail has none).
    """
    message, created = OutboxMessage.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "user_id": user_id,
            "channel": channel,
            "to_address": to_address,
            "subject": subject,
            "body": body,
        },
    )
    if not created:
        return None
    outbox_queue(message_ids=[message.pk])
    return message


def outbox_messages_write(messages: Sequence[OutboxMessage]) -> list[int]:
    """Writes many messages in one insert inside the caller's transaction; queues the pending
    ones for after commit (held ones wait for the daily summary) and returns their ids."""
    OutboxMessage.objects.bulk_create(messages)
    queued = [message.pk for message in messages if message.state == OutboxState.PENDING]
    outbox_queue(message_ids=queued)
    return queued


def outbox_queue(*, message_ids: Iterable[int]) -> None:
    """Queues sending the messages once the caller's transaction commits (at once outside
    one); if it rolls back, they were never written."""
    ids = list(message_ids)
    if ids:
        transaction.on_commit(partial(outbox_relay_queue, message_ids=ids))


def outbox_relay_queue(*, message_ids: Iterable[int]) -> None:
    """Hands committed messages to the relay's workers, by id, a batch a task.

    Never raises: the change the messages announce is already committed, and the person who
    made it must not see an error because the broker is away. The periodic sweep queues
    whatever could not be queued here once it is back.
    """
    from notifications.tasks import outbox_send_batch_task

    ids = list(message_ids)
    for first in range(0, len(ids), RELAY_BATCH):
        batch = ids[first : first + RELAY_BATCH]
        try:
            outbox_send_batch_task.delay(batch)
        except Exception as error:
            # The broker is away: the sweep queues these and the rest once it is back, so
            # there is no point waiting on it again for every batch.
            logger.warning("outbox_queue_failed", messages=len(ids), error=type(error).__name__)
            return
