"""Sending one outbox message exactly once."""

from __future__ import annotations

import datetime

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from notifications.models import OutboxMessage, OutboxState

LEASE = datetime.timedelta(minutes=5)


def outbox_message_send(*, message_id: int) -> bool:
    """Claims a due message, sends it, and marks it sent; returns whether it was sent now.

    A claim is a lease: a worker that dies mid-send leaves the message to be claimed again
    when the lease runs out, and one that finds it already sent or claimed does nothing.
    """
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            OutboxMessage.objects.filter(
                pk=message_id, state__in=[OutboxState.PENDING, OutboxState.SENDING]
            )
            .filter(available_at__lte=now)
            .exclude(lease_until__gt=now)
            .update(state=OutboxState.SENDING, lease_until=now + LEASE)
        )
    if not claimed:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    EmailMessage(
        subject=message.subject,
        body=message.body,
        to=[message.to_address],
        headers={"Message-ID": f"<outbox-{message.pk}@caregraph>"},
    ).send()
    OutboxMessage.objects.filter(pk=message_id).update(
        state=OutboxState.SENT, sent_at=timezone.now(), attempts=message.attempts + 1
    )
    return True
