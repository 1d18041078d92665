"""Relaying the outbox: each message is claimed, sent and marked, once.

Every task here takes ids (or nothing) and calls a service; each is safe to run twice.
"""

from __future__ import annotations

from celery import shared_task

from notifications.fanout import notification_job_queue, notification_job_run, notification_jobs_due
from notifications.outbox import outbox_relay_queue
from notifications.relay import outbox_message_send, outbox_sweep
from notifications.services import notification_digest_send


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
    broker was down, retries whose backoff has passed, and those whose worker died mid-send;
    and every notification job that should have run by now."""
    outbox_relay_queue(message_ids=outbox_sweep())
    for job_id in notification_jobs_due():
        notification_job_queue(job_id=job_id)


@shared_task
def notification_digest_send_task() -> None:
    notification_digest_send()


@shared_task
def notification_job_run_task(job_id: int) -> None:
    """Hands out one change's notifications after its commit; a second run tells nobody."""
    notification_job_run(job_id=job_id)
