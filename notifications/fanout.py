"""Handing out notifications: one job in the change's transaction, every row after commit.

`notify` (and `notices_queue` for several notices of one change) stores whom to tell and
what as one `NotificationJob` row inside the caller's transaction, and queues a task for
after commit. Whom to tell may be left to the job: everyone who may read a record, or only
those of some users who may (`Notice.readers_of`), as the policy says when the job runs, so
that a change's request never reads the standing of every member of a big network. The task
(`notification_job_run`) works that out once per job and writes each user's in-app
notification and, by their preference, their e-mail through the outbox: one insert per kind
however many are told. A job runs once: it is locked and marked done in the transaction that
writes its rows, and each notification and e-mail has its own unique key besides.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache

import structlog
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from caregraph.models import Network
from caregraph.policy import Viewer, network_viewers, viewers_who_may_see
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
class RecordReaders:
    """Whoever may read a record: its visibility, its author and the author's agency."""

    visibility: str
    author_id: int | None
    author_agency_id: int | None

    def as_json(self) -> list[object]:
        return [self.visibility, self.author_id, self.author_agency_id]

    @classmethod
    def from_json(cls, data: object) -> RecordReaders:
        assert isinstance(data, list) and len(data) == 3
        visibility, author_id, author_agency_id = data
        return cls(
            visibility=str(visibility),
            author_id=None if author_id is None else int(author_id),
            author_agency_id=None if author_agency_id is None else int(author_agency_id),
        )


@dataclass(frozen=True)
class Notice:
    """One thing to tell some users: that something needs attention, never what it is.

    Told are `user_ids`, and, decided when the job runs from each user's standing in the
    job's network then: everyone with a standing (`to_readers`) and the reviewing
    safeguarding leads (`to_reviewing_leads`); of those, only who may read every record of
    `readers_of`; never `except_ids`. When the job reads the standings, the reviewing leads
    count among `lead_ids`."""

    user_ids: frozenset[int]
    kind: str
    severity: str
    text: str
    link: str
    dedupe_key: str
    lead_ids: frozenset[int] = frozenset()
    readers_of: tuple[RecordReaders, ...] = ()
    to_readers: bool = False
    to_reviewing_leads: bool = False
    except_ids: frozenset[int] = frozenset()

    @property
    def needs_standing(self) -> bool:
        return bool(self.readers_of) or self.to_readers or self.to_reviewing_leads

    @property
    def may_tell_someone(self) -> bool:
        return bool(self.user_ids) or self.to_readers or self.to_reviewing_leads

    def as_json(self) -> dict[str, object]:
        return {
            "user_ids": sorted(self.user_ids),
            "kind": self.kind,
            "severity": self.severity,
            "text": self.text,
            "link": self.link,
            "dedupe_key": self.dedupe_key,
            "lead_ids": sorted(self.lead_ids),
            "readers_of": [record.as_json() for record in self.readers_of],
            "to_readers": self.to_readers,
            "to_reviewing_leads": self.to_reviewing_leads,
            "except_ids": sorted(self.except_ids),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Notice:
        user_ids, lead_ids = data["user_ids"], data["lead_ids"]
        readers_of, except_ids = data.get("readers_of", []), data.get("except_ids", [])
        assert isinstance(user_ids, list) and isinstance(lead_ids, list)
        assert isinstance(readers_of, list) and isinstance(except_ids, list)
        return cls(
            user_ids=frozenset(int(pk) for pk in user_ids),
            kind=str(data["kind"]),
            severity=str(data["severity"]),
            text=str(data["text"]),
            link=str(data["link"]),
            dedupe_key=str(data["dedupe_key"]),
            lead_ids=frozenset(int(pk) for pk in lead_ids),
            readers_of=tuple(RecordReaders.from_json(record) for record in readers_of),
            to_readers=bool(data.get("to_readers", False)),
            to_reviewing_leads=bool(data.get("to_reviewing_leads", False)),
            except_ids=frozenset(int(pk) for pk in except_ids),
        )


def notice_addressed(notice: Notice, *, viewers: Callable[[], Mapping[int, Viewer]]) -> Notice:
    """The notice with whom it tells and its leads worked out: plain `user_ids` and
    `lead_ids`. `viewers` gives the standings in the job's network (read once per job)."""
    if not notice.needs_standing:
        return replace(notice, user_ids=notice.user_ids - notice.except_ids)
    standing = viewers()
    leads = {user_id for user_id, viewer in standing.items() if viewer.is_reviewing_lead}
    users = set(notice.user_ids)
    if notice.to_readers:
        users |= set(standing)
    if notice.to_reviewing_leads:
        users |= leads
    for record in notice.readers_of:
        users &= viewers_who_may_see(
            standing,
            visibility=record.visibility,
            author_id=record.author_id,
            author_agency_id=record.author_agency_id,
        )
    return replace(
        notice,
        user_ids=frozenset(users - notice.except_ids),
        lead_ids=notice.lead_ids | leads,
        readers_of=(),
        to_readers=False,
        to_reviewing_leads=False,
        except_ids=frozenset(),
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
    notices = [notice for notice in notices if notice.may_tell_someone]
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
        network_id = job.network_id

        @cache
        def viewers() -> Mapping[int, Viewer]:
            assert network_id is not None, "a notice decided by standing needs its network"
            return network_viewers(network_id=network_id)

        told: set[int] = set()
        for data in job.notices:
            notice = notice_addressed(Notice.from_json(data), viewers=viewers)
            told |= notice_write(network_id=network_id, notice=notice)
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
