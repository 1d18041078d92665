"""Adding an event or a series, changing the whole series or one occurrence, and cancelling
either.

Views are thin: the policy finds the event (the same 404 for "not there" and "not yours"),
`calendars.rules` decides which buttons show, and the services decide and refuse. A form
that is wrong stores nothing and comes back with what was typed and the field named.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from calendars.models import CalendarEvent
from calendars.recurrence import local_naive, zone_get
from calendars.rules import calendar_may_add
from calendars.selectors import (
    Occurrence,
    exceptions_of,
)
from calendars.services.events import (
    event_cancel,
    event_create,
    event_occurrence_cancel,
    event_occurrence_update,
    event_update,
)
from caregraph.models import Network
from caregraph.policy import Viewer
from frontend.forms.calendars import (
    CancelForm,
    EventForm,
    OccurrenceForm,
)
from frontend.views.calendars.occurrences import (
    calendar_context,
    event_for_request,
    event_may_change_or_404,
    event_url,
    occurrence_for_key,
)
from frontend.views.common import (
    network_for_request,
    page_post,
    posted,
    signed_in_user,
)

# The rules offered the page, the service refused (the standing changed in between).
SERVICE_REFUSED = "No such page"


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
    done = page_post(
        request,
        form,
        lambda data: event_create(
            network=network,
            viewer=viewer,
            created_by=signed_in_user(request),
            timezone_name=settings.CALENDAR_TIME_ZONE,
            **_event_values(form),
        ),
        success_url=lambda event: event_url(network.pk, event, None),
        message=lambda event: f"'{event.title}' is in the calendar.",
        fields=form.service_fields,
        refused=SERVICE_REFUSED,
    )
    if done is not None:
        return done
    return render(
        request,
        "calendars/event_form.html",
        calendar_context(
            network, viewer, form=form, heading="Add to the calendar", button="Add to calendar"
        ),
    )


# --- Changing -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def calendar_event_update_page(
    request: HttpRequest, network_id: int, event_id: int
) -> HttpResponse:
    """Changing an event, or every occurrence of a series."""
    network, viewer, event = event_for_request(request, network_id, event_id)
    event_may_change_or_404(event, viewer)
    initial, needs_advanced = EventForm.initial_for(event)
    form = EventForm(
        posted(request),
        initial=initial,
        visibilities=viewer.visibilities_allowed(),
        # A rule only the advanced field can say stays editable for whoever may change it.
        advanced=viewer.is_professional or needs_advanced,
    )
    done = page_post(
        request,
        form,
        lambda data: event_update(
            event=event,
            viewer=viewer,
            updated_by=signed_in_user(request),
            timezone_name=event.timezone,
            **_event_values(form),
        ),
        success_url=lambda changed: event_url(network.pk, changed, None),
        message=lambda changed: (
            f"You changed {'every occurrence of ' if changed.rrule else ''}'{changed.title}'."
        ),
        fields=form.service_fields,
        refused=SERVICE_REFUSED,
    )
    if done is not None:
        return done
    heading = "Change every occurrence" if event.rrule else "Change this event"
    return render(
        request,
        "calendars/event_form.html",
        calendar_context(
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
    network, viewer, event = event_for_request(request, network_id, event_id)
    event_may_change_or_404(event, viewer)
    found = occurrence_for_key(event, occurrence)
    form = OccurrenceForm(posted(request), initial=_occurrence_initial(found))
    done = page_post(
        request,
        form,
        lambda data: event_occurrence_update(
            event=event,
            viewer=viewer,
            updated_by=signed_in_user(request),
            occurrence=found.original_start,  # type: ignore[arg-type]
            start=data["start"],
            end=data["end"],
            **_overrides(event, found, data),
        ),
        success_url=reverse("calendar_occurrence", args=[network.pk, event.pk, occurrence]),
        message="You changed this occurrence. The others are as they were.",
        fields=OccurrenceForm.SERVICE_FIELDS,
        refused=SERVICE_REFUSED,
    )
    if done is not None:
        return done
    return render(
        request,
        "calendars/occurrence_form.html",
        calendar_context(
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

    def cancel(data: dict[str, Any]) -> None:
        user = signed_in_user(request)
        if occurrence is not None:
            event_occurrence_cancel(
                event=event,
                viewer=viewer,
                cancelled_by=user,
                occurrence=occurrence.original_start,  # type: ignore[arg-type]
            )
        else:
            event_cancel(event=event, viewer=viewer, cancelled_by=user)

    done = page_post(
        request,
        form,
        cancel,
        success_url=reverse("calendar", args=[network.pk]),
        message=f"You cancelled '{occurrence.title}' on {_day_words(occurrence)}."
        if occurrence is not None
        else f"You cancelled '{event.title}'.",
        refused=SERVICE_REFUSED,
    )
    if done is not None:
        return done
    back = event_url(network.pk, event, occurrence.original_start if occurrence else None)
    return render(
        request,
        "calendars/cancel.html",
        calendar_context(
            network, viewer, form=form, event=event, occurrence=occurrence, back_url=back
        ),
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
    network, viewer, event = event_for_request(request, network_id, event_id)
    event_may_change_or_404(event, viewer)
    return _cancel_page(request, network, viewer, event, occurrence=None)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_occurrence_cancel_page(
    request: HttpRequest, network_id: int, event_id: int, occurrence: str
) -> HttpResponse:
    """Cancelling one occurrence of a series; the others go ahead."""
    network, viewer, event = event_for_request(request, network_id, event_id)
    event_may_change_or_404(event, viewer)
    return _cancel_page(
        request, network, viewer, event, occurrence=occurrence_for_key(event, occurrence)
    )
