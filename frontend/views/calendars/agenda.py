"""A network's calendar: the agenda (the next weeks, day by day), and month and week grids.

The agenda and the grids are complete HTML that needs no JavaScript. Where it runs,
calendar-views.mjs draws the month and week with FullCalendar from `calendar_occurrences_json`
and keeps the agenda up to date from the network's live event log, fetching the agenda's
list again (`?fragment=1`) when an event the viewer may see is added or changed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from calendars.rules import calendar_may_add
from calendars.selectors import event_occurrence_list_visible_to
from caregraph.models import Network
from caregraph.policy import Viewer
from frontend.fragments import fragment_cached
from frontend.fragments_pages import month_weeks_html
from frontend.kept_pages import kept_page
from frontend.views.calendars.occurrences import Row, local_midnight, rows_for
from frontend.views.common import audit_view, network_context, network_for_request

AGENDA_DAYS = 28
JSON_RANGE_MAX_DAYS = 62
VIEWS = ("agenda", "month", "week")
ONE_DAY = datetime.timedelta(days=1)


@dataclass
class Day:
    date: datetime.date
    rows: list[Row] = field(default_factory=list)
    in_month: bool = True
    is_today: bool = False


def _date_param(request: HttpRequest, name: str) -> datetime.date | None:
    """A date from the address (YYYY-MM-DD, or longer ISO text from which the date is read);
    None when there is none or it is not a real date, so a bad link shows today instead."""
    typed = request.GET.get(name, "")[:10]
    try:
        return datetime.date.fromisoformat(typed) if typed else None
    except ValueError:
        return None


def _rows_between(
    network: Network, viewer: Viewer, first: datetime.date, after_last: datetime.date
) -> list[Row]:
    occurrences = event_occurrence_list_visible_to(
        viewer=viewer, after=local_midnight(first), before=local_midnight(after_last)
    )
    return rows_for(network=network, viewer=viewer, occurrences=occurrences)


def _days(rows: list[Row], first: datetime.date, after_last: datetime.date) -> list[Day]:
    """Each day from `first` up to `after_last`, with the rows on it; a row that runs over
    several days is on each of them."""
    today = timezone.localdate()
    days = {}
    day = first
    while day < after_last:
        days[day] = Day(date=day, is_today=day == today)
        day += ONE_DAY
    for row in rows:
        day = max(row.start_day, first)
        while day <= row.last_day and day < after_last:
            days[day].rows.append(row)
            day += ONE_DAY
    return list(days.values())


def _context(network: Network, viewer: Viewer, **more: Any) -> dict[str, Any]:
    return network_context(
        network, viewer, may_add=calendar_may_add(viewer=viewer), section="calendar", **more
    )


@login_required
@require_GET
def calendar_page(request: HttpRequest, network_id: int) -> HttpResponse:
    """The calendar: the agenda, or `?view=month` / `?view=week`."""
    network, viewer = network_for_request(request, network_id)
    view = request.GET.get("view", "agenda")
    if view == "month":
        audit_view(
            request, network=network, summary="Viewed the calendar month", object_type="calendar"
        )
        page = _month
    elif view == "week":
        audit_view(
            request, network=network, summary="Viewed the calendar week", object_type="calendar"
        )
        page = _week
    else:
        return _agenda(request, network, viewer)
    # Kept whole for a viewer who asks again while nothing on it has changed.
    return kept_page(
        request,
        f"calendar-{view}",
        network=network,
        viewer=viewer,
        render=lambda: page(request, network, viewer),
    )


def _agenda(request: HttpRequest, network: Network, viewer: Viewer) -> HttpResponse:
    # The page is as new as this sequence: the live script asks for what came after it.
    live_sequence = network.last_sequence
    today = timezone.localdate()
    first = _date_param(request, "from") or today
    after_last = first + datetime.timedelta(days=AGENDA_DAYS)
    rows = _rows_between(network, viewer, first, after_last)
    days = [day for day in _days(rows, first, after_last) if day.rows]
    fragment = request.GET.get("fragment") == "1"
    audit_view(
        request,
        network=network,
        summary="Viewed the calendar" + (" (updated live)" if fragment else ""),
        object_type="calendar",
    )
    context = _context(
        network,
        viewer,
        days=days,
        first=first,
        last=after_last - ONE_DAY,
        earlier=first - datetime.timedelta(days=AGENDA_DAYS),
        later=after_last,
        is_today=first == today,
        live_sequence=live_sequence,
        view="agenda",
    )
    if fragment:
        return render(request, "calendars/_agenda_days.html", context)
    return render(request, "calendars/agenda.html", context)


def _month(request: HttpRequest, network: Network, viewer: Viewer) -> HttpResponse:
    chosen = _date_param(request, "date") or timezone.localdate()
    month_start = chosen.replace(day=1)
    next_month = (month_start + datetime.timedelta(days=32)).replace(day=1)
    first = month_start - datetime.timedelta(days=month_start.weekday())
    after_last = next_month + datetime.timedelta(days=(7 - next_month.weekday()) % 7)

    def weeks_render() -> SafeString:
        days = _days(_rows_between(network, viewer, first, after_last), first, after_last)
        for day in days:
            day.in_month = day.date.month == month_start.month
        return month_weeks_html(days[index : index + 7] for index in range(0, len(days), 7))

    # The same state of the network, read by the same audiences on the same day, shows the
    # same month.
    weeks_html = fragment_cached(
        "calendar-month", network=network, viewer=viewer, render=weeks_render, vary=(first,)
    )
    previous_month = (month_start - ONE_DAY).replace(day=1)
    return render(
        request,
        "calendars/month.html",
        _context(
            network,
            viewer,
            view="month",
            month_start=month_start,
            weeks_html=weeks_html,
            # Shown short, read in full.
            weekdays=[
                ("Mon", "Monday"),
                ("Tue", "Tuesday"),
                ("Wed", "Wednesday"),
                ("Thu", "Thursday"),
                ("Fri", "Friday"),
                ("Sat", "Saturday"),
                ("Sun", "Sunday"),
            ],
            previous=previous_month,
            next=next_month,
            live_sequence=network.last_sequence,
        ),
    )


def _week(request: HttpRequest, network: Network, viewer: Viewer) -> HttpResponse:
    chosen = _date_param(request, "date") or timezone.localdate()
    first = chosen - datetime.timedelta(days=chosen.weekday())
    after_last = first + datetime.timedelta(days=7)
    rows = _rows_between(network, viewer, first, after_last)
    return render(
        request,
        "calendars/week.html",
        _context(
            network,
            viewer,
            view="week",
            days=_days(rows, first, after_last),
            first=first,
            last=after_last - ONE_DAY,
            previous=first - datetime.timedelta(days=7),
            next=after_last,
            live_sequence=network.last_sequence,
        ),
    )


@login_required
@require_GET
def calendar_occurrences_json(request: HttpRequest, network_id: int) -> JsonResponse:
    """The viewer's occurrences from `start` up to `end` (local dates), for the month and
    week views: only what the policy lets them see, repeats expanded."""
    network, viewer = network_for_request(request, network_id)
    first, after_last = _date_param(request, "start"), _date_param(request, "end")
    errors: dict[str, list[str]] = {}
    if first is None:
        errors["start"] = ["Give the first day as YYYY-MM-DD"]
    if after_last is None:
        errors["end"] = ["Give the day after the last as YYYY-MM-DD"]
    if first is not None and after_last is not None:
        if after_last <= first:
            errors["end"] = ["The end must be after the start"]
        elif (after_last - first).days > JSON_RANGE_MAX_DAYS:
            errors["end"] = [f"Ask for at most {JSON_RANGE_MAX_DAYS} days at a time"]
    if errors:
        return JsonResponse({"errors": errors}, status=400)
    assert first is not None and after_last is not None
    rows = _rows_between(network, viewer, first, after_last)
    audit_view(request, network=network, summary="Viewed the calendar", object_type="calendar")
    response = JsonResponse([row.as_json() for row in rows], safe=False)
    response["Cache-Control"] = "private, no-store"
    return response
