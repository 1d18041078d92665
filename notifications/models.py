"""Notifications: in-app, and e-mail or SMS through a transactional outbox.

An outbox row is written in the same transaction as the change it announces; a relay sends
it afterwards. Nothing sent carries sensitive content: it says that something needs
attention and links to it behind sign-in.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Delivery(models.TextChoices):
    IMMEDIATELY = "immediately", "Straight away"
    DAILY_DIGEST = "daily_digest", "In a daily summary"
    OFF = "off", "Do not e-mail me"


# The preference (stored like a severity) for new messages in a thread the user reads.
MESSAGES_PREFERENCE = "messages"


class NotificationPreference(models.Model):
    """How one user wants to hear about concerns of one severity, or about new messages
    (`severity` is then `MESSAGES_PREFERENCE`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    severity = models.CharField(max_length=10)
    delivery = models.CharField(max_length=16, choices=Delivery.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "severity"], name="preference_per_severity")
        ]


class Notification(models.Model):
    """An in-app notification: shown in the user's list and counted live."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    network = models.ForeignKey(
        "caregraph.Network", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=40)
    severity = models.CharField(max_length=10, blank=True)
    text = models.CharField(max_length=200)
    link = models.CharField(max_length=300)
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], name="notification_once")
        ]


class OutboxChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "Text message"


class OutboxState(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    HELD = "held", "Held for the daily summary"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Gave up"


class OutboxMessage(models.Model):
    """One message to send, exactly once, written with the change it announces.

    `user` is whom it is for where they have an account: an invitation, or a sign-in e-mail
    to an address nobody uses, goes to an address alone.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox_messages",
    )
    channel = models.CharField(max_length=8, choices=OutboxChannel.choices)
    to_address = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(max_length=5000)
    dedupe_key = models.CharField(max_length=200, unique=True)
    state = models.CharField(
        max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    available_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "available_at"], name="outbox_due")]


class NotificationJob(models.Model):
    """Notifications to hand out after commit, written in the transaction of the change.

    The change stores whom to tell and what (`notices`, see `notifications.fanout`) in one
    row; after commit a task writes every notification and e-mail in bulk and marks the
    job done, so the change's own transaction does not grow with the network, and a job
    run twice tells nobody twice.
    """

    network = models.ForeignKey(
        "caregraph.Network", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    notices = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["done_at", "created_at"], name="notification_job_due")]
