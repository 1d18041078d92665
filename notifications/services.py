"""Telling people that something needs their attention, without saying what it is."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.models import User
from caregraph.models import Network
from notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    OutboxChannel,
    OutboxMessage,
    OutboxState,
)

# Urgent concerns reach safeguarding leads whatever they chose.
SEVERITIES_ALWAYS_SENT_TO_LEADS = {"urgent"}


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


def notify(
    *,
    users: Iterable[User],
    network: Network | None,
    kind: str,
    severity: str,
    text: str,
    link: str,
    dedupe_key: str,
    lead_ids: frozenset[int] = frozenset(),
) -> int:
    """Notifies each user in-app and, by their preference, by e-mail through the outbox.

    Call it inside the transaction of the change: the outbox rows are stored with it or not
    at all, and each is sent once after commit. `text` must carry no sensitive content —
    no names, no details — only that something needs attention; `link` leads to it behind
    sign-in. A repeated call with the same `dedupe_key` notifies nobody twice.
    """
    queued: list[int] = []
    for user in users:
        key = f"{dedupe_key}:user-{user.pk}"
        try:
            with transaction.atomic():
                Notification.objects.create(
                    user=user,
                    network=network,
                    kind=kind,
                    severity=severity,
                    text=text,
                    link=link,
                    dedupe_key=key,
                )
        except IntegrityError:
            continue  # already told
        delivery = delivery_for(user=user, severity=severity, is_lead=user.pk in lead_ids)
        if delivery == Delivery.OFF or not user.email:
            continue
        message = OutboxMessage.objects.create(
            user=user,
            channel=OutboxChannel.EMAIL,
            to_address=user.email,
            subject=text,
            body=(
                f"Hello,\n\n{text}.\n\nSign in to Caregraph to see it:\n"
                f"{settings.SITE_URL.rstrip('/')}{link}\n\nCaregraph\n"
            ),
            dedupe_key=f"email:{key}",
            state=OutboxState.HELD if delivery == Delivery.DAILY_DIGEST else OutboxState.PENDING,
        )
        if message.state == OutboxState.PENDING:
            queued.append(message.pk)
    if queued:
        from notifications.tasks import outbox_relay_queue

        transaction.on_commit(lambda: outbox_relay_queue(message_ids=queued))
    return len(queued)
