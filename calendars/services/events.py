"""Adding, changing and cancelling events: a whole series, or one occurrence of it.

Every change is checked in full before anything is stored, so a refused change stores
nothing; it is audited, appended to the network's event log with the event's visibility
(which is how other members see it appear without reloading), and the reminders of the
event are rescheduled, all in one transaction.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from calendars.models import (
    AttendanceResponse,
    CalendarEvent,
    EventAttendance,
    EventException,
    EventStatus,
)
from calendars.recurrence import (
    Series,
    local_naive,
    local_time_resolve,
    localise,
    occurrence_exists,
    occurrence_starts,
    series_last_end,
    zone_get,
)
from calendars.rules import calendar_require_member, event_require_may_change
from calendars.selectors import series_of
from calendars.services.checks import (
    TEXT_LIMITS as TEXT_LIMITS,  # where the forms read them
)
from calendars.services.checks import (
    DateOrTime,
    FieldErrors,
    event_kind_visibility_check,
    event_timing_check,
    texts_check,
)
from calendars.services.reminders import reminders_schedule_for_event
from caregraph.models import AuditAction, Network, NetworkEventKind, Visibility
from caregraph.policy import Viewer
from caregraph.services.events import network_change_record, network_events_follow_record


def _spans_set(event: CalendarEvent) -> None:
    """Bounds every occurrence, moved ones included, for range queries."""
    series = series_of(event)
    last_end = series_last_end(series)
    moved: list[tuple[datetime.datetime, datetime.datetime]] = []
    if event.pk is not None:
        for start, end in EventException.objects.filter(
            event=event, cancelled=False, start__isnull=False, end__isnull=False
        ).values_list("start", "end"):
            if start is not None and end is not None:
                moved.append((start, end))
    event.spans_from = min([event.start, *(start for start, _ in moved)])
    event.spans_until = None if last_end is None else max([last_end, *(end for _, end in moved)])


def event_payload(
    event: CalendarEvent, *, change: str, occurrence: datetime.datetime | None = None
) -> dict[str, Any]:
    """What the event log carries: enough for a page to redraw the event, nothing more."""
    return {
        "object": "calendar_event",
        "change": change,
        "event_id": event.pk,
        "uid": event.uid,
        "sequence": event.sequence,
        "title": event.title,
        "kind": event.kind,
        "start": event.start.isoformat(),
        "end": event.end.isoformat(),
        "all_day": event.all_day,
        "rrule": event.rrule,
        "status": event.status,
        "occurrence": occurrence.isoformat() if occurrence else None,
    }


def event_change_record(
    event: CalendarEvent,
    *,
    actor: User,
    action: str,
    summary: str,
    kind: str,
    change: str,
    occurrence: datetime.datetime | None = None,
) -> None:
    """The audit row, the event-log row and the reminders that go with every change."""
    network_change_record(
        network=event.network,
        actor=actor,
        action=action,
        summary=summary,
        kind=kind,
        payload=event_payload(event, change=change, occurrence=occurrence),
        record_type="calendar_event",
        record_id=event.pk,
        visibility=event.visibility,
        author_id=event.created_by_id,
        author_agency_id=event.author_agency_id,
    )
    reminders_schedule_for_event(event=event)


def event_create(
    *,
    network: Network,
    viewer: Viewer,
    created_by: User,
    title: str,
    kind: str,
    start: DateOrTime,
    end: DateOrTime,
    all_day: bool = False,
    timezone_name: str = settings.CALENDAR_TIME_ZONE,
    location: str = "",
    notes: str = "",
    visibility: str = Visibility.NETWORK,
    rrule: str = "",
) -> CalendarEvent:
    """Adds an event, or a series when `rrule` is given, to the network's calendar.

    Any member may add one; reviewing safeguarding leads only read. Family and friends add
    events the whole network sees; professionals may narrow one (a case conference for
    professionals only). The one who adds it organises it and is down as going.
    """
    calendar_require_member(viewer)
    errors = FieldErrors()
    texts = texts_check(errors, title=title, location=location, notes=notes)
    event_kind_visibility_check(errors, viewer=viewer, kind=kind, visibility=visibility)
    timing = event_timing_check(
        start=start,
        end=end,
        all_day=all_day,
        timezone_name=timezone_name,
        rrule=rrule,
        errors=errors,
    )
    errors.raise_any()
    assert timing is not None
    event = CalendarEvent(
        network=network,
        kind=kind,
        start=timing.start,
        end=timing.end,
        timezone=timing.zone.key,
        all_day=timing.all_day,
        rrule=timing.rrule,
        organiser=created_by,
        visibility=visibility,
        created_by=created_by,
        author_agency_id=viewer.acting_agency_id,
        **texts,
    )
    _spans_set(event)
    with transaction.atomic():
        event.save()
        EventAttendance.objects.create(
            event=event,
            user=created_by,
            response=AttendanceResponse.GOING,
            invited_by=created_by,
            responded_at=timezone.now(),
        )
        event_change_record(
            event,
            actor=created_by,
            action=AuditAction.CREATE,
            summary=f"Added {event.get_kind_display().lower()} '{event.title}' to the calendar",
            kind=NetworkEventKind.EVENT_SCHEDULED,
            change="created",
        )
    return event


def _exceptions_carry(event: CalendarEvent, *, old: Series, new: Series) -> None:
    """Keeps each change to one occurrence with the occurrence on the same local day when
    the series' times change; drops it when the series no longer meets that day."""
    for exception in EventException.objects.filter(event=event).order_by("original_start"):
        day = local_naive(exception.original_start, old.zone).date()
        day_start = localise(datetime.datetime.combine(day, datetime.time()), new.zone)
        day_end = day_start + datetime.timedelta(days=1, hours=2)
        same_day = [
            start
            for start in occurrence_starts(new, after=day_start, before=day_end)
            if local_naive(start, new.zone).date() == day
        ]
        if not new.rrule or not same_day:
            exception.delete()
        elif same_day[0] != exception.original_start:
            exception.original_start = same_day[0]
            exception.save(update_fields=["original_start"])


def event_update(
    *,
    event: CalendarEvent,
    viewer: Viewer,
    updated_by: User,
    title: str,
    kind: str,
    start: DateOrTime,
    end: DateOrTime | None,
    all_day: bool,
    timezone_name: str,
    location: str,
    notes: str,
    visibility: str,
    rrule: str,
) -> CalendarEvent:
    """Changes an event, or every occurrence of a series; without an `end`, it keeps its
    length from the new start.

    Only the organiser, whoever added it, or a coordinator may. Changes made to single
    occurrences stay with the occurrence on the same day when the series' times change, and
    go when the series no longer meets on that day. Reminders already sent for a day are
    not sent again for that day, however the series moves.
    """
    event_require_may_change(event=event, viewer=viewer)
    errors = FieldErrors()
    texts = texts_check(errors, title=title, location=location, notes=notes)
    event_kind_visibility_check(errors, viewer=viewer, kind=kind, visibility=visibility)
    timing = event_timing_check(
        start=start,
        end=end,
        all_day=all_day,
        timezone_name=timezone_name,
        rrule=rrule,
        errors=errors,
        length=series_of(event).length_local,
    )
    errors.raise_any()
    assert timing is not None
    with transaction.atomic():
        event = CalendarEvent.objects.select_for_update().select_related("network").get(pk=event.pk)
        old_series = series_of(event)
        event.kind, event.visibility = kind, visibility
        event.title, event.location, event.notes = texts["title"], texts["location"], texts["notes"]
        event.start, event.end, event.all_day = timing.start, timing.end, timing.all_day
        event.timezone, event.rrule = timing.zone.key, timing.rrule
        new_series = series_of(event)
        if new_series != old_series:
            _exceptions_carry(event, old=old_series, new=new_series)
        _spans_set(event)
        event.sequence += 1
        event.updated_at = timezone.now()
        event.save()
        # What the log replays follows the event's visibility as it is now.
        network_events_follow_record(
            network_id=event.network_id,
            record_type="calendar_event",
            record_id=event.pk,
            visibility=event.visibility,
            author_id=event.created_by_id,
            author_agency_id=event.author_agency_id,
        )
        event_change_record(
            event,
            actor=updated_by,
            action=AuditAction.UPDATE,
            summary=f"Changed '{event.title}' in the calendar",
            kind=NetworkEventKind.EVENT_CHANGED,
            change="updated",
        )
    return event


def _occurrence_check(
    event: CalendarEvent, *, occurrence: DateOrTime, errors: FieldErrors
) -> datetime.datetime | None:
    if not event.rrule:
        errors.add("occurrence", "This event does not repeat: change the event itself")
        return None
    zone = zone_get(event.timezone)
    try:
        original = local_time_resolve(occurrence, zone=zone, field="occurrence")
    except ValidationError as missing_hour:
        errors.take(missing_hour)
        return None
    if not occurrence_exists(series_of(event), original_start=original):
        local = local_naive(original, zone)
        errors.add(
            "occurrence", f"This series does not happen at {local:%H:%M} on {local:%-d %B %Y}"
        )
        return None
    return original


def event_occurrence_update(
    *,
    event: CalendarEvent,
    viewer: Viewer,
    updated_by: User,
    occurrence: DateOrTime,
    title: str | None = None,
    start: DateOrTime | None = None,
    end: DateOrTime | None = None,
    location: str | None = None,
    notes: str | None = None,
) -> EventException:
    """Changes one occurrence of a series, named by its original start, and no other.

    What is not given stays as the series has it (and follows later changes to the
    series). Moving only the start keeps the occurrence's length. The same people may
    change it as may change the series.
    """
    event_require_may_change(event=event, viewer=viewer)
    errors = FieldErrors()
    original = _occurrence_check(event, occurrence=occurrence, errors=errors)
    given = {
        field: value
        for field, value in (("title", title), ("location", location), ("notes", notes))
        if value is not None
    }
    texts = texts_check(errors, **given)
    errors.raise_any()
    assert original is not None
    existing = EventException.objects.filter(event=event, original_start=original).first()
    if existing is not None and existing.cancelled:
        raise ValidationError({"occurrence": ["This occurrence is cancelled"]})
    series = series_of(event)
    zone = series.zone
    current_start = (existing.start if existing else None) or original
    current_end = (existing.end if existing else None) or series.end_for(original)
    new_start, new_end = current_start, current_end
    if start is not None or end is not None:
        try:
            if start is not None:
                new_start = local_time_resolve(start, zone=zone, field="start")
                new_end = Series(start=current_start, end=current_end, zone=zone).end_for(new_start)
        except ValidationError as missing_hour:
            errors.take(missing_hour)
        try:
            if end is not None:
                new_end = local_time_resolve(end, zone=zone, field="end")
        except ValidationError as missing_hour:
            errors.take(missing_hour)
        errors.raise_any()
        if new_end <= new_start:
            raise ValidationError({"end": ["The end must be after the start"]})
    moved = (new_start, new_end) != (original, series.end_for(original))
    with transaction.atomic():
        event = CalendarEvent.objects.select_for_update().select_related("network").get(pk=event.pk)
        exception, _ = EventException.objects.get_or_create(
            event=event, original_start=original, defaults={"created_by": updated_by}
        )
        exception.start, exception.end = (new_start, new_end) if moved else (None, None)
        for field, value in texts.items():
            setattr(exception, field, value)
        exception.updated_at = timezone.now()
        exception.save()
        _spans_set(event)
        event.sequence += 1
        event.updated_at = timezone.now()
        event.save(update_fields=["spans_from", "spans_until", "sequence", "updated_at"])
        event_change_record(
            event,
            actor=updated_by,
            action=AuditAction.UPDATE,
            summary=f"Changed one occurrence of '{event.title}'",
            kind=NetworkEventKind.EVENT_CHANGED,
            change="occurrence_updated",
            occurrence=original,
        )
    return exception


def event_occurrence_cancel(
    *, event: CalendarEvent, viewer: Viewer, cancelled_by: User, occurrence: DateOrTime
) -> EventException:
    """Cancels one occurrence of a series; the others go ahead. Its reminders are not sent."""
    event_require_may_change(event=event, viewer=viewer)
    errors = FieldErrors()
    original = _occurrence_check(event, occurrence=occurrence, errors=errors)
    errors.raise_any()
    assert original is not None
    with transaction.atomic():
        event = CalendarEvent.objects.select_for_update().select_related("network").get(pk=event.pk)
        exception, _ = EventException.objects.update_or_create(
            event=event,
            original_start=original,
            defaults={"cancelled": True, "updated_at": timezone.now()},
            create_defaults={"cancelled": True, "created_by": cancelled_by},
        )
        _spans_set(event)
        event.sequence += 1
        event.updated_at = timezone.now()
        event.save(update_fields=["spans_from", "spans_until", "sequence", "updated_at"])
        event_change_record(
            event,
            actor=cancelled_by,
            action=AuditAction.UPDATE,
            summary=f"Cancelled one occurrence of '{event.title}'",
            kind=NetworkEventKind.EVENT_CHANGED,
            change="occurrence_cancelled",
            occurrence=original,
        )
    return exception


def event_cancel(*, event: CalendarEvent, viewer: Viewer, cancelled_by: User) -> CalendarEvent:
    """Cancels an event, or every occurrence of a series. It leaves every calendar and feed,
    and none of its reminders are sent. The same people may cancel it as may change it."""
    event_require_may_change(event=event, viewer=viewer)
    with transaction.atomic():
        event = CalendarEvent.objects.select_for_update().select_related("network").get(pk=event.pk)
        if event.status == EventStatus.CANCELLED:
            return event
        event.status = EventStatus.CANCELLED
        event.sequence += 1
        event.updated_at = timezone.now()
        event.save(update_fields=["status", "sequence", "updated_at"])
        event_change_record(
            event,
            actor=cancelled_by,
            action=AuditAction.REMOVE,
            summary=f"Cancelled '{event.title}'",
            kind=NetworkEventKind.EVENT_CHANGED,
            change="cancelled",
        )
    return event
