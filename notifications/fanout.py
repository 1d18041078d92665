"""Handing out notifications: one job in the change's transaction, every row after commit.

`notify` (and `notices_queue` for several notices of one change) stores whom to tell and
what as one `NotificationJob` row inside the caller's transaction, and queues a task for
after commit. The task (`notification_job_run`) writes each user's in-app notification and,
by their preference, their e-mail through the outbox: one insert per kind however many are
told. A job runs once: it is locked and marked done in the transaction that writes its rows,
and each notification and e-mail has its own unique key besides.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import structlog
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from caregraph.models import Network
from caregraph.realtime import publish_on_commit
from notifications.models import (
    Delivery,
    Notification,
    NotificationJob,
    NotificationPreference,
    OutboxChannel,
    OutboxMessage,
    OutboxState,
)
from notifications.outbox import outbox_messages_write
from notifications.selectors import SEVERITIES_ALWAYS_SENT_TO_LEADS
from notifications.services import notification_email_body, notification_unread_publish

logger = structlog.get_logger(__name__)

# A job not done this long after it was written is queued again by the sweep (its queueing
# after commit failed, or its worker died).
JOB_SWEEP_GRACE = datetime.timedelta(minutes=2)


@dataclass(frozen=True)
class Notice:
    """One thing to tell some users: that something needs attention, never what it is."""

    user_ids: frozenset[int]
    kind: str
    severity: str
    text: str
    link: str
    dedupe_key: str
    lead_ids: frozenset[int] = frozenset()

    def as_json(self) -> dict[str, object]:
        return {
            "user_ids": sorted(self.user_ids),
            "kind": self.kind,
            "severity": self.severity,
            "text": self.text,
            "link": self.link,
            "dedupe_key": self.dedupe_key,
            "lead_ids": sorted(self.lead_ids),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Notice:
        user_ids = data["user_ids"]
        lead_ids = data["lead_ids"]
        assert isinstance(user_ids, list) and isinstance(lead_ids, list)
        return cls(
            user_ids=frozenset(int(pk) for pk in user_ids),
            kind=str(data["kind"]),
            severity=str(data["severity"]),
            text=str(data["text"]),
            link=str(data["link"]),
            dedupe_key=str(data["dedupe_key"]),
            lead_ids=frozenset(int(pk) for pk in lead_ids),
        )


def notify(
    *,
    user_ids: Iterable[int],
    network: Network | None,
    kind: str,
    severity: str,
    text: str,
    link: str,
    dedupe_key: str,
    lead_ids: frozenset[int] = frozenset(),
) -> NotificationJob | None:
    """Notifies each user in-app and, by their preference, by e-mail through the outbox.

    Call it inside the transaction of the change: its job is stored with it or not at all,
    and handed out once after commit. `text` must carry no sensitive content — no names, no
    details — only that something needs attention; `link` leads to it behind sign-in. A
    repeated call with the same `dedupe_key` notifies nobody twice. Once they are told,
    each user's open pages are told their new unread count.
    """
    notice = Notice(
        user_ids=frozenset(user_ids),
        kind=kind,
        severity=severity,
        text=text,
        link=link,
        dedupe_key=dedupe_key,
        lead_ids=lead_ids,
    )
    return notices_queue(network=network, notices=[notice])


def notices_queue(*, network: Network | None, notices: Sequence[Notice]) -> NotificationJob | None:
    """Stores the notices of one change as one job in the caller's transaction and queues
    it for after commit (at once outside one); None when they tell nobody."""
    notices = [notice for notice in notices if notice.user_ids]
    if not notices:
        return None
    job = NotificationJob.objects.create(
        network=network, notices=[notice.as_json() for notice in notices]
    )
    publish_on_commit(notification_job_queue, job_id=job.pk)
    return job


def notification_job_queue(*, job_id: int) -> None:
    """Hands a committed job to a worker, by id. Never raises: the change it announces is
    committed. While the broker is away the job is handed out here instead, so that its
    e-mails wait in the outbox for the broker like any other (the sweep queues the job
    again if even that fails)."""
    from notifications.tasks import notification_job_run_task

    try:
        notification_job_run_task.delay(job_id)
    except Exception as error:
        logger.warning("notification_job_queue_failed", job=job_id, error=type(error).__name__)
        try:
            notification_job_run(job_id=job_id)
        except Exception as failure:
            logger.warning("notification_job_failed", job=job_id, error=type(failure).__name__)


def notification_job_run(*, job_id: int) -> int:
    """Writes every notification and e-mail of a job, in bulk, once; returns how many users
    were told. Safe to run twice, or at the same time: the second run finds it done."""
    with transaction.atomic():
        job = (
            NotificationJob.objects.select_for_update()
            .filter(pk=job_id, done_at__isnull=True)
            .first()
        )
        if job is None:
            return 0
        told: set[int] = set()
        for data in job.notices:
            told |= notice_write(network_id=job.network_id, notice=Notice.from_json(data))
        job.done_at = timezone.now()
        job.save(update_fields=["done_at"])
        if told:
            publish_on_commit(notification_unread_publish, user_ids=sorted(told))
    return len(told)


def notification_jobs_due() -> list[int]:
    """Jobs that should have run by now: their queueing failed or their worker died."""
    return list(
        NotificationJob.objects.filter(
            done_at__isnull=True, created_at__lte=timezone.now() - JOB_SWEEP_GRACE
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )


def notice_write(*, network_id: int | None, notice: Notice) -> set[int]:
    """Writes one notice's notifications and e-mails: one query per kind, not per user.
    Returns the ids of the users told now (not those told before under the same key)."""
    addresses = dict(User.objects.filter(pk__in=notice.user_ids).values_list("pk", "email"))
    keys = {user_id: f"{notice.dedupe_key}:user-{user_id}" for user_id in addresses}
    already = set(
        Notification.objects.filter(dedupe_key__in=keys.values()).values_list("user_id", flat=True)
    )
    users = sorted(set(keys) - already)
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=user_id,
                network_id=network_id,
                kind=notice.kind,
                severity=notice.severity,
                text=notice.text,
                link=notice.link,
                dedupe_key=keys[user_id],
            )
            for user_id in users
        ],
        ignore_conflicts=True,  # a concurrent call told them first: still once
    )
    chosen = dict(
        NotificationPreference.objects.filter(
            user_id__in=users, severity=notice.severity
        ).values_list("user_id", "delivery")
    )
    body = notification_email_body(text=notice.text, link=notice.link)
    messages = []
    for user_id in users:
        delivery: str
        if user_id in notice.lead_ids and notice.severity in SEVERITIES_ALWAYS_SENT_TO_LEADS:
            delivery = Delivery.IMMEDIATELY
        else:
            delivery = chosen.get(user_id, Delivery.IMMEDIATELY)
        address = addresses.get(user_id, "")
        if delivery == Delivery.OFF or not address:
            continue
        messages.append(
            OutboxMessage(
                user_id=user_id,
                channel=OutboxChannel.EMAIL,
                to_address=address,
                subject=notice.text,
                body=body,
                dedupe_key=f"email:{keys[user_id]}",
                state=OutboxState.HELD
                if delivery == Delivery.DAILY_DIGEST
                else OutboxState.PENDING,
            )
        )
    outbox_messages_write(messages)
    return set(users)
