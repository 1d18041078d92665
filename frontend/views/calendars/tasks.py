"""The task board: open tasks with a button to sign up, the ones people hold with buttons to
give them back or say whether they were done, and adding a task.

Each button is a small form that works without JavaScript. Where JavaScript runs,
calendar-views.mjs fetches the board's lists again (`?fragment=1`) when a task the viewer
may see is added or changes, so a claim by someone else shows without a reload.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calendars.models import CareTask, TaskOutcome
from calendars.rules import calendar_may_add, task_may_change
from calendars.selectors import task_get_for_viewer, task_list_visible_to
from calendars.services.tasks import (
    TaskTaken,
    task_claim,
    task_complete,
    task_create,
    task_release,
)
from caregraph.models import Network
from caregraph.policy import Viewer, people_hidden_from
from frontend.forms.calendars import TaskForm
from frontend.views.common import (
    action_post,
    audit_view,
    network_context,
    network_for_request,
    page_post,
    posted,
    signed_in_user,
)
from medicines.selectors import medicine_list_for_viewer

# Settled tasks stay on the board this long, so people see what was done lately.
SETTLED_SHOWN_FOR = datetime.timedelta(days=14)


@dataclass
class TaskRow:
    task: CareTask
    may_claim: bool
    may_release: bool
    may_settle: bool
    is_overdue: bool


def _context(network: Network, viewer: Viewer, **more: Any) -> dict[str, Any]:
    return network_context(network, viewer, section="tasks", **more)


def _rows(viewer: Viewer) -> dict[str, list[TaskRow]]:
    now = timezone.now()
    tasks = task_list_visible_to(viewer=viewer).exclude(
        outcome__in=(TaskOutcome.DONE, TaskOutcome.NOT_DONE),
        completed_at__lt=now - SETTLED_SHOWN_FOR,
    )
    is_member = calendar_may_add(viewer=viewer)
    board: dict[str, list[TaskRow]] = {"open": [], "claimed": [], "settled": []}
    for task in tasks:
        pending = task.outcome == TaskOutcome.PENDING
        may_change = task_may_change(task=task, viewer=viewer)
        row = TaskRow(
            task=task,
            may_claim=is_member and pending and task.claimed_by_id is None,
            may_release=may_change and pending and task.claimed_by_id is not None,
            may_settle=may_change and pending,
            is_overdue=pending and task.due_at < now,
        )
        if not pending:
            board["settled"].append(row)
        elif task.claimed_by_id is None:
            board["open"].append(row)
        else:
            board["claimed"].append(row)
    board["settled"].sort(key=lambda row: row.task.completed_at or now, reverse=True)
    return board


@login_required
@require_GET
def task_board_page(request: HttpRequest, network_id: int) -> HttpResponse:
    network, viewer = network_for_request(request, network_id)
    live_sequence = network.last_sequence
    fragment = request.GET.get("fragment") == "1"
    board = _rows(viewer)
    audit_view(
        request,
        network=network,
        summary="Viewed the tasks" + (" (updated live)" if fragment else ""),
        object_type="care_task",
    )
    rows = [row for section in board.values() for row in section]
    context = _context(
        network,
        viewer,
        board=board,
        hidden_people=people_hidden_from(
            viewer=viewer, user_ids=[row.task.claimed_by_id for row in rows]
        ),
        may_add=calendar_may_add(viewer=viewer),
        live_sequence=live_sequence,
    )
    if fragment:
        return render(request, "calendars/_task_lists.html", context)
    return render(request, "calendars/tasks.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def task_create_page(request: HttpRequest, network_id: int) -> HttpResponse:
    """Adding a task someone can sign up for. Any member may."""
    network, viewer = network_for_request(request, network_id)
    if not calendar_may_add(viewer=viewer):
        raise Http404("No such page")
    medicines = medicine_list_for_viewer(viewer=viewer).filter(stopped=False)
    by_id = {medicine.pk: medicine for medicine in medicines}
    chosen = request.GET.get("medicine", "")
    form = TaskForm(
        posted(request),
        visibilities=viewer.visibilities_allowed(),
        medicines=[(pk, medicine.name) for pk, medicine in by_id.items()],
        initial={"medicine": int(chosen)} if chosen.isdigit() else None,
    )
    done = page_post(
        request,
        form,
        lambda data: task_create(
            network=network,
            viewer=viewer,
            created_by=signed_in_user(request),
            title=data["title"],
            due_at=data["due_at"],
            notes=data["notes"],
            visibility=data["visibility"],
            medicine=by_id.get(data.get("medicine") or 0),
        ),
        success_url=reverse("task_board", args=[network.pk]),
        message=lambda task: f"'{task.title}' is on the task board.",
        fields=TaskForm.SERVICE_FIELDS,
        refused="No such page",
    )
    if done is not None:
        return done
    return render(request, "calendars/task_form.html", _context(network, viewer, form=form))


def _task(request: HttpRequest, network_id: int, task_id: int) -> tuple[Network, Viewer, CareTask]:
    network, viewer = network_for_request(request, network_id)
    return network, viewer, task_get_for_viewer(viewer=viewer, task_id=task_id)


@login_required
@require_POST
def task_claim_action(request: HttpRequest, network_id: int, task_id: int) -> HttpResponse:
    """Signs the user up for an open task; if someone got there first, says so."""
    network, viewer, task = _task(request, network_id, task_id)
    if not calendar_may_add(viewer=viewer):
        raise Http404("No such page")
    try:
        task = task_claim(task=task, viewer=viewer, claimed_by=signed_in_user(request))
    except TaskTaken:
        messages.error(request, f"Someone else has already signed up for '{task.title}'.")
    else:
        messages.success(request, f"You signed up for '{task.title}'.")
    return redirect("task_board", network_id=network.pk)


@login_required
@require_POST
def task_release_action(request: HttpRequest, network_id: int, task_id: int) -> HttpResponse:
    """Gives a task back, open for someone else."""
    network, viewer, task = _task(request, network_id, task_id)
    return action_post(
        request,
        lambda: task_release(task=task, viewer=viewer, released_by=signed_in_user(request)),
        success_url=reverse("task_board", args=[network.pk]),
        message=lambda released: f"'{released.title}' is open for someone else.",
        failed=lambda error: f"Nobody holds '{task.title}' now.",
        refused="No such page",
    )


@login_required
@require_POST
def task_complete_action(request: HttpRequest, network_id: int, task_id: int) -> HttpResponse:
    """Marks a task done or not done."""
    network, viewer, task = _task(request, network_id, task_id)
    outcome = request.POST.get("outcome", "")
    return action_post(
        request,
        lambda: task_complete(
            task=task, viewer=viewer, completed_by=signed_in_user(request), outcome=outcome
        ),
        success_url=reverse("task_board", args=[network.pk]),
        message=lambda settled: (
            f"'{settled.title}' is marked {TaskOutcome(settled.outcome).label.lower()}."
        ),
        refused="No such page",
    )
