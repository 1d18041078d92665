"""Reading the calendar: occurrences in a range, tasks, feeds, and the last professional contact.

Everything a user is shown passes through the access policy first; expansion of repeats
happens afterwards, in Python, on the events already fetched, so listing a month costs the
same few queries whether a network holds ten events or a thousand.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from calendars.models import (
    AttendanceResponse,
    CalendarEvent,
    CareTask,
    EventAttendance,
    EventException,
    EventKind,
    EventStatus,
    TaskOutcome,
)
from calendars.recurrence import Series, occurrence_starts, zone_get
from caregraph.models import MemberKind, Membership, MembershipStatus, Network
from caregraph.policy import (
    Viewer,
    audit_object_rule,
    ids_as_text,
    membership_filter,
    networks_visible_to,
    records_visible_to,
    users_who_may_see,
    viewers_for_user,
    visibility_filter,
)

# A professional's contact with the person: the kinds of event that count for the notice.
CONTACT_KINDS = (EventKind.HOME_VISIT, EventKind.APPOINTMENT, EventKind.MEETING)
# How far ahead a booked contact still counts as "booked".
CONTACT_BOOKED_AHEAD = datetime.timedelta(days=366)


@dataclass(frozen=True)
class Occurrence:
    """One time an event happens, with any change made to that occurrence alone applied."""

    event: CalendarEvent
    original_start: datetime.datetime | None  # the RECURRENCE-ID; None for a one-off event
    start: datetime.datetime
    end: datetime.datetime
    title: str
    location: str
    notes: str
    is_changed: bool


def exceptions_prefetch() -> Prefetch:
    """Prefetches an event's changed occurrences as a plain list: Django builds a queryset
    per event for a prefetched manager, which costs more than the query itself."""
    return Prefetch(
        "exceptions",
        queryset=EventException.objects.order_by("original_start"),
        to_attr="exception_list",
    )


def exceptions_of(event: CalendarEvent) -> list[EventException]:
    """An event's changed occurrences: prefetched where they were, else read now."""
    prefetched: list[EventException] | None = getattr(event, "exception_list", None)
    if prefetched is not None:
        return prefetched
    return list(event.exceptions.order_by("original_start"))


def series_of(event: CalendarEvent) -> Series:
    return Series(
        start=event.start, end=event.end, zone=zone_get(event.timezone), rrule=event.rrule
    )


def event_occurrences(
    event: CalendarEvent, *, after: datetime.datetime, before: datetime.datetime
) -> list[Occurrence]:
    """The occurrences of one event overlapping [after, before): cancelled ones left out,
    moved ones where they were moved to. Uses `exceptions_prefetch` where it was applied."""
    series = series_of(event)
    if not event.rrule:
        starts = occurrence_starts(series, after=after, before=before)
        return [
            Occurrence(
                event=event,
                original_start=None,
                start=event.start,
                end=event.end,
                title=event.title,
                location=event.location,
                notes=event.notes,
                is_changed=False,
            )
            for _ in starts
        ]
    exceptions = {each.original_start: each for each in exceptions_of(event)}
    originals = set(occurrence_starts(series, after=after, before=before))
    # A moved occurrence belongs here if it now overlaps the range, wherever it came from.
    for original, each in exceptions.items():
        moved = each.start is not None and each.end is not None
        if moved and each.start < before and each.end > after:  # type: ignore[operator]
            originals.add(original)
    found = []
    for original in sorted(originals):
        exception = exceptions.get(original)
        if exception is None:
            found.append(
                Occurrence(
                    event=event,
                    original_start=original,
                    start=original,
                    end=series.end_for(original),
                    title=event.title,
                    location=event.location,
                    notes=event.notes,
                    is_changed=False,
                )
            )
            continue
        if exception.cancelled:
            continue
        start = exception.start or original
        end = exception.end or series.end_for(original)
        if not (start < before and end > after):
            continue
        found.append(
            Occurrence(
                event=event,
                original_start=original,
                start=start,
                end=end,
                title=exception.title if exception.title is not None else event.title,
                location=exception.location if exception.location is not None else event.location,
                notes=exception.notes if exception.notes is not None else event.notes,
                is_changed=True,
            )
        )
    return found


def occurrences_between(
    events: Iterable[CalendarEvent], *, after: datetime.datetime, before: datetime.datetime
) -> list[Occurrence]:
    """Every occurrence of these events overlapping [after, before), by start time."""
    found = [
        occurrence
        for event in events
        for occurrence in event_occurrences(event, after=after, before=before)
    ]
    return sorted(found, key=lambda occurrence: (occurrence.start, occurrence.event.pk))


def _overlapping(
    events: QuerySet[CalendarEvent], *, after: datetime.datetime, before: datetime.datetime
) -> QuerySet[CalendarEvent]:
    return events.filter(spans_from__lt=before).filter(
        Q(spans_until__isnull=True) | Q(spans_until__gt=after)
    )


def event_list_visible_to(*, viewer: Viewer) -> QuerySet[CalendarEvent]:
    """The events (series, not occurrences) of one network this viewer may see."""
    events = CalendarEvent.objects.filter(status=EventStatus.CONFIRMED)
    return (
        records_visible_to(events, viewer=viewer)
        .select_related("organiser")
        .prefetch_related(exceptions_prefetch())
        .order_by("spans_from", "pk")
    )


def event_get_for_viewer(*, viewer: Viewer, event_id: int | str) -> CalendarEvent:
    """One event this viewer may see; the same 404 for "not there" and "not yours"."""
    from caregraph.policy import record_get_for_viewer

    return record_get_for_viewer(
        event_list_visible_to(viewer=viewer), viewer=viewer, record_id=event_id
    )


def event_occurrence_list_visible_to(
    *, viewer: Viewer, after: datetime.datetime, before: datetime.datetime
) -> list[Occurrence]:
    """The occurrences in [after, before) of the events this viewer may see, by start."""
    events = _overlapping(event_list_visible_to(viewer=viewer), after=after, before=before)
    return occurrences_between(events, after=after, before=before)


def event_attendance_list(*, event: CalendarEvent, viewer: Viewer) -> QuerySet[EventAttendance]:
    """Who is invited and what they answered, for anyone who may see the event: those whose
    membership the viewer may know of."""
    known = Membership.objects.filter(network_id=event.network_id).filter(
        membership_filter(viewer=viewer)
    )
    return (
        event.attendances.filter(user_id__in=known.values("user_id"))
        .select_related("user")
        .order_by("invited_at", "pk")
    )


def event_invitable_members(*, event: CalendarEvent, viewer: Viewer) -> QuerySet[Membership]:
    """Active members the viewer may know of who may see the event and are not invited yet:
    nobody learns of an event through an invitation."""
    allowed = users_who_may_see(
        network=event.network,
        visibility=event.visibility,
        author_id=event.created_by_id,
        author_agency_id=event.author_agency_id,
    )
    invited = set(event.attendances.values_list("user_id", flat=True))
    return (
        Membership.objects.filter(
            network_id=event.network_id,
            status=MembershipStatus.ACTIVE,
            user_id__in=allowed - invited,
        )
        .filter(membership_filter(viewer=viewer))
        .select_related("user", "agency")
        .order_by("user__display_name", "pk")
    )


def task_list_visible_to(*, viewer: Viewer) -> QuerySet[CareTask]:
    """The tasks of one network this viewer may see, soonest due first."""
    return (
        records_visible_to(CareTask.objects.all(), viewer=viewer)
        .select_related("claimed_by", "completed_by", "medicine")
        .order_by("due_at", "pk")
    )


def task_get_for_viewer(*, viewer: Viewer, task_id: int | str) -> CareTask:
    from caregraph.policy import record_get_for_viewer

    return record_get_for_viewer(
        task_list_visible_to(viewer=viewer), viewer=viewer, record_id=task_id
    )


@audit_object_rule("calendar_event")
def _audit_events(viewer: Viewer) -> QuerySet[Any, Any]:
    return ids_as_text(records_visible_to(CalendarEvent.objects.all(), viewer=viewer))


@audit_object_rule("care_task")
def _audit_tasks(viewer: Viewer) -> QuerySet[Any, Any]:
    return ids_as_text(records_visible_to(CareTask.objects.all(), viewer=viewer))


def task_open_list_visible_to(*, viewer: Viewer) -> QuerySet[CareTask]:
    """Tasks still waiting for someone to sign up."""
    return task_list_visible_to(viewer=viewer).filter(
        claimed_by__isnull=True, outcome=TaskOutcome.PENDING
    )


# --- Feeds ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedContents:
    """The networks a user's feed spans and their standing in each: its events are those
    each standing may see (`events`), read only when the feed is built."""

    networks: list[Network]
    viewers: dict[int, Viewer]

    @property
    def events(self) -> QuerySet[CalendarEvent]:
        allowed = [
            Q(network_id=network_id) & visibility_filter(viewer=standing)
            for network_id, standing in self.viewers.items()
        ]
        if not allowed:
            return CalendarEvent.objects.none()
        events = CalendarEvent.objects.filter(status=EventStatus.CONFIRMED).filter(
            reduce(or_, allowed)
        )
        return events.order_by("spans_from", "pk")


def feed_contents_for_user(*, user: User) -> FeedContents:
    """Everything a user's personal feed holds: the events they may see in every network
    they may see today (active member, or reviewing safeguarding lead). Never concerns, and
    nothing from a network they have left."""
    networks = list(networks_visible_to(user=user).select_related("person").order_by("pk"))
    viewers = viewers_for_user(user=user, networks=networks)
    return FeedContents(networks=networks if viewers else [], viewers=viewers)


# --- The no-contact notice ------------------------------------------------------------------


def _professional_contact_events(*, network: Network) -> QuerySet[CalendarEvent]:
    professionals = Membership.objects.filter(
        network=network, status=MembershipStatus.ACTIVE, kind=MemberKind.PROFESSIONAL
    ).values("user_id")
    attended = EventAttendance.objects.filter(
        user_id__in=professionals, response=AttendanceResponse.GOING
    ).values("event_id")
    return (
        CalendarEvent.objects.filter(
            network=network, status=EventStatus.CONFIRMED, kind__in=CONTACT_KINDS
        )
        .filter(Q(organiser_id__in=professionals) | Q(pk__in=attended))
        .prefetch_related(exceptions_prefetch())
    )


def network_contact_gap(*, network: Network, now: datetime.datetime | None = None) -> int | None:
    """Days without professional contact, or None while contact is recent enough.

    Contact is a home visit, appointment or meeting organised by, or answered "going" by,
    a current professional member. It is fine while one was held in the past
    NO_CONTACT_DAYS or one is booked ahead; otherwise the answer is the calendar days since
    the last one, or since the network began when there never was one. It counts every such
    event, whatever its visibility: callers decide who is shown the number.
    """
    now = now or timezone.now()
    window_start = now - datetime.timedelta(days=settings.NO_CONTACT_DAYS)
    events = list(_professional_contact_events(network=network))
    if occurrences_between(events, after=window_start, before=now + CONTACT_BOOKED_AHEAD):
        return None
    if network.created_at > window_start:
        return None
    earliest = min((event.spans_from for event in events), default=window_start)
    past = occurrences_between(events, after=earliest, before=window_start)
    last_contact = max((occurrence.end for occurrence in past), default=network.created_at)
    return (timezone.localdate(now) - timezone.localdate(last_contact)).days
