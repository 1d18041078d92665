"""Telling people that something needs their attention, without saying what it is."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from caregraph.models import Severity
from caregraph.policy import user_is_safeguarding_lead
from caregraph.realtime import notice_publish, publish_on_commit
from notifications.models import (
    MESSAGES_PREFERENCE,
    Delivery,
    Notification,
    NotificationPreference,
    OutboxChannel,
    OutboxMessage,
    OutboxState,
)
from notifications.outbox import outbox_message_write
from notifications.selectors import SEVERITIES_ALWAYS_SENT_TO_LEADS

# What a page script receives on `/ws/notices/` when the unread count changes: a notice
# whose `text` is this JSON, e.g. {"kind": "notifications.unread", "unread": 3}.
UNREAD_NOTICE_KIND = "notifications.unread"


def _site_link(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def delivery_for(*, user: User, severity: str, is_lead: bool) -> str:
    """How this user hears about a concern of this severity: their choice, or straight away."""
    if is_lead and severity in SEVERITIES_ALWAYS_SENT_TO_LEADS:
        return Delivery.IMMEDIATELY
    chosen = (
        NotificationPreference.objects.filter(user=user, severity=severity)
        .values_list("delivery", flat=True)
        .first()
    )
    return chosen or Delivery.IMMEDIATELY


def notification_email_body(*, text: str, link: str, what: str = "it") -> str:
    """An e-mail that says only that something needs attention, and where to sign in."""
    return (
        f"Hello,\n\n{text}.\n\nSign in to Caregraph to see {what}:\n{_site_link(link)}\n\n"
        f"To change which e-mails you get, go to:\n"
        f"{_site_link(reverse('notification_preferences'))}\n\nCaregraph\n"
    )


def notification_unread_publish(*, user_ids: Iterable[int]) -> None:
    """Tells each user's open pages their unread count (call after commit).

    The notice's text is JSON, `{"kind": "notifications.unread", "unread": <count>}`.
    """
    user_ids = list(user_ids)
    counts = dict(
        Notification.objects.filter(user_id__in=user_ids, read_at__isnull=True)
        .values("user_id")
        .annotate(unread=Count("pk"))
        .values_list("user_id", "unread")
    )
    for user_id in user_ids:
        notice_publish(
            user_id=user_id,
            text=json.dumps({"kind": UNREAD_NOTICE_KIND, "unread": counts.get(user_id, 0)}),
        )


def notification_mark_read(*, notification: Notification) -> Notification:
    """Marks one notification read, the first time it is opened."""
    if notification.read_at is None:
        with transaction.atomic():
            Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
                read_at=timezone.now()
            )
            publish_on_commit(notification_unread_publish, user_ids=[notification.user_id])
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notification_mark_all_read(*, user: User) -> int:
    """Marks all the user's notifications read; returns how many were unread."""
    with transaction.atomic():
        marked = Notification.objects.filter(user=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        publish_on_commit(notification_unread_publish, user_ids=[user.pk])
    return marked


def notification_preference_set(*, user: User, severity: str, delivery: str) -> None:
    """Sets how the user hears about concerns of one severity, or about new messages
    (`severity` is then `MESSAGES_PREFERENCE`).

    Safeguarding leads get urgent concerns straight away: they can neither switch them off
    nor move them to the daily summary.
    """
    if severity not in Severity.values and severity != MESSAGES_PREFERENCE:
        raise ValidationError({"severity": ["Choose how serious the concerns are"]})
    if delivery not in Delivery.values:
        raise ValidationError({"delivery": ["Choose how you want to hear about these concerns"]})
    if (
        severity in SEVERITIES_ALWAYS_SENT_TO_LEADS
        and delivery != Delivery.IMMEDIATELY
        and user_is_safeguarding_lead(user=user)
    ):
        raise ValidationError(
            {"delivery": ["Safeguarding leads must get urgent concerns straight away"]}
        )
    NotificationPreference.objects.update_or_create(
        user=user, severity=severity, defaults={"delivery": delivery}
    )


def notification_digest_subject(count: int) -> str:
    noun = "notification" if count == 1 else "notifications"
    return f"You have {count} new {noun} in Caregraph"


def notification_digest_send() -> int:
    """Gathers each user's held e-mails into one daily summary; returns how many were made.

    The summary says only how many notifications are waiting and links to the list behind
    sign-in; it goes through the outbox like any other message, and the held messages it
    stands for are marked sent with it. Safe to run twice: each held message is gathered
    once, and one that arrives meanwhile waits for the next summary.
    """
    user_ids = list(
        OutboxMessage.objects.filter(state=OutboxState.HELD, channel=OutboxChannel.EMAIL)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )
    made = 0
    for user_id in user_ids:
        with transaction.atomic():
            held = list(
                OutboxMessage.objects.select_for_update()
                .filter(user_id=user_id, state=OutboxState.HELD, channel=OutboxChannel.EMAIL)
                .order_by("pk")
                .values_list("pk", "to_address")
            )
            if not held:
                continue  # gathered by a summary running at the same time
            held_ids = [pk for pk, _address in held]
            subject = notification_digest_subject(len(held_ids))
            list_link = reverse("notification_list")
            outbox_message_write(
                user_id=user_id,
                to_address=held[-1][1],
                subject=subject,
                body=notification_email_body(text=subject, link=list_link, what="them"),
                dedupe_key=f"digest:user-{user_id}:upto-{held_ids[-1]}",
            )
            OutboxMessage.objects.filter(pk__in=held_ids).update(
                state=OutboxState.SENT, sent_at=timezone.now()
            )
        made += 1
    return made
