"""Tasks people sign up for: 'collect the prescription on Tuesday', 'a lift to the hospital'.

A task is open until one member claims it; a claim is a single conditional UPDATE that only
succeeds while nobody holds the task, so when two members claim at the same moment exactly
one wins and the other is told someone got there first.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from calendars.models import CalendarEvent, CareTask, TaskOutcome
from calendars.recurrence import local_time_resolve, zone_get
from calendars.rules import calendar_require_member, task_may_change
from calendars.services.checks import FieldErrors, texts_check
from calendars.services.reminders import reminders_schedule_for_task
from caregraph.models import AuditAction, Membership, Network, NetworkEventKind, Visibility
from caregraph.policy import Viewer
from caregraph.services.events import network_change_record
from medicines.models import Medicine


class TaskTaken(Exception):
    """Someone else holds the task (or it is settled): the API answers 409 Conflict."""

    message = "Someone else has already signed up for this"


def task_payload(task: CareTask, *, change: str) -> dict[str, Any]:
    """What the event log carries. Who signed up is named only where everyone may know
    they are in the network; otherwise live pages say "Someone"."""
    claimer_known = (
        task.claimed_by_id is not None
        and Membership.objects.filter(
            network_id=task.network_id,
            user_id=task.claimed_by_id,
            visibility=Visibility.NETWORK,
        ).exists()
    )
    return {
        "object": "care_task",
        "change": change,
        "task_id": task.pk,
        "title": task.title,
        "due_at": task.due_at.isoformat(),
        "claimed_by": str(task.claimed_by) if claimer_known else None,
        "claimed_by_id": task.claimed_by_id if claimer_known else None,
        "outcome": task.outcome,
        "medicine_id": task.medicine_id,
    }


def _task_recorded(
    task: CareTask, *, actor: User, action: str, summary: str, kind: str, change: str
) -> None:
    # Tasks share the calendar's event kinds; the payload's "object" tells them apart.
    network_change_record(
        network=task.network,
        actor=actor,
        action=action,
        summary=summary,
        kind=kind,
        payload=task_payload(task, change=change),
        record_type="care_task",
        record_id=task.pk,
        visibility=task.visibility,
        author_id=task.created_by_id,
        author_agency_id=task.author_agency_id,
    )
    reminders_schedule_for_task(task=task)


def task_create(
    *,
    network: Network,
    viewer: Viewer,
    created_by: User,
    title: str,
    due_at: datetime.datetime,
    notes: str = "",
    visibility: str = Visibility.NETWORK,
    event: CalendarEvent | None = None,
    medicine: Medicine | None = None,
) -> CareTask:
    """Adds an open task to the network. Any member may; a naive `due_at` is local time,
    and one inside the hour the clocks skip in spring is refused. A task may point at one of
    the network's medicines ("collect the prescription")."""
    calendar_require_member(viewer)
    errors = FieldErrors()
    texts = texts_check(errors, title=title, notes=notes)
    if visibility not in viewer.visibilities_allowed():
        errors.add("visibility", "You cannot choose this visibility")
    if event is not None and event.network_id != network.pk:
        errors.add("event_id", "That event is not in this network")
    if medicine is not None and medicine.network_id != network.pk:
        errors.add("medicine_id", "That medicine is not in this network")
    due = None
    try:
        due = local_time_resolve(due_at, zone=zone_get(settings.CALENDAR_TIME_ZONE), field="due_at")
    except ValidationError as missing_hour:
        errors.take(missing_hour)
    errors.raise_any()
    assert due is not None
    with transaction.atomic():
        task = CareTask.objects.create(
            network=network,
            due_at=due,
            visibility=visibility,
            event=event,
            medicine=medicine,
            created_by=created_by,
            author_agency_id=viewer.acting_agency_id,
            **texts,
        )
        _task_recorded(
            task,
            actor=created_by,
            action=AuditAction.CREATE,
            summary=f"Added the task '{task.title}'",
            kind=NetworkEventKind.EVENT_SCHEDULED,
            change="created",
        )
    return task


def _fresh(task: CareTask) -> CareTask:
    return CareTask.objects.select_related("network", "claimed_by").get(pk=task.pk)


def task_claim(*, task: CareTask, viewer: Viewer, claimed_by: User) -> CareTask:
    """Signs a member up for an open task. Raises TaskTaken when someone else holds it.

    The claim is one UPDATE ... WHERE claimed_by IS NULL: of two members claiming at the
    same moment, the database lets exactly one through.
    """
    calendar_require_member(viewer)
    with transaction.atomic():
        won = CareTask.objects.filter(
            pk=task.pk, claimed_by__isnull=True, outcome=TaskOutcome.PENDING
        ).update(claimed_by=claimed_by, claimed_at=timezone.now())
        if not won:
            raise TaskTaken(TaskTaken.message)
        task = _fresh(task)
        _task_recorded(
            task,
            actor=claimed_by,
            action=AuditAction.UPDATE,
            summary=f"Signed up for the task '{task.title}'",
            kind=NetworkEventKind.EVENT_CHANGED,
            change="claimed",
        )
    return task


def task_release(*, task: CareTask, viewer: Viewer, released_by: User) -> CareTask:
    """Gives a task back, open for someone else. Whoever holds it may; so may whoever added
    it or a coordinator, for a task someone cannot do after all."""
    if not task_may_change(task=task, viewer=viewer):
        raise PermissionDenied("Only whoever signed up, or a coordinator, can give this back")
    with transaction.atomic():
        released = CareTask.objects.filter(
            pk=task.pk, claimed_by_id=task.claimed_by_id, outcome=TaskOutcome.PENDING
        ).update(claimed_by=None, claimed_at=None)
        if not released or task.claimed_by_id is None:
            raise ValidationError({"task": ["Nobody holds this task now"]})
        task = _fresh(task)
        _task_recorded(
            task,
            actor=released_by,
            action=AuditAction.UPDATE,
            summary=f"Gave back the task '{task.title}'",
            kind=NetworkEventKind.EVENT_CHANGED,
            change="released",
        )
    return task


def task_complete(*, task: CareTask, viewer: Viewer, completed_by: User, outcome: str) -> CareTask:
    """Marks a task done or not done. Whoever holds it may, as may whoever added it or a
    coordinator. A settled task cannot be claimed or settled again."""
    if outcome not in (TaskOutcome.DONE, TaskOutcome.NOT_DONE):
        raise ValidationError({"outcome": ["Say whether it was done or not done"]})
    if not task_may_change(task=task, viewer=viewer):
        raise PermissionDenied("Only whoever signed up, or a coordinator, can mark this")
    with transaction.atomic():
        settled = CareTask.objects.filter(pk=task.pk, outcome=TaskOutcome.PENDING).update(
            outcome=outcome, completed_by=completed_by, completed_at=timezone.now()
        )
        if not settled:
            raise ValidationError({"outcome": ["This task has already been marked"]})
        task = _fresh(task)
        _task_recorded(
            task,
            actor=completed_by,
            action=AuditAction.UPDATE,
            summary=f"Marked the task '{task.title}' {TaskOutcome(outcome).label.lower()}",
            kind=NetworkEventKind.EVENT_CHANGED,
            change=outcome,
        )
    return task
