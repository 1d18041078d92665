"""iCalendar (RFC 5545) for the calendar: a member's whole feed, or one event.

Built with the icalendar library, which folds long lines and escapes text. A series is one
VEVENT with its RRULE, EXDATEs for cancelled occurrences and one more VEVENT per changed
occurrence, with the same UID and a RECURRENCE-ID; times carry their TZID and the calendar
carries a VTIMEZONE for each zone used, so any calendar app expands the series to the same
instants we do, on either side of the clock changes.

A feed leaves Caregraph for whatever calendar app the member uses, so it carries what is
needed to turn up (title, time, place) and links back for the rest: an event's notes stay
behind sign-in.
"""

from __future__ import annotations

import datetime
import functools
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from icalendar import Calendar, Component, Event, Timezone, vDuration, vRecur

from calendars.models import CalendarEvent, EventException
from calendars.recurrence import local_naive, zone_get
from calendars.selectors import exceptions_of, exceptions_prefetch, series_of
from caregraph.models import Visibility

PRODID = "-//Caregraph//Shared calendar//EN"
# How often calendar apps are asked to fetch a feed again.
REFRESH_INTERVAL = datetime.timedelta(minutes=30)
# The VTIMEZONE lists clock changes this far beyond the last event, for open-ended series.
ZONE_YEARS_AHEAD = 5
# Serialised events kept in memory, across every feed this process serves.
EVENTS_CACHED = 50_000
# Lines of this many octets or more are folded (RFC 5545: at most 75 to a line).
FOLD_AT = 75


def _when(value: datetime.datetime, *, event: CalendarEvent) -> datetime.datetime | datetime.date:
    """A time as the feed writes it: a local date for all-day events, else local time with
    its TZID, so that a series follows the clock changes of its zone."""
    zone = zone_get(event.timezone)
    if event.all_day:
        return local_naive(value, zone).date()
    return value.astimezone(zone)


def _link(event: CalendarEvent) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/networks/{event.network_id}/"


def _component_base(event: CalendarEvent, *, title: str, location: str) -> Event:
    component = Event()
    component.add("uid", event.uid)
    # Without a METHOD, DTSTAMP is when the event last changed: the feed's bytes, and so its
    # ETag, stay the same between fetches until something changes.
    component.add("dtstamp", event.updated_at)
    component.add("sequence", event.sequence)
    component.add("summary", title)
    if location:
        component.add("location", location)
    component.add("description", f"Details in Caregraph (sign-in needed): {_link(event)}")
    component.add("url", _link(event))
    component.add("categories", [event.get_kind_display()])
    component.add("status", "CONFIRMED")
    # Calendar apps hide the details of CONFIDENTIAL events when a calendar is shared on.
    component.add("class", "PUBLIC" if event.visibility == Visibility.NETWORK else "CONFIDENTIAL")
    return component


def _override(event: CalendarEvent, exception: EventException) -> Event:
    series = series_of(event)
    start = exception.start or exception.original_start
    end = exception.end or series.end_for(exception.original_start)
    component = _component_base(
        event,
        title=exception.title if exception.title is not None else event.title,
        location=exception.location if exception.location is not None else event.location,
    )
    component.add("recurrence-id", _when(exception.original_start, event=event))
    component.add("dtstart", _when(start, event=event))
    component.add("dtend", _when(end, event=event))
    return component


def event_components(event: CalendarEvent) -> list[Event]:
    """The VEVENTs of one event: the series itself, then one per changed occurrence."""
    main = _component_base(event, title=event.title, location=event.location)
    main.add("dtstart", _when(event.start, event=event))
    main.add("dtend", _when(event.end, event=event))
    main.add("created", event.created_at)
    main.add("last-modified", event.updated_at)
    components = [main]
    if not event.rrule:
        return components
    main.add("rrule", vRecur.from_ical(event.rrule))
    exceptions = exceptions_of(event)
    cancelled = [_when(each.original_start, event=event) for each in exceptions if each.cancelled]
    if cancelled:
        main.add("exdate", cancelled)
    components += [_override(event, each) for each in exceptions if not each.cancelled]
    return components


# What an event's VEVENTs are made of, read as plain rows for a whole feed at once.
EVENT_FIELDS = (
    "pk",
    "uid",
    "sequence",
    "network_id",
    "title",
    "kind",
    "start",
    "end",
    "timezone",
    "all_day",
    "rrule",
    "location",
    "visibility",
    "created_at",
    "updated_at",
    "spans_from",
    "spans_until",
)
EXCEPTION_FIELDS = ("original_start", "cancelled", "start", "end", "title", "location")
ROW_PK, ROW_TIMEZONE, ROW_ALL_DAY = 0, 8, 9
ROW_SPANS_FROM, ROW_SPANS_UNTIL = 15, 16
MISSING_CHUNK = 500


def _key(row: tuple[object, ...], exceptions: tuple[object, ...]) -> tuple[object, ...]:
    """Everything an event's VEVENTs are made of, so a cached copy is never stale."""
    return (*row, settings.SITE_URL, exceptions)


def _model_key(event: CalendarEvent) -> tuple[object, ...]:
    row = tuple(getattr(event, name) for name in EVENT_FIELDS)
    exceptions = tuple(
        tuple(getattr(each, name) for name in EXCEPTION_FIELDS) for each in exceptions_of(event)
    )
    return _key(row, exceptions)


class _BytesCache:
    """A small least-recently-used cache of serialised events, shared by every feed in
    this process: calendar apps poll often and events change rarely. Keys hold every value
    the bytes are made of, and what may see an event is decided before the cache is asked."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> bytes | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: tuple[object, ...], value: bytes) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


_events_serialised = _BytesCache(size=EVENTS_CACHED)


def event_ics(event: CalendarEvent) -> bytes:
    """An event's VEVENTs as iCalendar bytes (folded, escaped), from the cache if unchanged."""
    key = _model_key(event)
    found = _events_serialised.get(key)
    if found is None:
        found = b"".join(component_ics(component) for component in event_components(event))
        _events_serialised.put(key, found)
    return found


def component_ics(component: Component) -> bytes:
    """The same bytes as `component.to_ical()`, in less time: the library folds every line
    character by character, though most are too short to fold (under FOLD_AT octets, which
    its folding leaves as they are); only the long ones are folded by the library."""
    lines = []
    for line in component.content_lines():
        if not line:
            continue
        encoded = line.encode()
        lines.append(encoded if len(encoded) < FOLD_AT else line.to_ical())
    return b"\r\n".join(lines) + b"\r\n"


@functools.lru_cache(maxsize=64)
def _zone_ics(zone_key: str, first_year: int, last_year: int) -> bytes:
    """A VTIMEZONE listing the clock changes of whole years, so it changes once a year."""
    zone = Timezone.from_tzid(
        zone_key,
        first_date=datetime.date(first_year, 1, 1),
        last_date=datetime.date(last_year + 1, 1, 1),
    )
    return bytes(zone.to_ical())


def _calendar_assemble(*, rows: list[tuple[Any, ...]], bodies: list[bytes], name: str) -> bytes:
    """The calendar's own lines, a VTIMEZONE for each zone a timed event uses (over the
    years its events span), then each event's VEVENTs."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    head = bytes(calendar.to_ical())
    end = b"END:VCALENDAR\r\n"
    assert head.endswith(end)
    this_year = timezone.localdate().year
    years: dict[str, tuple[int, int]] = {}
    for row in rows:
        if row[ROW_ALL_DAY]:
            continue
        first, last = years.get(row[ROW_TIMEZONE], (this_year, this_year + ZONE_YEARS_AHEAD))
        spans_until = row[ROW_SPANS_UNTIL]
        last_year = spans_until.year if spans_until is not None else last
        years[row[ROW_TIMEZONE]] = (min(first, row[ROW_SPANS_FROM].year), max(last, last_year))
    zones = [_zone_ics(key, first, last) for key, (first, last) in sorted(years.items())]
    return b"".join([head[: -len(end)], *zones, *bodies, end])


def calendar_ics(*, events: Iterable[CalendarEvent], name: str) -> bytes:
    """A whole VCALENDAR holding these events, as bytes ready to serve."""
    events = list(events)
    rows = [tuple(getattr(event, field) for field in EVENT_FIELDS) for event in events]
    return _calendar_assemble(rows=rows, bodies=[event_ics(event) for event in events], name=name)


def feed_ics(*, events: QuerySet[CalendarEvent], name: str) -> bytes:
    """A whole VCALENDAR of the events a query selects: a member's feed.

    Events are read as plain rows, which is what a feed of a thousand events mostly costs;
    only those changed since they were last serialised are loaded and built again.
    """
    rows = list(events.order_by("spans_from", "pk").values_list(*EVENT_FIELDS))
    exceptions: dict[int, list[tuple[object, ...]]] = defaultdict(list)
    for event_id, *values in (
        EventException.objects.filter(event__in=events.values("pk"))
        .order_by("event_id", "original_start")
        .values_list("event_id", *EXCEPTION_FIELDS)
    ):
        exceptions[event_id].append(tuple(values))
    bodies: dict[int, bytes] = {}
    missing = []
    for row in rows:
        found = _events_serialised.get(_key(row, tuple(exceptions.get(row[ROW_PK], ()))))
        if found is None:
            missing.append(row[ROW_PK])
        else:
            bodies[row[ROW_PK]] = found
    for chunk in range(0, len(missing), MISSING_CHUNK):
        changed = CalendarEvent.objects.filter(
            pk__in=missing[chunk : chunk + MISSING_CHUNK]
        ).prefetch_related(exceptions_prefetch())
        for event in changed:
            bodies[event.pk] = event_ics(event)
    present = [row for row in rows if row[ROW_PK] in bodies]  # none deleted in between
    return _calendar_assemble(
        rows=present, bodies=[bodies[row[ROW_PK]] for row in present], name=name
    )
