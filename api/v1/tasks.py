"""The tasks people sign up for, through the API: listing, adding, claiming, giving back
and completing them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import error_response
from api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from api.v1.serializers.calendars import (
    TaskCompleteSerializer,
    TaskQuerySerializer,
    TaskSerializer,
    TaskWriteSerializer,
)
from api.views import NetworkApiView, error_responses, signed_in_user
from calendars import selectors
from calendars.models import CareTask, TaskOutcome
from calendars.services.tasks import (
    TaskTaken,
    task_claim,
    task_complete,
    task_create,
    task_release,
)
from caregraph.policy import Viewer, people_hidden_from
from medicines.selectors import medicine_get_for_viewer


def _task_people_hidden(tasks: list[CareTask], viewer: Viewer) -> set[int]:
    people = [task.claimed_by_id for task in tasks] + [task.completed_by_id for task in tasks]
    return people_hidden_from(viewer=viewer, user_ids=people)


def _task_data(task: CareTask, viewer: Viewer) -> dict[str, Any]:
    hidden = _task_people_hidden([task], viewer)
    return dict(TaskSerializer(task, context={"hidden_people": hidden}).data)


class NetworkTaskListApi(NetworkApiView):
    """Tasks people sign up for."""

    @extend_schema(
        operation_id="network_task_list",
        parameters=[TaskQuerySerializer],
        responses={200: TaskSerializer(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        """Tasks you may see, soonest due first; `?state=open` for those nobody has taken."""
        viewer = self.viewer
        query = TaskQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        tasks = selectors.task_list_visible_to(viewer=viewer)
        match query.validated_data.get("state"):
            case "open":
                tasks = selectors.task_open_list_visible_to(viewer=viewer)
            case "mine":
                tasks = tasks.filter(claimed_by_id=viewer.user_id)
            case "pending":
                tasks = tasks.filter(outcome=TaskOutcome.PENDING)
            case "settled":
                tasks = tasks.exclude(outcome=TaskOutcome.PENDING)
        return self.audited_page(
            tasks,
            TaskSerializer,
            summary="Viewed the tasks",
            object_type="care_task",
            context_of=lambda page: {"hidden_people": _task_people_hidden(page, viewer)},
        )

    @extend_schema(
        operation_id="network_task_create",
        request=TaskWriteSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: TaskSerializer, **error_responses(400, 403, 404, 422)},
    )
    @idempotent
    def post(self, request: Request, **kwargs: object) -> Response:
        """Add a task for someone to sign up for."""
        viewer = self.viewer
        given = TaskWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        event_id = data.pop("event_id")
        medicine_id = data.pop("medicine_id")
        medicine = (
            medicine_get_for_viewer(viewer=viewer, medicine_id=medicine_id)
            if medicine_id is not None
            else None
        )
        event = (
            selectors.event_get_for_viewer(viewer=viewer, event_id=event_id)
            if event_id is not None
            else None
        )
        task = task_create(
            network=self.network,
            viewer=viewer,
            created_by=signed_in_user(request),
            event=event,
            medicine=medicine,
            **data,
        )
        return Response(_task_data(task, viewer), status=status.HTTP_201_CREATED)


class TaskApiView(NetworkApiView):
    """Base of the endpoints under one task: the handler reads `self.task`, found by
    `calendars.selectors.task_get_for_viewer` (404 when the viewer may not see it)."""

    task: CareTask

    def record_resolve(self) -> None:
        self.task = selectors.task_get_for_viewer(
            viewer=self.viewer, task_id=self.kwargs["task_id"]
        )


class NetworkTaskClaimApi(TaskApiView):
    @extend_schema(
        operation_id="network_task_claim",
        request=None,
        responses={200: TaskSerializer, **error_responses(403, 404, 409)},
    )
    def post(self, request: Request, **kwargs: object) -> Response:
        """Sign up for a task. 409 if someone else got there first."""
        try:
            task = task_claim(
                task=self.task, viewer=self.viewer, claimed_by=signed_in_user(request)
            )
        except TaskTaken as taken:
            return error_response(str(taken), status_code=status.HTTP_409_CONFLICT)
        return Response(_task_data(task, self.viewer))


class NetworkTaskReleaseApi(TaskApiView):
    @extend_schema(
        operation_id="network_task_release",
        request=None,
        responses={200: TaskSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, **kwargs: object) -> Response:
        """Give a task back, for someone else to take."""
        task = task_release(task=self.task, viewer=self.viewer, released_by=signed_in_user(request))
        return Response(_task_data(task, self.viewer))


class NetworkTaskCompleteApi(TaskApiView):
    @extend_schema(
        operation_id="network_task_complete",
        request=TaskCompleteSerializer,
        responses={200: TaskSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, **kwargs: object) -> Response:
        """Mark a task done or not done."""
        given = TaskCompleteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        task = task_complete(
            task=self.task,
            viewer=self.viewer,
            completed_by=signed_in_user(request),
            outcome=given.validated_data["outcome"],
        )
        return Response(_task_data(task, self.viewer))
