"""Reading a user's notifications and how they want to hear about things."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from caregraph.models import Severity
from notifications.models import (
    MESSAGES_PREFERENCE,
    Delivery,
    Notification,
    NotificationPreference,
)

# Urgent concerns reach safeguarding leads straight away, whatever they chose.
SEVERITIES_ALWAYS_SENT_TO_LEADS = frozenset({Severity.URGENT.value})


def notification_list_for(*, user: User) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_get_for_user(*, user: User, notification_id: int | str) -> Notification:
    """One of the user's own notifications; the same 404 for "not there" and "not yours"."""
    try:
        return Notification.objects.get(pk=int(notification_id), user=user)
    except (Notification.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such notification") from missing


def notification_preferences_for(*, user: User) -> dict[str, str]:
    """How the user hears about concerns of each severity, and about new messages: their
    choice, or straight away."""
    chosen = dict(
        NotificationPreference.objects.filter(user=user).values_list("severity", "delivery")
    )
    topics = [*Severity.values, MESSAGES_PREFERENCE]
    return {topic: chosen.get(topic, Delivery.IMMEDIATELY) for topic in topics}
