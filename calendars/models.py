"""The shared calendar of a network: events and their repeats, who is coming, tasks people
sign up for, reminders, and the secret feed addresses that calendar apps subscribe to.

Times are stored as aware datetimes (UTC in the database) together with the event's time
zone, so that a weekly 10:00 visit stays at 10:00 local time across the clock changes. Rules
live in `calendars.services`; these classes only say what is stored.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from caregraph.models import Visibility


def event_uid_make() -> str:
    """A globally unique iCalendar UID, kept for the event's whole life."""
    return f"{uuid.uuid4()}@caregraph"


class EventKind(models.TextChoices):
    APPOINTMENT = "appointment", "Appointment"
    HOME_VISIT = "home_visit", "Home visit"
    MEETING = "meeting", "Meeting"
    CASE_CONFERENCE = "case_conference", "Case conference"
    REVIEW = "review", "Review"
    REMINDER = "reminder", "Reminder"
    OTHER = "other", "Other"


class EventStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Going ahead"
    CANCELLED = "cancelled", "Cancelled"


class CalendarEvent(models.Model):
    """One event, or a series of them when `rrule` is set (an RFC 5545 RRULE, without the
    "RRULE:" prefix; its UNTIL is in UTC for timed events and a date for all-day ones).

    `start` and `end` are the first occurrence's. An all-day event starts at local midnight
    of its first day and ends at local midnight after its last (exclusive, as in iCalendar).
    `spans_from`/`spans_until` bound every occurrence, moved ones included (`spans_until` is
    empty for a series without an end), so that a range query can skip events quickly.
    """

    network = models.ForeignKey(
        "caregraph.Network", on_delete=models.CASCADE, related_name="calendar_events"
    )
    uid = models.CharField(max_length=100, unique=True, default=event_uid_make)
    sequence = models.PositiveIntegerField(
        default=0, help_text="iCalendar SEQUENCE: goes up with every change."
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=EventKind.choices, default=EventKind.OTHER)
    start = models.DateTimeField()
    end = models.DateTimeField()
    timezone = models.CharField(max_length=64, default=settings.CALENDAR_TIME_ZONE)
    all_day = models.BooleanField(default=False)
    rrule = models.CharField(max_length=500, blank=True)
    location = models.CharField(max_length=300, blank=True)
    notes = models.TextField(max_length=5000, blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=EventStatus.choices, default=EventStatus.CONFIRMED
    )
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.NETWORK
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    spans_from = models.DateTimeField()
    spans_until = models.DateTimeField(null=True, blank=True)
    reminders_checked_until = models.DateTimeField(
        null=True, blank=True, help_text="Reminders are scheduled for occurrences up to here."
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [
            models.Index(fields=["network", "spans_from"], name="calendar_event_network_span"),
            models.Index(
                fields=["status", "reminders_checked_until"], name="calendar_event_reminders"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_recurring(self) -> bool:
        return bool(self.rrule)


class EventException(models.Model):
    """A change to one occurrence of a series: moved, retitled or cancelled.

    Keyed by the occurrence's original start (its iCalendar RECURRENCE-ID). Empty fields
    follow the series, so that a change to the series' title still reaches this occurrence.
    """

    event = models.ForeignKey(CalendarEvent, on_delete=models.CASCADE, related_name="exceptions")
    original_start = models.DateTimeField()
    cancelled = models.BooleanField(default=False)
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    # Empty (NULL) means "as the series has it", which "" cannot say: a title may not be blank
    # but a location or notes may be cleared for one occurrence.
    title = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    location = models.CharField(max_length=300, null=True, blank=True)  # noqa: DJ001
    notes = models.TextField(max_length=5000, null=True, blank=True)  # noqa: DJ001
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "original_start"], name="event_exception_one_per_occurrence"
            )
        ]


class AttendanceResponse(models.TextChoices):
    INVITED = "invited", "Not answered yet"
    GOING = "going", "Going"
    MAYBE = "maybe", "Maybe"
    NOT_GOING = "not_going", "Not going"


class EventAttendance(models.Model):
    """One member's invitation to an event (the whole series), and their answer."""

    event = models.ForeignKey(CalendarEvent, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_attendances"
    )
    response = models.CharField(
        max_length=16, choices=AttendanceResponse.choices, default=AttendanceResponse.INVITED
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(default=now)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="attendance_one_per_user")
        ]


class TaskOutcome(models.TextChoices):
    PENDING = "pending", "To do"
    DONE = "done", "Done"
    NOT_DONE = "not_done", "Not done"


class CareTask(models.Model):
    """Something practical one member signs up to do by a time: 'collect the prescription'.

    Open while nobody has claimed it; exactly one member can hold it at a time.
    """

    network = models.ForeignKey(
        "caregraph.Network", on_delete=models.CASCADE, related_name="care_tasks"
    )
    title = models.CharField(max_length=200)
    notes = models.TextField(max_length=5000, blank=True)
    due_at = models.DateTimeField()
    event = models.ForeignKey(
        CalendarEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    medicine = models.ForeignKey(
        "medicines.Medicine",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        help_text="The medicine a task is about: 'collect the prescription' points at it.",
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="care_tasks_claimed",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=16, choices=TaskOutcome.choices, default=TaskOutcome.PENDING
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.NETWORK
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [models.Index(fields=["network", "due_at"], name="care_task_network_due")]

    def __str__(self) -> str:
        return self.title


class ReminderChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "Text message"


class ReminderPreference(models.Model):
    """One reminder a user wants before their events and the tasks they signed up for.

    A user without any gets the default: an e-mail a day before.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preferences"
    )
    channel = models.CharField(max_length=8, choices=ReminderChannel.choices)
    minutes_before = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "channel", "minutes_before"], name="reminder_preference_once"
            )
        ]


class ReminderState(models.TextChoices):
    SCHEDULED = "scheduled", "Waiting to be sent"
    SENT = "sent", "Written to the outbox"
    CANCELLED = "cancelled", "No longer needed"
    SKIPPED = "skipped", "Not sent: too late, or no longer allowed"


class ScheduledReminder(models.Model):
    """One reminder to one user about one occurrence of an event, or one task.

    `dedupe_key` names what it reminds of, not when: (event, the occurrence's local date,
    user, channel, lead time), so that moving a series by an hour updates the row instead of
    making a second one, and a reminder once sent is never sent again.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scheduled_reminders"
    )
    event = models.ForeignKey(
        CalendarEvent,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="scheduled_reminders",
    )
    task = models.ForeignKey(
        CareTask,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="scheduled_reminders",
    )
    occurrence_start = models.DateTimeField(help_text="When the event or task is.")
    channel = models.CharField(max_length=8, choices=ReminderChannel.choices)
    minutes_before = models.PositiveIntegerField()
    send_at = models.DateTimeField()
    dedupe_key = models.CharField(max_length=200, unique=True)
    state = models.CharField(
        max_length=16, choices=ReminderState.choices, default=ReminderState.SCHEDULED
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "send_at"], name="reminder_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(event__isnull=False) | Q(task__isnull=False),
                name="reminder_of_event_or_task",
            )
        ]


class CalendarFeedToken(models.Model):
    """The secret in one user's feed address. Only its hash is stored; revoking is final."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="feed_token_one_live_per_user",
            )
        ]
