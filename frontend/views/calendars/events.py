"""One event's page: who is coming, answering, and inviting.

Views are thin: the policy finds the event (the same 404 for "not there" and "not yours"),
`calendars.rules` decides which buttons show, and the services decide and refuse. A form
that is wrong stores nothing and comes back with what was typed and the field named.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from calendars.models import AttendanceResponse, CalendarEvent
from calendars.rules import calendar_may_add, event_may_change
from calendars.selectors import (
    Occurrence,
    event_attendance_list,
    event_invitable_members,
)
from calendars.services.attendance import attendance_invite, attendance_respond
from caregraph.models import Network
from caregraph.policy import Viewer
from frontend.forms.calendars import (
    AttendanceForm,
    InviteForm,
    Repeat,
    repeat_rule_read,
)
from frontend.views.calendars.occurrences import (
    calendar_context,
    event_for_request,
    event_may_change_or_404,
    event_url,
    occurrence_for_key,
    occurrence_key,
    occurrence_key_parse,
    when_words,
)
from frontend.views.common import (
    audit_view,
    page_post,
    signed_in_user,
)

COUNT_PART = re.compile(r";COUNT=(\d+)$")


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
    audit_view(
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
        calendar_context(
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
    network, viewer, event = event_for_request(request, network_id, event_id)
    return _detail(request, network, viewer, event)


@login_required
@require_http_methods(["GET"])
def calendar_occurrence_page(
    request: HttpRequest, network_id: int, event_id: int, occurrence: str
) -> HttpResponse:
    network, viewer, event = event_for_request(request, network_id, event_id)
    return _detail(
        request, network, viewer, event, occurrence=occurrence_for_key(event, occurrence)
    )


def _back_to(request: HttpRequest, network: Network, event: CalendarEvent) -> str:
    """The event's page, or the occurrence's the form was sent from."""
    key = request.POST.get("occurrence", "")
    original = occurrence_key_parse(key) if key else None
    return event_url(network.pk, event, original)


def _posted_occurrence(request: HttpRequest, event: CalendarEvent) -> Occurrence | None:
    """The occurrence whose page the form was sent from; None for the event's own page."""
    key = request.POST.get("occurrence")
    return occurrence_for_key(event, key) if key else None


@login_required
@require_POST
def calendar_attendance_respond(
    request: HttpRequest, network_id: int, event_id: int
) -> HttpResponse:
    """A member answers going, maybe or not going (for the whole series)."""
    network, viewer, event = event_for_request(request, network_id, event_id)
    if not calendar_may_add(viewer=viewer):
        raise Http404("No such page")
    form = AttendanceForm(request.POST)
    done = page_post(
        request,
        form,
        lambda data: attendance_respond(
            event=event, viewer=viewer, user=signed_in_user(request), response=data["response"]
        ),
        success_url=_back_to(request, network, event),
        message=lambda attendance: (
            f"You answered '{AttendanceResponse(attendance.response).label.lower()}'."
        ),
    )
    if done is not None:
        return done
    occurrence = _posted_occurrence(request, event)
    return _detail(request, network, viewer, event, occurrence=occurrence, attendance_form=form)


@login_required
@require_POST
def calendar_attendance_invite(
    request: HttpRequest, network_id: int, event_id: int
) -> HttpResponse:
    """The organiser invites members who may see the event."""
    network, viewer, event = event_for_request(request, network_id, event_id)
    event_may_change_or_404(event, viewer)
    form = InviteForm(request.POST, people=_invitable(event, viewer))
    done = page_post(
        request,
        form,
        lambda data: attendance_invite(
            event=event,
            viewer=viewer,
            invited_by=signed_in_user(request),
            users=form.chosen_users(),
        ),
        success_url=_back_to(request, network, event),
        message=lambda _: f"Invited {', '.join(str(user) for user in form.chosen_users())}.",
    )
    if done is not None:
        return done
    occurrence = _posted_occurrence(request, event)
    return _detail(request, network, viewer, event, occurrence=occurrence, invite_form=form)
