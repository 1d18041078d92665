"""One event: adding it, its page (who is coming, answering, inviting), changing the whole
series or one occurrence, and cancelling either.

Views are thin: the policy finds the event (the same 404 for "not there" and "not yours"),
`calendars.rules` decides which buttons show, and the services decide and refuse. A form
that is wrong stores nothing and comes back with what was typed and the field named.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from calendars.forms import (
    AttendanceForm,
    CancelForm,
    EventForm,
    InviteForm,
    OccurrenceForm,
    Repeat,
    repeat_rule_read,
)
from calendars.models import AttendanceResponse, CalendarEvent
from calendars.recurrence import local_naive, zone_get
from calendars.rules import calendar_may_add, event_may_change
from calendars.selectors import (
    Occurrence,
    event_attendance_list,
    event_get_for_viewer,
    event_invitable_members,
    event_occurrences,
    exceptions_of,
)
from calendars.services.attendance import attendance_invite, attendance_respond
from calendars.services.events import (
    event_cancel,
    event_create,
    event_occurrence_cancel,
    event_occurrence_update,
    event_update,
)
from calendars.views.common import (
    audit_calendar_read,
    event_url,
    occurrence_key,
    occurrence_key_parse,
    when_words,
)
from caregraph.models import Network
from caregraph.policy import Viewer
from frontend.forms.kit import form_errors_from_service
from frontend.views.common import network_for_request, posted, signed_in_user

ONE_SECOND = datetime.timedelta(seconds=1)
COUNT_PART = re.compile(r";COUNT=(\d+)$")


def _context(network: Network, viewer: Viewer, **more: Any) -> dict[str, Any]:
    return {
        "network": network,
        "person": network.person,
        "viewer": viewer,
        "section": "calendar",
        **more,
    }


def _event(
    request: HttpRequest, network_id: int, event_id: int
) -> tuple[Network, Viewer, CalendarEvent]:
    network, viewer = network_for_request(request, network_id)
    return network, viewer, event_get_for_viewer(viewer=viewer, event_id=event_id)


def _occurrence(event: CalendarEvent, key: str) -> Occurrence:
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


def _repeat_words(event: CalendarEvent) -> str:
    """How a series repeats, in words where the form's choices can say it."""
    if not event.rrule:
        return ""
    counted = COUNT_PART.search(event.rrule)
    rule = event.rrule[: counted.start()] if counted else event.rrule
    simple = repeat_rule_read(rule, zone_name=event.timezone)
    if simple is None:
        return f"Repeats by the rule {event.rrule}"
    repeat, until = simple
    words = dict(Repeat.CHOICES)[repeat]
    if counted:
        return f"{words}, {counted.group(1)} times in all"
    return f"{words}, until {until:%-d %B %Y}" if until else f"{words}, with no end date"


def _may_change_or_404(event: CalendarEvent, viewer: Viewer) -> None:
    # Offering nothing is the page's answer to someone who may see the event but not change
    # it; a change page they were never offered is simply not there for them.
    if not event_may_change(event=event, viewer=viewer):
        raise Http404("No such page")


def _service_call_refused(refused: PermissionDenied) -> Http404:
    # The rules offered the page, the service refused (the standing changed in between).
    return Http404("No such page")


# --- Adding ---------------------------------------------------------------------------------


def _event_values(form: EventForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "kind": data["kind"],
        "start": data["start"],
        "end": data["end"],
        "all_day": data["all_day"],
        "location": data["location"],
        "notes": data["notes"],
        "visibility": data["visibility"],
        "rrule": data["rule"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def calendar_event_create_page(request: HttpRequest, network_id: int) -> HttpResponse:
    """Adding an event or a series. Any member may; reviewing safeguarding leads only read."""
    network, viewer = network_for_request(request, network_id)
    if not calendar_may_add(viewer=viewer):
        raise Http404("No such page")
    form = EventForm(
        posted(request),
        visibilities=viewer.visibilities_allowed(),
        advanced=viewer.is_professional,
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = event_create(
                network=network,
                viewer=viewer,
                created_by=signed_in_user(request),
                timezone_name=settings.CALENDAR_TIME_ZONE,
                **_event_values(form),
            )
        except ValidationError as error:
            form_errors_from_service(form, error, fields=form.service_fields())
        except PermissionDenied as refused:
            raise _service_call_refused(refused) from refused
        else:
            messages.success(request, f"'{event.title}' is in the calendar.")
            return redirect("calendar_event", network_id=network.pk, event_id=event.pk)
    return render(
        request,
        "calendars/event_form.html",
        _context(
            network, viewer, form=form, heading="Add to the calendar", button="Add to calendar"
        ),
    )


# --- The event's page -----------------------------------------------------------------------


def _invitable(event: CalendarEvent, viewer: Viewer) -> list[tuple[Any, str]]:
    """Active members who may see the event and are not invited yet, with a label each."""
    people = []
    for member in event_invitable_members(event=event, viewer=viewer):
        about = (
            member.agency.name if member.agency_id and member.agency else member.get_kind_display()
        )
        people.append((member.user, f"{member.user} ({about})"))
    return people


def _detail(
    request: HttpRequest,
    network: Network,
    viewer: Viewer,
    event: CalendarEvent,
    *,
    occurrence: Occurrence | None = None,
    attendance_form: AttendanceForm | None = None,
    invite_form: InviteForm | None = None,
) -> HttpResponse:
    audit_calendar_read(
        request,
        network=network,
        summary=f"Viewed '{event.title}' in the calendar",
        object_type="calendar_event",
        object_id=event.pk,
    )
    attendances = list(event_attendance_list(event=event, viewer=viewer))
    mine = next((each for each in attendances if each.user_id == viewer.user_id), None)
    may_change = event_may_change(event=event, viewer=viewer)
    may_answer = calendar_may_add(viewer=viewer)
    if attendance_form is None and may_answer:
        initial = (
            {"response": mine.response}
            if mine and mine.response != AttendanceResponse.INVITED
            else {}
        )
        attendance_form = AttendanceForm(initial=initial)
    if invite_form is None and may_change:
        invite_form = InviteForm(people=_invitable(event, viewer))
    shown_start = occurrence.start if occurrence else event.start
    shown_end = occurrence.end if occurrence else event.end
    # Only one form on the page carries errors at a time: the one that was sent.
    form = next(
        (each for each in (attendance_form, invite_form) if each is not None and each.errors), None
    )
    return render(
        request,
        "calendars/event_detail.html",
        _context(
            network,
            viewer,
            event=event,
            occurrence=occurrence,
            occurrence_key=occurrence_key(occurrence.original_start)
            if occurrence and occurrence.original_start
            else "",
            day=shown_start,
            when=when_words(shown_start, shown_end, all_day=event.all_day),
            repeats=_repeat_words(event),
            attendances=attendances,
            counts={
                response: sum(1 for each in attendances if each.response == response)
                for response in AttendanceResponse.values
            },
            mine=mine,
            may_change=may_change,
            attendance_form=attendance_form,
            invite_form=invite_form,
            form=form,
        ),
    )


@login_required
@require_http_methods(["GET"])
def calendar_event_page(request: HttpRequest, network_id: int, event_id: int) -> HttpResponse:
    network, viewer, event = _event(request, network_id, event_id)
    return _detail(request, network, viewer, event)


@login_required
@require_http_methods(["GET"])
def calendar_occurrence_page(
    request: HttpRequest, network_id: int, event_id: int, occurrence: str
) -> HttpResponse:
    network, viewer, event = _event(request, network_id, event_id)
    return _detail(request, network, viewer, event, occurrence=_occurrence(event, occurrence))


def _back_to(request: HttpRequest, network: Network, event: CalendarEvent) -> str:
    """The event's page, or the occurrence's the form was sent from."""
    key = request.POST.get("occurrence", "")
    original = occurrence_key_parse(key) if key else None
    return event_url(network.pk, event, original)


@login_required
@require_POST
def calendar_attendance_respond(
    request: HttpRequest, network_id: int, event_id: int
) -> HttpResponse:
    """A member answers going, maybe or not going (for the whole series)."""
    network, viewer, event = _event(request, network_id, event_id)
    if not calendar_may_add(viewer=viewer):
        raise Http404("No such page")
    form = AttendanceForm(request.POST)
    if form.is_valid():
        try:
            attendance = attendance_respond(
                event=event,
                viewer=viewer,
                user=signed_in_user(request),
                response=form.cleaned_data["response"],
            )
        except ValidationError as error:
            form_errors_from_service(form, error)
        else:
            label = AttendanceResponse(attendance.response).label.lower()
            messages.success(request, f"You answered '{label}'.")
            return redirect(_back_to(request, network, event))
    occurrence = (
        _occurrence(event, request.POST["occurrence"]) if request.POST.get("occurrence") else None
    )
    return _detail(request, network, viewer, event, occurrence=occurrence, attendance_form=form)


@login_required
@require_POST
def calendar_attendance_invite(
    request: HttpRequest, network_id: int, event_id: int
) -> HttpResponse:
    """The organiser invites members who may see the event."""
    network, viewer, event = _event(request, network_id, event_id)
    _may_change_or_404(event, viewer)
    form = InviteForm(request.POST, people=_invitable(event, viewer))
    if form.is_valid():
        users = form.chosen_users()
        try:
            attendance_invite(
                event=event, viewer=viewer, invited_by=signed_in_user(request), users=users
            )
        except ValidationError as error:
            form_errors_from_service(form, error)
        else:
            names = ", ".join(str(user) for user in users)
            messages.success(request, f"Invited {names}.")
            return redirect(_back_to(request, network, event))
    occurrence = (
        _occurrence(event, request.POST["occurrence"]) if request.POST.get("occurrence") else None
    )
    return _detail(request, network, viewer, event, occurrence=occurrence, invite_form=form)


# --- Changing -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def calendar_event_update_page(
    request: HttpRequest, network_id: int, event_id: int
) -> HttpResponse:
    """Changing an event, or every occurrence of a series."""
    network, viewer, event = _event(request, network_id, event_id)
    _may_change_or_404(event, viewer)
    initial, needs_advanced = EventForm.initial_for(event)
    form = EventForm(
        posted(request),
        initial=initial,
        visibilities=viewer.visibilities_allowed(),
        # A rule only the advanced field can say stays editable for whoever may change it.
        advanced=viewer.is_professional or needs_advanced,
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = event_update(
                event=event,
                viewer=viewer,
                updated_by=signed_in_user(request),
                timezone_name=event.timezone,
                **_event_values(form),
            )
        except ValidationError as error:
            form_errors_from_service(form, error, fields=form.service_fields())
        except PermissionDenied as refused:
            raise _service_call_refused(refused) from refused
        else:
            what = "every occurrence of " if event.rrule else ""
            messages.success(request, f"You changed {what}'{event.title}'.")
            return redirect("calendar_event", network_id=network.pk, event_id=event.pk)
    heading = "Change every occurrence" if event.rrule else "Change this event"
    return render(
        request,
        "calendars/event_form.html",
        _context(
            network,
            viewer,
            form=form,
            event=event,
            heading=heading,
            button="Save changes",
            back_url=event_url(network.pk, event, None),
        ),
    )


def _occurrence_initial(occurrence: Occurrence) -> dict[str, Any]:
    zone = zone_get(occurrence.event.timezone)
    start, end = local_naive(occurrence.start, zone), local_naive(occurrence.end, zone)
    return {
        "title": occurrence.title,
        "start_date": start.date(),
        "start_time": f"{start:%H:%M}",
        "end_date": end.date() if end.date() != start.date() else None,
        "end_time": f"{end:%H:%M}",
        "location": occurrence.location,
        "notes": occurrence.notes,
    }


def _overrides(
    event: CalendarEvent, occurrence: Occurrence, data: dict[str, Any]
) -> dict[str, str | None]:
    """The texts to keep for this occurrence alone: those that differ from the series, or
    that it already had of its own. The rest stay None and follow the series."""
    own = next(
        (each for each in exceptions_of(event) if each.original_start == occurrence.original_start),
        None,
    )
    chosen: dict[str, str | None] = {}
    for name in ("title", "location", "notes"):
        typed = data[name]
        differs = typed.strip() != getattr(event, name)
        already_own = own is not None and getattr(own, name) is not None
        chosen[name] = typed if differs or already_own else None
    return chosen


@login_required
@require_http_methods(["GET", "POST"])
def calendar_occurrence_update_page(
    request: HttpRequest, network_id: int, event_id: int, occurrence: str
) -> HttpResponse:
    """Changing one occurrence of a series and no other."""
    network, viewer, event = _event(request, network_id, event_id)
    _may_change_or_404(event, viewer)
    found = _occurrence(event, occurrence)
    form = OccurrenceForm(posted(request), initial=_occurrence_initial(found))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event_occurrence_update(
                event=event,
                viewer=viewer,
                updated_by=signed_in_user(request),
                occurrence=found.original_start,  # type: ignore[arg-type]
                start=data["start"],
                end=data["end"],
                **_overrides(event, found, data),
            )
        except ValidationError as error:
            form_errors_from_service(form, error, fields=OccurrenceForm.SERVICE_FIELDS)
        except PermissionDenied as refused:
            raise _service_call_refused(refused) from refused
        else:
            messages.success(request, "You changed this occurrence. The others are as they were.")
            return redirect(
                "calendar_occurrence",
                network_id=network.pk,
                event_id=event.pk,
                occurrence=occurrence,
            )
    return render(
        request,
        "calendars/occurrence_form.html",
        _context(
            network,
            viewer,
            form=form,
            event=event,
            occurrence=found,
            back_url=event_url(network.pk, event, found.original_start),
        ),
    )


# --- Cancelling -----------------------------------------------------------------------------


def _cancel_page(
    request: HttpRequest,
    network: Network,
    viewer: Viewer,
    event: CalendarEvent,
    *,
    occurrence: Occurrence | None,
) -> HttpResponse:
    form = CancelForm(posted(request))
    if request.method == "POST" and form.is_valid():
        user = signed_in_user(request)
        try:
            if occurrence is not None:
                event_occurrence_cancel(
                    event=event,
                    viewer=viewer,
                    cancelled_by=user,
                    occurrence=occurrence.original_start,  # type: ignore[arg-type]
                )
            else:
                event_cancel(event=event, viewer=viewer, cancelled_by=user)
        except ValidationError as error:
            form_errors_from_service(form, error)
        except PermissionDenied as refused:
            raise _service_call_refused(refused) from refused
        else:
            if occurrence is not None:
                messages.success(
                    request, f"You cancelled '{occurrence.title}' on {_day_words(occurrence)}."
                )
            else:
                messages.success(request, f"You cancelled '{event.title}'.")
            return redirect("calendar", network_id=network.pk)
    back = event_url(network.pk, event, occurrence.original_start if occurrence else None)
    return render(
        request,
        "calendars/cancel.html",
        _context(network, viewer, form=form, event=event, occurrence=occurrence, back_url=back),
    )


def _day_words(occurrence: Occurrence) -> str:
    local = local_naive(occurrence.start, zone_get(occurrence.event.timezone))
    return f"{local:%A %-d %B %Y}"


@login_required
@require_http_methods(["GET", "POST"])
def calendar_event_cancel_page(
    request: HttpRequest, network_id: int, event_id: int
) -> HttpResponse:
    """Cancelling an event, or every occurrence of a series."""
    network, viewer, event = _event(request, network_id, event_id)
    _may_change_or_404(event, viewer)
    return _cancel_page(request, network, viewer, event, occurrence=None)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_occurrence_cancel_page(
    request: HttpRequest, network_id: int, event_id: int, occurrence: str
) -> HttpResponse:
    """Cancelling one occurrence of a series; the others go ahead."""
    network, viewer, event = _event(request, network_id, event_id)
    _may_change_or_404(event, viewer)
    return _cancel_page(request, network, viewer, event, occurrence=_occurrence(event, occurrence))
