"""Messages between the members of a network: threads, their participants, the messages and
each reader's place in each thread. Who may read what is `caregraph.policy.messages`."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from caregraph.policy import THREAD_FOR_CHOSEN, THREAD_FOR_NETWORK

SUBJECT_MAX = 120
MESSAGE_MAX = 5000


class ThreadAudience(models.TextChoices):
    NETWORK = THREAD_FOR_NETWORK, "Everyone in the network"
    CHOSEN = THREAD_FOR_CHOSEN, "Only the people I choose"


class Thread(models.Model):
    """A conversation with a subject, for the whole network or for chosen people."""

    network = models.ForeignKey(
        "caregraph.Network", on_delete=models.CASCADE, related_name="message_threads"
    )
    subject = models.CharField(max_length=SUBJECT_MAX)
    audience = models.CharField(max_length=16, choices=ThreadAudience.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["network", "-last_message_at"], name="thread_newest_activity")
        ]


class ThreadParticipant(models.Model):
    """One person a thread for chosen people is for. A thread for the whole network has
    none: its readers are the network's members as they are now."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="thread_participant_once")
        ]


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(max_length=MESSAGE_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["thread", "id"], name="message_in_thread")]


class ThreadReadState(models.Model):
    """How far one reader has read one thread: every message up to `last_read_message_id`.
    No row means nothing read yet."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_states")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_message_id = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="thread_read_state_once")
        ]
