"""The calendar pages' forms: an event or series, one occurrence, attendance, tasks, and the
user's reminders.

They check what a person typed and say plainly which field is wrong; the rules about times,
repeats and who may do what stay in `calendars.services`, whose errors the views put beside
the field they are about (`form_errors_from_service` with each form's SERVICE_FIELDS).
Times are wall-clock times in Europe/London, as people read them off a clock: the services
turn them into instants and refuse one inside the hour the clocks skip in spring.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import User
from calendars.models import (
    AttendanceResponse,
    CalendarEvent,
    EventKind,
    ReminderChannel,
)
from calendars.recurrence import local_naive, zone_get
from calendars.services.attendance import ANSWERS
from calendars.services.events import TEXT_LIMITS
from caregraph.models import Visibility
from frontend.forms.kit import GovDateField, GovForm, choice_field, text_field, time_parse

DateOrTime = datetime.datetime | datetime.date


class Repeat:
    """The simple repeats the form offers, and the rule each stands for."""

    NONE = "none"
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    CHOICES = [
        (NONE, "Does not repeat"),
        (WEEKLY, "Every week"),
        (FORTNIGHTLY, "Every 2 weeks"),
        (MONTHLY, "Every month, on the same date"),
    ]
    RULES = {
        WEEKLY: "FREQ=WEEKLY",
        FORTNIGHTLY: "FREQ=WEEKLY;INTERVAL=2",
        MONTHLY: "FREQ=MONTHLY",
    }


UNTIL_PART = re.compile(r";UNTIL=(\d{8})(T\d{6}Z)?$")


def repeat_rule_make(repeat: str, until: datetime.date | None) -> str:
    """The RRULE for a simple repeat; UNTIL as a local date includes that whole day."""
    rule = Repeat.RULES.get(repeat, "")
    if rule and until is not None:
        rule += f";UNTIL={until:%Y%m%d}"
    return rule


def repeat_rule_read(rule: str, *, zone_name: str) -> tuple[str, datetime.date | None] | None:
    """A stored rule as the form's simple choices, or None when only the advanced field can
    say it. UNTIL is stored in UTC for timed events: it is shown as its local day."""
    if not rule:
        return Repeat.NONE, None
    until: datetime.date | None = None
    found = UNTIL_PART.search(rule)
    if found:
        day, time = found.groups()
        if time:
            moment = datetime.datetime.strptime(day + time, "%Y%m%dT%H%M%SZ").replace(
                tzinfo=datetime.UTC
            )
            until = local_naive(moment, zone_get(zone_name)).date()
        else:
            until = datetime.datetime.strptime(day, "%Y%m%d").date()
        rule = rule[: found.start()]
    for repeat, simple in Repeat.RULES.items():
        if rule == simple:
            return repeat, until
    return None


def _time_clean(typed: str, *, which: str) -> datetime.time | None:
    if not typed.strip():
        return None
    parsed = time_parse(typed)
    if parsed is None:
        raise ValidationError(f"Enter the {which} time like 14:30 or 2:30pm")
    return parsed


def _visibility_choices(visibilities: Sequence[str]) -> list[tuple[str, str]]:
    return [(value, label) for value, label in Visibility.choices if value in visibilities]


class EventForm(GovForm):
    """Adding an event or a series, or changing every occurrence of one."""

    title = text_field(
        "Title",
        required_message="Enter a title",
        max_length=TEXT_LIMITS["title"],
        help_text="For example, Home visit or Physiotherapy appointment",
    )
    kind = forms.ChoiceField(
        label="What kind of event is it?",
        choices=EventKind.choices,
        initial=EventKind.APPOINTMENT,
        error_messages={
            "required": "Select what kind of event it is",
            "invalid_choice": "Select what kind of event it is",
        },
    )
    start_date = GovDateField(
        label="Date",
        help_text="For example, 7 12 2026",
        error_messages={"required": "Enter the date"},
    )
    all_day = forms.BooleanField(label="It lasts all day", required=False)
    start_time = text_field(
        "Start time",
        max_length=10,
        help_text="For example, 10:00 or 2:30pm",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "autocomplete": "off"}),
    )
    end_time = text_field(
        "End time",
        max_length=10,
        help_text="For example, 11:00 or 3:30pm",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "autocomplete": "off"}),
    )
    end_date = GovDateField(
        label="End date (optional)",
        required=False,
        help_text="Only if it ends on a later day than it starts",
    )
    location = text_field("Where (optional)", max_length=TEXT_LIMITS["location"])
    notes = text_field(
        "Notes (optional)",
        max_length=TEXT_LIMITS["notes"],
        help_text="Everyone who can see the event can read these.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    visibility = choice_field(
        "Who can see this event?", required_message="Select who can see this event"
    )
    repeat = choice_field(
        "Does it repeat?",
        choices=Repeat.CHOICES,
        initial=Repeat.NONE,
        required_message="Select whether it repeats",
    )
    repeat_until = GovDateField(
        label="Repeat until (optional)",
        required=False,
        help_text="The last day it can happen. Leave empty to repeat until it is changed.",
    )
    rrule = text_field(
        "Advanced repeat rule (optional)",
        max_length=500,
        help_text=(
            "An iCalendar RRULE, for example FREQ=WEEKLY;BYDAY=TU,TH;COUNT=10. "
            "It replaces the repeat chosen above."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(
        self, *args: Any, visibilities: Sequence[str], advanced: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        visibility = self.fields["visibility"]
        assert isinstance(visibility, forms.ChoiceField)
        visibility.choices = _visibility_choices(visibilities)
        visibility.initial = Visibility.NETWORK
        # Family and friends add events everyone in the network sees: nothing to choose.
        self.visibility_fixed = len(visibilities) == 1
        if self.visibility_fixed:
            visibility.widget = forms.HiddenInput()
            visibility.initial = visibilities[0]
        self.advanced = advanced
        if not advanced:
            del self.fields["rrule"]

    @classmethod
    def initial_for(cls, event: CalendarEvent) -> tuple[dict[str, Any], bool]:
        """The form's values for an event, and whether its rule needs the advanced field."""
        zone = zone_get(event.timezone)
        start, end = local_naive(event.start, zone), local_naive(event.end, zone)
        if event.all_day:
            last_day = (end - datetime.timedelta(days=1)).date()
            end_date: datetime.date | None = last_day if last_day != start.date() else None
        else:
            end_date = end.date() if end.date() != start.date() else None
        initial: dict[str, Any] = {
            "title": event.title,
            "kind": event.kind,
            "start_date": start.date(),
            "end_date": end_date,
            "all_day": event.all_day,
            "start_time": "" if event.all_day else f"{start:%H:%M}",
            "end_time": "" if event.all_day else f"{end:%H:%M}",
            "location": event.location,
            "notes": event.notes,
            "visibility": event.visibility,
        }
        simple = repeat_rule_read(event.rrule, zone_name=event.timezone)
        if simple is None:
            initial.update(repeat=Repeat.NONE, rrule=event.rrule)
            return initial, True
        initial.update(repeat=simple[0], repeat_until=simple[1])
        return initial, False

    def clean_start_time(self) -> datetime.time | None:
        return _time_clean(self.cleaned_data["start_time"], which="start")

    def clean_end_time(self) -> datetime.time | None:
        return _time_clean(self.cleaned_data["end_time"], which="end")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        all_day = cleaned.get("all_day", False)
        day: datetime.date | None = cleaned.get("start_date")
        last_day: datetime.date | None = cleaned.get("end_date") or day
        start: DateOrTime | None = None
        end: DateOrTime | None = None
        if all_day:
            start, end = day, last_day
            if day is not None and last_day is not None and last_day < day:
                self.add_error("end_date", "The end date must be the same as the date or after it")
        else:
            start_time, end_time = cleaned.get("start_time"), cleaned.get("end_time")
            if start_time is None and not self.has_error("start_time"):
                self.add_error("start_time", "Enter the start time, or choose all day")
            if end_time is None and not self.has_error("end_time"):
                self.add_error("end_time", "Enter the end time")
            if day is not None and start_time is not None:
                start = datetime.datetime.combine(day, start_time)
            if last_day is not None and end_time is not None:
                end = datetime.datetime.combine(last_day, end_time)
            if start is not None and end is not None and end <= start:  # type: ignore[operator]
                self.add_error("end_time", "The end time must be after the start time")
        cleaned["start"], cleaned["end"] = start, end

        advanced = (cleaned.get("rrule") or "").strip() if self.advanced else ""
        repeat = cleaned.get("repeat", Repeat.NONE)
        until = cleaned.get("repeat_until")
        self.rule_from_advanced = bool(advanced)
        if advanced:
            cleaned["rule"] = advanced
        else:
            if until is not None and repeat == Repeat.NONE:
                self.add_error(
                    "repeat_until", "Choose how often it repeats, or leave Repeat until empty"
                )
            if until is not None and day is not None and until < day:
                self.add_error(
                    "repeat_until", "Repeat until must be the same as the date or after it"
                )
            cleaned["rule"] = repeat_rule_make(repeat, until)
        return cleaned

    def service_fields(self) -> dict[str, str]:
        """Where each of the service's errors goes on this form."""
        all_day = bool(self.cleaned_data.get("all_day")) if hasattr(self, "cleaned_data") else False
        return {
            "start": "start_date" if all_day else "start_time",
            "end": "end_date" if all_day else "end_time",
            "rrule": "rrule" if self.rule_from_advanced else "repeat",
            "timezone": "start_date",
        }


class OccurrenceForm(GovForm):
    """Changing one occurrence of a series: its title, times, place and notes."""

    title = text_field("Title", required_message="Enter a title", max_length=TEXT_LIMITS["title"])
    start_date = GovDateField(
        label="Date",
        help_text="For example, 7 12 2026",
        error_messages={"required": "Enter the date"},
    )
    start_time = text_field(
        "Start time",
        max_length=10,
        help_text="For example, 10:00 or 2:30pm",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "autocomplete": "off"}),
    )
    end_time = text_field(
        "End time",
        max_length=10,
        help_text="For example, 11:00 or 3:30pm",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "autocomplete": "off"}),
    )
    end_date = GovDateField(
        label="End date (optional)",
        required=False,
        help_text="Only if it ends on a later day than it starts",
    )
    location = text_field("Where (optional)", max_length=TEXT_LIMITS["location"])
    notes = text_field(
        "Notes (optional)",
        max_length=TEXT_LIMITS["notes"],
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    SERVICE_FIELDS = {"start": "start_time", "end": "end_time", "occurrence": "start_date"}

    def clean_start_time(self) -> datetime.time | None:
        return _time_clean(self.cleaned_data["start_time"], which="start")

    def clean_end_time(self) -> datetime.time | None:
        return _time_clean(self.cleaned_data["end_time"], which="end")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day = cleaned.get("start_date")
        last_day = cleaned.get("end_date") or day
        start_time, end_time = cleaned.get("start_time"), cleaned.get("end_time")
        if start_time is None and not self.has_error("start_time"):
            self.add_error("start_time", "Enter the start time")
        if end_time is None and not self.has_error("end_time"):
            self.add_error("end_time", "Enter the end time")
        start = datetime.datetime.combine(day, start_time) if day and start_time else None
        end = datetime.datetime.combine(last_day, end_time) if last_day and end_time else None
        if start is not None and end is not None and end <= start:
            self.add_error("end_time", "The end time must be after the start time")
        cleaned["start"], cleaned["end"] = start, end
        return cleaned


class AttendanceForm(GovForm):
    """A member's own answer to an event."""

    response = choice_field(
        "Are you going?",
        choices=[(value, AttendanceResponse(value).label) for value in ANSWERS],
        required_message="Select whether you are going",
    )


class InviteForm(GovForm):
    """The organiser inviting members who may see the event and are not invited yet."""

    user_ids = forms.MultipleChoiceField(
        label="Who do you want to invite?",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one person to invite",
            "invalid_choice": "Select people from the list",
        },
    )

    def __init__(self, *args: Any, people: Sequence[tuple[User, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user_ids"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(user.pk), label) for user, label in people]
        self.people = {str(user.pk): user for user, _ in people}

    def chosen_users(self) -> list[User]:
        return [self.people[user_id] for user_id in self.cleaned_data["user_ids"]]


class CancelForm(GovForm):
    """Nothing to type: the button is the answer. A form, so that errors have somewhere to go."""


class TaskForm(GovForm):
    """Adding a task someone can sign up for."""

    title = text_field(
        "What needs doing?",
        required_message="Say what needs doing",
        max_length=TEXT_LIMITS["title"],
        help_text="For example, Collect the prescription from the chemist",
    )
    due_date = GovDateField(
        label="Due by",
        help_text="For example, 7 12 2026",
        error_messages={"required": "Enter the date it is due"},
    )
    due_time = text_field(
        "Time",
        max_length=10,
        help_text="For example, 17:00 or 5pm",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "autocomplete": "off"}),
    )
    notes = text_field(
        "Notes (optional)",
        max_length=TEXT_LIMITS["notes"],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    visibility = choice_field(
        "Who can see this task?", required_message="Select who can see this task"
    )
    medicine = forms.TypedChoiceField(
        label="Is it about a medicine? (optional)",
        help_text="For example, collecting a prescription",
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Select a medicine from the list"},
    )

    SERVICE_FIELDS = {"due_at": "due_time", "medicine_id": "medicine"}

    def __init__(
        self,
        *args: Any,
        visibilities: Sequence[str],
        medicines: Sequence[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        medicine = self.fields["medicine"]
        assert isinstance(medicine, forms.TypedChoiceField)
        medicine.choices = [("", "No"), *medicines]
        if not medicines:
            del self.fields["medicine"]
        visibility = self.fields["visibility"]
        assert isinstance(visibility, forms.ChoiceField)
        visibility.choices = _visibility_choices(visibilities)
        visibility.initial = Visibility.NETWORK
        self.visibility_fixed = len(visibilities) == 1
        if self.visibility_fixed:
            visibility.widget = forms.HiddenInput()
            visibility.initial = visibilities[0]

    def clean_due_time(self) -> datetime.time | None:
        typed = self.cleaned_data["due_time"]
        if not typed.strip():
            raise ValidationError("Enter the time it is due")
        return _time_clean(typed, which="due")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, time = cleaned.get("due_date"), cleaned.get("due_time")
        cleaned["due_at"] = datetime.datetime.combine(day, time) if day and time else None
        return cleaned


# How long before: the choices people are offered, in minutes.
LEAD_TIMES = [
    (15, "15 minutes before"),
    (60, "1 hour before"),
    (3 * 60, "3 hours before"),
    (24 * 60, "1 day before"),
    (2 * 24 * 60, "2 days before"),
    (7 * 24 * 60, "1 week before"),
]
NO_REMINDERS = "none"


class ReminderForm(GovForm):
    """How the user is reminded of their events and the tasks they signed up for."""

    channel = choice_field(
        "How do you want to be reminded?",
        choices=[*ReminderChannel.choices, (NO_REMINDERS, "No reminders")],
        required_message="Select how you want to be reminded",
    )
    minutes_before = forms.TypedChoiceField(
        label="When",
        coerce=int,
        choices=[(str(minutes), label) for minutes, label in LEAD_TIMES],
        error_messages={
            "required": "Select when you want to be reminded",
            "invalid_choice": "Select when you want to be reminded",
        },
        required=False,
    )

    SERVICE_FIELDS = {"preferences": "channel"}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        channel = cleaned.get("channel")
        if channel and channel != NO_REMINDERS and cleaned.get("minutes_before") in (None, ""):
            self.add_error("minutes_before", "Select when you want to be reminded")
        return cleaned

    def preferences(self) -> list[tuple[str, int]]:
        channel = self.cleaned_data["channel"]
        if channel == NO_REMINDERS:
            return []
        return [(channel, int(self.cleaned_data["minutes_before"]))]
