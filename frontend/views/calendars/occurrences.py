"""What the calendar pages share: occurrence keys in addresses, and the rows the agenda, grids
and JSON show (the audit of a read is `frontend.views.common.audit_view`).

Every occurrence a page shows comes from `calendars.selectors`, which has already applied
the access policy; this module only shapes it. Attendance for all the events of a page is
read in one query, so a page costs the same few queries for ten events or two hundred.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest
from django.urls import reverse

from calendars.models import AttendanceResponse, CalendarEvent, EventAttendance
from calendars.recurrence import local_naive, localise, zone_get
from calendars.rules import event_may_change
from calendars.selectors import (
    Occurrence,
    event_get_for_viewer,
    event_occurrences,
    exceptions_of,
)
from caregraph.models import Network
from caregraph.policy import Viewer
from frontend.views.common import network_context, network_for_request

UTC = datetime.UTC
OCCURRENCE_KEY_FORMAT = "%Y%m%dT%H%M%SZ"


def occurrence_key(original_start: datetime.datetime) -> str:
    """An occurrence's original start (its iCalendar RECURRENCE-ID) as it goes in an address."""
    return original_start.astimezone(UTC).strftime(OCCURRENCE_KEY_FORMAT)


def occurrence_key_parse(key: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.strptime(key, OCCURRENCE_KEY_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def local_midnight(day: datetime.date) -> datetime.datetime:
    return localise(
        datetime.datetime.combine(day, datetime.time()), zone_get(settings.CALENDAR_TIME_ZONE)
    )


def local_day(moment: datetime.datetime) -> datetime.date:
    return local_naive(moment, zone_get(settings.CALENDAR_TIME_ZONE)).date()


def event_url(network_id: int, event: CalendarEvent, original: datetime.datetime | None) -> str:
    if original is None:
        return reverse("calendar_event", args=[network_id, event.pk])
    return reverse("calendar_occurrence", args=[network_id, event.pk, occurrence_key(original)])


def when_words(start: datetime.datetime, end: datetime.datetime, *, all_day: bool) -> str:
    """ "10:00 to 11:00", "All day", or with the days when it runs over several (UK time)."""
    local = zone_get(settings.CALENDAR_TIME_ZONE)
    start_local, end_local = local_naive(start, local), local_naive(end, local)
    if all_day:
        last = (end_local - datetime.timedelta(days=1)).date()
        if last <= start_local.date():
            return "All day"
        return f"All day, {start_local:%-d %B} to {last:%-d %B}"
    if start_local.date() == end_local.date():
        return f"{start_local:%H:%M} to {end_local:%H:%M}"
    return f"{start_local:%H:%M} on {start_local:%-d %B} to {end_local:%H:%M} on {end_local:%-d %B}"


@dataclass
class Attendance:
    """Who answered what, for one event: counts, and the viewer's own answer."""

    counts: Counter[str] = field(default_factory=Counter)
    mine: str | None = None

    @property
    def summary(self) -> str:
        parts = [
            f"{self.counts[response]} {label.lower()}"
            for response, label in (
                (AttendanceResponse.GOING, "going"),
                (AttendanceResponse.MAYBE, "maybe"),
                (AttendanceResponse.NOT_GOING, "not going"),
            )
            if self.counts[response]
        ]
        waiting = self.counts[AttendanceResponse.INVITED]
        if waiting:
            parts.append(f"{waiting} not answered")
        return ", ".join(parts) if parts else "Nobody has answered yet"

    @property
    def mine_label(self) -> str:
        return AttendanceResponse(self.mine).label if self.mine else ""


def attendance_for(*, events: Iterable[CalendarEvent], viewer: Viewer) -> dict[int, Attendance]:
    """Every listed event's attendance, in one query."""
    ids = {event.pk for event in events}
    found: dict[int, Attendance] = {event_id: Attendance() for event_id in ids}
    if not ids:
        return found
    rows = EventAttendance.objects.filter(event_id__in=ids).values_list(
        "event_id", "user_id", "response"
    )
    for event_id, user_id, response in rows:
        found[event_id].counts[response] += 1
        if user_id == viewer.user_id:
            found[event_id].mine = response
    return found


@dataclass
class Row:
    """One occurrence as the pages show it."""

    occurrence: Occurrence
    url: str
    ics_url: str
    attendance: Attendance
    may_change: bool

    @property
    def event(self) -> CalendarEvent:
        return self.occurrence.event

    @property
    def start_day(self) -> datetime.date:
        return local_day(self.occurrence.start)

    @property
    def last_day(self) -> datetime.date:
        """The last local day it covers (an end at midnight belongs to the day before)."""
        end = local_naive(self.occurrence.end, zone_get(settings.CALENDAR_TIME_ZONE))
        if end.time() == datetime.time() and end.date() > self.start_day:
            return end.date() - datetime.timedelta(days=1)
        return end.date()

    @property
    def when(self) -> str:
        return when_words(self.occurrence.start, self.occurrence.end, all_day=self.event.all_day)

    def as_json(self) -> dict[str, Any]:
        """The occurrence for the calendar library: wall-clock times in Europe/London
        without an offset (the library is told the calendar's zone is UTC, so that it shows
        them as they are, whatever zone the browser is in)."""
        occurrence = self.occurrence
        local = zone_get(settings.CALENDAR_TIME_ZONE)
        if self.event.all_day:
            start = self.start_day.isoformat()
            end = (self.last_day + datetime.timedelta(days=1)).isoformat()
        else:
            start = local_naive(occurrence.start, local).isoformat(timespec="minutes")
            end = local_naive(occurrence.end, local).isoformat(timespec="minutes")
        original = occurrence.original_start
        return {
            "id": f"{self.event.pk}-{occurrence_key(original)}" if original else str(self.event.pk),
            "title": occurrence.title,
            "start": start,
            "end": end,
            "allDay": self.event.all_day,
            "url": self.url,
            "kind": self.event.kind,
            "kindLabel": self.event.get_kind_display(),
            "location": occurrence.location,
            "when": self.when,
        }


def rows_for(*, network: Network, viewer: Viewer, occurrences: list[Occurrence]) -> list[Row]:
    events = {occurrence.event.pk: occurrence.event for occurrence in occurrences}
    attendance = attendance_for(events=events.values(), viewer=viewer)
    may_change = {
        event_id: event_may_change(event=event, viewer=viewer) for event_id, event in events.items()
    }
    return [
        Row(
            occurrence=occurrence,
            url=event_url(network.pk, occurrence.event, occurrence.original_start),
            ics_url=reverse("calendar_event_ics", args=[occurrence.event.pk]),
            attendance=attendance[occurrence.event.pk],
            may_change=may_change[occurrence.event.pk],
        )
        for occurrence in occurrences
    ]


# --- One event and one occurrence, found for the viewer ------------------------------------

ONE_SECOND = datetime.timedelta(seconds=1)


def calendar_context(network: Network, viewer: Viewer, **more: Any) -> dict[str, Any]:
    return network_context(network, viewer, section="calendar", **more)


def event_for_request(
    request: HttpRequest, network_id: int, event_id: int
) -> tuple[Network, Viewer, CalendarEvent]:
    network, viewer = network_for_request(request, network_id)
    return network, viewer, event_get_for_viewer(viewer=viewer, event_id=event_id)


def occurrence_for_key(event: CalendarEvent, key: str) -> Occurrence:
    """One occurrence of a series by its original start; 404 when the series has none then,
    or it was cancelled."""
    original = occurrence_key_parse(key)
    if original is None or not event.rrule:
        raise Http404("No such occurrence")
    moved = [
        each
        for each in exceptions_of(event)
        if each.original_start == original and each.start is not None and each.end is not None
    ]
    after = min([original, *(each.start for each in moved if each.start)])
    before = max([original + ONE_SECOND, *(each.end for each in moved if each.end)])
    for occurrence in event_occurrences(event, after=after, before=before):
        if occurrence.original_start == original:
            return occurrence
    raise Http404("No such occurrence")


def event_may_change_or_404(event: CalendarEvent, viewer: Viewer) -> None:
    # Offering nothing is the page's answer to someone who may see the event but not change
    # it; a change page they were never offered is simply not there for them.
    if not event_may_change(event=event, viewer=viewer):
        raise Http404("No such page")
