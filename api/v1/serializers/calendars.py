"""What the calendar's API reads and writes: events, occurrences, attendance and tasks, with
times as the package's docstring describes."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers

from api.v1.serializers.graph import UserSummarySerializer
from calendars.models import (
    AttendanceResponse,
    CalendarEvent,
    CareTask,
    EventAttendance,
    EventException,
    EventKind,
    TaskOutcome,
)
from caregraph.models import Visibility

DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Answers give `kind` as a plain string: an enum in more than one component needs a name in
# settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"], which belongs to the project.
KIND_HELP = f"One of: {', '.join(EventKind.values)}."


class LocalDateTimeField(serializers.DateTimeField):
    """A date-time as given: with an offset it is that instant; without one it stays a
    local time for the service to place in the event's zone (and refuse if it falls in the
    spring gap). A plain date is kept as a date, for all-day events."""

    def enforce_timezone(self, value: datetime.datetime) -> datetime.datetime:
        return value

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str) and DATE_ONLY.match(value.strip()):
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError:
                self.fail("invalid", format="YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss][+HH:MM]")
        return super().to_internal_value(value)

    def to_representation(self, value: datetime.datetime) -> str:
        return value.astimezone(timezone.get_current_timezone()).isoformat()


class EventWriteSerializer(serializers.Serializer[Any]):
    """Adding an event or a series."""

    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=EventKind.choices)
    start = LocalDateTimeField(help_text="With an offset, or local time in `timezone`.")
    end = LocalDateTimeField(help_text="After the start; for all-day events, the last day.")
    all_day = serializers.BooleanField(required=False, default=False)
    timezone = serializers.CharField(
        max_length=64, required=False, default=settings.CALENDAR_TIME_ZONE
    )
    location = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    visibility = serializers.ChoiceField(
        choices=Visibility.choices, required=False, default=Visibility.NETWORK
    )
    rrule = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="An RFC 5545 RRULE such as FREQ=WEEKLY;COUNT=10; empty for a one-off.",
    )


class OccurrenceWriteSerializer(serializers.Serializer[Any]):
    """Changing one occurrence: send only what changes."""

    title = serializers.CharField(max_length=200, required=False)
    start = LocalDateTimeField(required=False)
    end = LocalDateTimeField(required=False)
    location = serializers.CharField(max_length=300, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class OccurrenceQuerySerializer(serializers.Serializer[Any]):
    occurrence = LocalDateTimeField(
        required=False, help_text="The original start of one occurrence of a series."
    )


class RangeQuerySerializer(serializers.Serializer[Any]):
    start = LocalDateTimeField(required=False, help_text="From (default: today, midnight).")
    end = LocalDateTimeField(required=False, help_text="Until (default: 31 days on; max 366).")


class OccurrenceSerializer(serializers.Serializer[Any]):
    """One time an event happens."""

    event_id = serializers.IntegerField(source="event.pk", read_only=True)
    uid = serializers.CharField(source="event.uid", read_only=True)
    title = serializers.CharField(read_only=True)
    kind = serializers.CharField(source="event.kind", read_only=True, help_text=KIND_HELP)
    start = LocalDateTimeField(read_only=True)
    end = LocalDateTimeField(read_only=True)
    all_day = serializers.BooleanField(source="event.all_day", read_only=True)
    timezone = serializers.CharField(source="event.timezone", read_only=True)
    location = serializers.CharField(read_only=True)
    notes = serializers.CharField(read_only=True)
    visibility = serializers.ChoiceField(
        source="event.visibility", choices=Visibility.choices, read_only=True
    )
    rrule = serializers.CharField(source="event.rrule", read_only=True)
    occurrence = LocalDateTimeField(
        source="original_start",
        read_only=True,
        allow_null=True,
        help_text="Its original start, to change this occurrence alone; null for a one-off.",
    )
    is_changed = serializers.BooleanField(read_only=True)
    organiser = UserSummarySerializer(source="event.organiser", read_only=True, allow_null=True)


class ExceptionSerializer(serializers.Serializer[EventException]):
    occurrence = LocalDateTimeField(source="original_start", read_only=True)
    cancelled = serializers.BooleanField(read_only=True)
    start = LocalDateTimeField(read_only=True, allow_null=True)
    end = LocalDateTimeField(read_only=True, allow_null=True)
    title = serializers.CharField(read_only=True, allow_null=True)
    location = serializers.CharField(read_only=True, allow_null=True)
    notes = serializers.CharField(read_only=True, allow_null=True)


class AttendanceSerializer(serializers.Serializer[EventAttendance]):
    user = UserSummarySerializer(read_only=True)
    response = serializers.ChoiceField(choices=AttendanceResponse.choices, read_only=True)
    responded_at = serializers.DateTimeField(read_only=True, allow_null=True)


class EventSerializer(serializers.Serializer[CalendarEvent]):
    """An event, or a whole series, with its changed occurrences and who is coming."""

    id = serializers.IntegerField(read_only=True)
    network_id = serializers.IntegerField(read_only=True)
    uid = serializers.CharField(read_only=True)
    sequence = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text=KIND_HELP)
    start = LocalDateTimeField(read_only=True)
    end = LocalDateTimeField(read_only=True)
    all_day = serializers.BooleanField(read_only=True)
    timezone = serializers.CharField(read_only=True)
    location = serializers.CharField(read_only=True)
    notes = serializers.CharField(read_only=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices, read_only=True)
    rrule = serializers.CharField(read_only=True)
    organiser = UserSummarySerializer(read_only=True, allow_null=True)
    exceptions = ExceptionSerializer(many=True, read_only=True)
    attendance = AttendanceSerializer(
        source="attendance_shown",
        many=True,
        read_only=True,
        help_text="Who is invited and their answers: those whose membership you may know of.",
    )
    ics_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_ics_url(self, event: CalendarEvent) -> str:
        return f"/calendar/events/{event.pk}.ics"


class AttendanceWriteSerializer(serializers.Serializer[Any]):
    """Either invite members (`user_ids`) or answer for yourself (`response`)."""

    user_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, min_length=1, max_length=200
    )
    response = serializers.ChoiceField(
        choices=[
            (choice, label)
            for choice, label in AttendanceResponse.choices
            if choice != AttendanceResponse.INVITED
        ],
        required=False,
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("user_ids" in attrs) == ("response" in attrs):
            raise serializers.ValidationError(
                "Send either user_ids, to invite people, or response, to answer for yourself"
            )
        return attrs


class TaskSerializer(serializers.Serializer[CareTask]):
    id = serializers.IntegerField(read_only=True)
    network_id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    notes = serializers.CharField(read_only=True)
    due_at = LocalDateTimeField(read_only=True)
    event_id = serializers.IntegerField(read_only=True, allow_null=True)
    medicine_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The medicine the task is about, if any."
    )
    claimed_by = UserSummarySerializer(read_only=True, allow_null=True)
    claimed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    outcome = serializers.ChoiceField(choices=TaskOutcome.choices, read_only=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class TaskWriteSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    due_at = LocalDateTimeField(help_text="With an offset, or local time (Europe/London).")
    visibility = serializers.ChoiceField(
        choices=Visibility.choices, required=False, default=Visibility.NETWORK
    )
    event_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    medicine_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A medicine of the network's list the task is about, such as collecting it.",
    )


class TaskCompleteSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(
        choices=[(TaskOutcome.DONE, "Done"), (TaskOutcome.NOT_DONE, "Not done")]
    )


class TaskQuerySerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(
        choices=[
            ("open", "Nobody has signed up"),
            ("mine", "Signed up for by me"),
            ("pending", "Not yet done or not done"),
            ("settled", "Done or not done"),
        ],
        required=False,
    )
