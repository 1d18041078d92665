"""Relaying the outbox: each message is claimed, sent and marked, once.

Every task here takes ids (or nothing) and calls a service; each is safe to run twice.
"""

from __future__ import annotations

from collections.abc import Iterable

import structlog
from celery import shared_task

from notifications.services import notification_digest_send
from notifications.services_outbox import outbox_message_send, outbox_sweep

logger = structlog.get_logger(__name__)


RELAY_BATCH = 25


@shared_task
def outbox_send_task(message_id: int) -> None:
    outbox_message_send(message_id=message_id)


@shared_task
def outbox_send_batch_task(message_ids: list[int]) -> None:
    """Sends a few messages in turn; each is claimed on its own, so a retry resends none."""
    for message_id in message_ids:
        outbox_message_send(message_id=message_id)


@shared_task
def outbox_sweep_task() -> None:
    """Queues every message that is due: those whose queueing after commit failed while the
    broker was down, retries whose backoff has passed, and those whose worker died mid-send."""
    outbox_relay_queue(message_ids=outbox_sweep())


@shared_task
def notification_digest_send_task() -> None:
    notification_digest_send()


def outbox_relay_queue(*, message_ids: Iterable[int]) -> None:
    """Queues sending after commit; if the broker is down, the periodic sweep sends later.

    Never raises: the change the messages announce is already committed, and the person
    who made it must not see an error because Redis is away.
    """
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
