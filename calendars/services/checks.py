"""Checking what an event or a task is given, before anything is stored: its texts, its
kind and visibility, and when it happens. Every mistake is collected by field
(`FieldErrors`), so that all of them are reported at once."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

from calendars.models import EventKind
from calendars.recurrence import (
    calendar_year_check,
    local_naive,
    local_time_resolve,
    localise,
    rrule_check,
    zone_get,
)
from caregraph.policy import Viewer

EVENT_LENGTH_MAX = datetime.timedelta(days=366)
TEXT_LIMITS = {"title": 200, "location": 300, "notes": 5000}

DateOrTime = datetime.datetime | datetime.date


class FieldErrors:
    """Collects plain messages by field, so that every mistake is reported at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def take(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            for message in messages:
                self.add(field, message)

    def raise_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


@dataclass(frozen=True)
class Timing:
    """When an event happens, checked: aware start and end, its zone, its stored rule."""

    start: datetime.datetime
    end: datetime.datetime
    zone: ZoneInfo
    all_day: bool
    rrule: str


def _local_day(value: DateOrTime, zone: ZoneInfo) -> datetime.date:
    if not isinstance(value, datetime.datetime):
        return value
    if value.tzinfo is not None:
        return value.astimezone(zone).date()
    return value.date()


def _all_day_last(value: DateOrTime, zone: ZoneInfo) -> datetime.date:
    """An all-day event's last day: a date is itself; a time at local midnight ends the day
    before, as iCalendar's exclusive DTEND does, so what we answer can be sent back."""
    if not isinstance(value, datetime.datetime):
        return value
    local = value.astimezone(zone) if value.tzinfo is not None else value
    if local.time() == datetime.time():
        return local.date() - datetime.timedelta(days=1)
    return local.date()


def _midnight(day: datetime.date, zone: ZoneInfo) -> datetime.datetime:
    return localise(datetime.datetime.combine(day, datetime.time()), zone)


def event_timing_check(
    *,
    start: DateOrTime,
    end: DateOrTime | None,
    all_day: bool,
    timezone_name: str,
    rrule: str,
    errors: FieldErrors,
    length: datetime.timedelta | None = None,
) -> Timing | None:
    """Checks when an event happens; adds what is wrong to `errors` by field.

    Naive times are wall-clock times in the event's zone: one inside the spring gap is
    refused, an autumn time that happens twice is the first (summer time) one. The end
    must come after the start; without one, the event keeps `length` on the local clock.
    An all-day event runs from its first to its last day, both included. A repeat rule
    must be one `rrule_check` accepts.
    """
    try:
        zone = zone_get(timezone_name)
    except ValidationError as unknown:
        errors.take(unknown)
        return None
    in_range = True
    for field, value in (("start", start), ("end", end)):
        try:
            if value is not None:
                calendar_year_check(value, field=field)
        except ValidationError as out_of_range:
            errors.take(out_of_range)
            in_range = False
    if not in_range:
        return None
    if end is None:
        if length is None:
            errors.add("end", "Say when it ends")
            return None
        try:
            start_at = local_time_resolve(start, zone=zone, field="start")
        except ValidationError as missing_hour:
            errors.take(missing_hour)
            return None
        end = localise(local_naive(start_at, zone) + length, zone)
        if all_day:
            days = max(1, length.days)
            end = local_naive(start_at, zone).date() + datetime.timedelta(days=days - 1)
    if all_day:
        first, last = _local_day(start, zone), _all_day_last(end, zone)
        if last < first:
            errors.add("end", "The last day must be the same as the first day or after it")
            return None
        start_at, end_at = (
            _midnight(first, zone),
            _midnight(last + datetime.timedelta(days=1), zone),
        )
    else:
        resolved = {}
        for field, value in (("start", start), ("end", end)):
            try:
                resolved[field] = local_time_resolve(value, zone=zone, field=field)
            except ValidationError as missing_hour:
                errors.take(missing_hour)
        if len(resolved) < 2:
            return None
        start_at, end_at = resolved["start"], resolved["end"]
        if end_at <= start_at:
            errors.add("end", "The end must be after the start")
            return None
    if end_at - start_at > EVENT_LENGTH_MAX:
        errors.add("end", "An event can last at most a year: use a repeat rule instead")
        return None
    checked_rule = ""
    if rrule.strip():
        try:
            checked_rule = rrule_check(rrule, start=start_at, zone=zone, all_day=all_day).text
        except ValidationError as bad_rule:
            errors.take(bad_rule)
            return None
    return Timing(start=start_at, end=end_at, zone=zone, all_day=all_day, rrule=checked_rule)


def texts_check(errors: FieldErrors, **texts: str) -> dict[str, str]:
    cleaned = {field: (value or "").strip() for field, value in texts.items()}
    if "title" in cleaned and not cleaned["title"]:
        errors.add("title", "Give it a title")
    for field, value in cleaned.items():
        if len(value) > TEXT_LIMITS[field]:
            errors.add(field, f"This can be at most {TEXT_LIMITS[field]} characters long")
    return cleaned


def event_kind_visibility_check(
    errors: FieldErrors, *, viewer: Viewer, kind: str, visibility: str
) -> None:
    if kind not in EventKind.values:
        errors.add("kind", f"Choose one of: {', '.join(EventKind.values)}")
    if visibility not in viewer.visibilities_allowed():
        errors.add("visibility", "You cannot choose this visibility")
