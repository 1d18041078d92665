"""Relaying the outbox: each message is claimed, sent and marked, once."""

from __future__ import annotations

import structlog
from celery import shared_task

from notifications.services_outbox import outbox_message_send

logger = structlog.get_logger(__name__)


@shared_task
def outbox_send_task(message_id: int) -> None:
    outbox_message_send(message_id=message_id)


def outbox_relay_queue(*, message_ids: list[int]) -> None:
    """Queues sending after commit; if the broker is down, the periodic sweep sends later."""
    for message_id in message_ids:
        try:
            outbox_send_task.delay(message_id)
        except Exception as error:
            logger.warning("outbox_queue_failed", message_id=message_id, error=type(error).__name__)
