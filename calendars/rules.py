"""Who may change what in the calendar, on top of `caregraph.policy` (which decides who may
see it). Pages ask these to decide which buttons to show; services ask them to refuse.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from calendars.models import CalendarEvent, CareTask
from caregraph.policy import Viewer


def calendar_may_add(*, viewer: Viewer) -> bool:
    """Any member may add events and tasks; reviewing safeguarding leads only read."""
    return viewer.is_member


def event_may_change(*, event: CalendarEvent, viewer: Viewer) -> bool:
    """The organiser, whoever added the event, or a coordinator may change or cancel it."""
    if not viewer.is_member:
        return False
    return viewer.user_id in (event.organiser_id, event.created_by_id) or viewer.is_coordinator


def task_may_change(*, task: CareTask, viewer: Viewer) -> bool:
    """Whoever signed up for a task, whoever added it, or a coordinator may settle it."""
    if not viewer.is_member:
        return False
    return viewer.user_id in (task.claimed_by_id, task.created_by_id) or viewer.is_coordinator


def calendar_require_member(viewer: Viewer) -> None:
    if not calendar_may_add(viewer=viewer):
        raise PermissionDenied("Only members of this network can do that")


def event_require_may_change(*, event: CalendarEvent, viewer: Viewer) -> None:
    if not event_may_change(event=event, viewer=viewer):
        raise PermissionDenied("Only the organiser or a coordinator can change this event")
