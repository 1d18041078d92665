"""The REST API of the shared calendar: events and their occurrences, who is coming, and
the tasks people sign up for. Views are thin: the policy finds what the user may see,
services make changes, and reads of a person's calendar are audited.

Times are ISO 8601. One with an offset is that instant; one without is local time in the
event's zone (Europe/London), and a local time inside the hour the clocks skip in spring is
refused beside its field. All-day events take dates (`2026-11-02`) and run from `start` to
`end`, both included; they are answered with local midnights, `end` the midnight after the
last day (as in iCalendar), which may be sent back unchanged.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from api.errors import error_response
from api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from api.views import ApiView, audit_api_read, error_responses, signed_in_user
from calendars import selectors
from calendars.models import (
    AttendanceResponse,
    CalendarEvent,
    CareTask,
    EventAttendance,
    EventException,
    EventKind,
    TaskOutcome,
)
from calendars.recurrence import local_time_resolve, zone_get
from calendars.services.attendance import attendance_invite, attendance_respond
from calendars.services.events import (
    event_cancel,
    event_create,
    event_occurrence_cancel,
    event_occurrence_update,
    event_update,
)
from calendars.services.tasks import (
    TaskTaken,
    task_claim,
    task_complete,
    task_create,
    task_release,
)
from caregraph.models import Visibility
from caregraph.policy import Viewer, network_get_for_user, people_hidden_from
from caregraph.serializers import UserSummarySerializer

RANGE_DEFAULT = datetime.timedelta(days=31)
RANGE_MAX = datetime.timedelta(days=366)
DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Answers give `kind` as a plain string: an enum in more than one component needs a name in
# settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"], which belongs to the project.
KIND_HELP = f"One of: {', '.join(EventKind.values)}."
EVENT_EDITABLE_FIELDS: tuple[str, ...] = (
    "title",
    "kind",
    "start",
    "end",
    "all_day",
    "location",
    "notes",
    "visibility",
    "rrule",
)


# --- Fields and serializers -----------------------------------------------------------------


class LocalDateTimeField(serializers.DateTimeField):
    """A date-time as given: with an offset it is that instant; without one it stays a
    local time for the service to place in the event's zone (and refuse if it falls in the
    spring gap). A plain date is kept as a date, for all-day events."""

    def enforce_timezone(self, value: datetime.datetime) -> datetime.datetime:
        return value

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str) and DATE_ONLY.match(value.strip()):
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError:
                self.fail("invalid", format="YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss][+HH:MM]")
        return super().to_internal_value(value)

    def to_representation(self, value: datetime.datetime) -> str:
        return value.astimezone(timezone.get_current_timezone()).isoformat()


class EventWriteSerializer(serializers.Serializer[Any]):
    """Adding an event or a series."""

    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=EventKind.choices)
    start = LocalDateTimeField(help_text="With an offset, or local time in `timezone`.")
    end = LocalDateTimeField(help_text="After the start; for all-day events, the last day.")
    all_day = serializers.BooleanField(required=False, default=False)
    timezone = serializers.CharField(
        max_length=64, required=False, default=settings.CALENDAR_TIME_ZONE
    )
    location = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    visibility = serializers.ChoiceField(
        choices=Visibility.choices, required=False, default=Visibility.NETWORK
    )
    rrule = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="An RFC 5545 RRULE such as FREQ=WEEKLY;COUNT=10; empty for a one-off.",
    )


class OccurrenceWriteSerializer(serializers.Serializer[Any]):
    """Changing one occurrence: send only what changes."""

    title = serializers.CharField(max_length=200, required=False)
    start = LocalDateTimeField(required=False)
    end = LocalDateTimeField(required=False)
    location = serializers.CharField(max_length=300, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class OccurrenceQuerySerializer(serializers.Serializer[Any]):
    occurrence = LocalDateTimeField(
        required=False, help_text="The original start of one occurrence of a series."
    )


class RangeQuerySerializer(serializers.Serializer[Any]):
    start = LocalDateTimeField(required=False, help_text="From (default: today, midnight).")
    end = LocalDateTimeField(required=False, help_text="Until (default: 31 days on; max 366).")


class OccurrenceSerializer(serializers.Serializer[Any]):
    """One time an event happens."""

    event_id = serializers.IntegerField(source="event.pk", read_only=True)
    uid = serializers.CharField(source="event.uid", read_only=True)
    title = serializers.CharField(read_only=True)
    kind = serializers.CharField(source="event.kind", read_only=True, help_text=KIND_HELP)
    start = LocalDateTimeField(read_only=True)
    end = LocalDateTimeField(read_only=True)
    all_day = serializers.BooleanField(source="event.all_day", read_only=True)
    timezone = serializers.CharField(source="event.timezone", read_only=True)
    location = serializers.CharField(read_only=True)
    notes = serializers.CharField(read_only=True)
    visibility = serializers.ChoiceField(
        source="event.visibility", choices=Visibility.choices, read_only=True
    )
    rrule = serializers.CharField(source="event.rrule", read_only=True)
    occurrence = LocalDateTimeField(
        source="original_start",
        read_only=True,
        allow_null=True,
        help_text="Its original start, to change this occurrence alone; null for a one-off.",
    )
    is_changed = serializers.BooleanField(read_only=True)
    organiser = UserSummarySerializer(source="event.organiser", read_only=True, allow_null=True)


class ExceptionSerializer(serializers.Serializer[EventException]):
    occurrence = LocalDateTimeField(source="original_start", read_only=True)
    cancelled = serializers.BooleanField(read_only=True)
    start = LocalDateTimeField(read_only=True, allow_null=True)
    end = LocalDateTimeField(read_only=True, allow_null=True)
    title = serializers.CharField(read_only=True, allow_null=True)
    location = serializers.CharField(read_only=True, allow_null=True)
    notes = serializers.CharField(read_only=True, allow_null=True)


class AttendanceSerializer(serializers.Serializer[EventAttendance]):
    user = UserSummarySerializer(read_only=True)
    response = serializers.ChoiceField(choices=AttendanceResponse.choices, read_only=True)
    responded_at = serializers.DateTimeField(read_only=True, allow_null=True)


class EventSerializer(serializers.Serializer[CalendarEvent]):
    """An event, or a whole series, with its changed occurrences and who is coming."""

    id = serializers.IntegerField(read_only=True)
    network_id = serializers.IntegerField(read_only=True)
    uid = serializers.CharField(read_only=True)
    sequence = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text=KIND_HELP)
    start = LocalDateTimeField(read_only=True)
    end = LocalDateTimeField(read_only=True)
    all_day = serializers.BooleanField(read_only=True)
    timezone = serializers.CharField(read_only=True)
    location = serializers.CharField(read_only=True)
    notes = serializers.CharField(read_only=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices, read_only=True)
    rrule = serializers.CharField(read_only=True)
    organiser = UserSummarySerializer(read_only=True, allow_null=True)
    exceptions = ExceptionSerializer(many=True, read_only=True)
    attendance = AttendanceSerializer(
        source="attendance_shown",
        many=True,
        read_only=True,
        help_text="Who is invited and their answers: those whose membership you may know of.",
    )
    ics_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_ics_url(self, event: CalendarEvent) -> str:
        return f"/calendar/events/{event.pk}.ics"


class AttendanceWriteSerializer(serializers.Serializer[Any]):
    """Either invite members (`user_ids`) or answer for yourself (`response`)."""

    user_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, min_length=1, max_length=200
    )
    response = serializers.ChoiceField(
        choices=[
            (choice, label)
            for choice, label in AttendanceResponse.choices
            if choice != AttendanceResponse.INVITED
        ],
        required=False,
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("user_ids" in attrs) == ("response" in attrs):
            raise serializers.ValidationError(
                "Send either user_ids, to invite people, or response, to answer for yourself"
            )
        return attrs


class TaskSerializer(serializers.Serializer[CareTask]):
    id = serializers.IntegerField(read_only=True)
    network_id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    notes = serializers.CharField(read_only=True)
    due_at = LocalDateTimeField(read_only=True)
    event_id = serializers.IntegerField(read_only=True, allow_null=True)
    claimed_by = UserSummarySerializer(read_only=True, allow_null=True)
    claimed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    outcome = serializers.ChoiceField(choices=TaskOutcome.choices, read_only=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class TaskWriteSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    due_at = LocalDateTimeField(help_text="With an offset, or local time (Europe/London).")
    visibility = serializers.ChoiceField(
        choices=Visibility.choices, required=False, default=Visibility.NETWORK
    )
    event_id = serializers.IntegerField(required=False, allow_null=True, default=None)


class TaskCompleteSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(
        choices=[(TaskOutcome.DONE, "Done"), (TaskOutcome.NOT_DONE, "Not done")]
    )


class TaskQuerySerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(
        choices=[
            ("open", "Nobody has signed up"),
            ("mine", "Signed up for by me"),
            ("pending", "Not yet done or not done"),
            ("settled", "Done or not done"),
        ],
        required=False,
    )


# --- Helpers --------------------------------------------------------------------------------


def _range(request: Request) -> tuple[datetime.datetime, datetime.datetime]:
    query = RangeQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    zone = zone_get(settings.CALENDAR_TIME_ZONE)
    today = timezone.localdate()
    start = local_time_resolve(query.validated_data.get("start", today), zone=zone, field="start")
    if "end" in query.validated_data:
        end = local_time_resolve(query.validated_data["end"], zone=zone, field="end")
    else:
        end = start + RANGE_DEFAULT
    if end <= start:
        raise serializers.ValidationError({"end": ["The end must be after the start"]})
    if end - start > RANGE_MAX:
        raise serializers.ValidationError({"end": ["Ask for at most 366 days at a time"]})
    return start, end


def _occurrence(request: Request) -> datetime.datetime | datetime.date | None:
    query = OccurrenceQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    occurrence: datetime.datetime | datetime.date | None = query.validated_data.get("occurrence")
    return occurrence


def _event_detail(event: CalendarEvent, viewer: Viewer) -> dict[str, Any]:
    fresh = (
        CalendarEvent.objects.select_related("organiser")
        .prefetch_related(
            "exceptions",
            Prefetch(
                "attendances",
                queryset=selectors.event_attendance_list(event=event, viewer=viewer),
                to_attr="attendance_shown",
            ),
        )
        .get(pk=event.pk)
    )
    return dict(EventSerializer(fresh).data)


def _event_for(request: Request, network_id: int, event_id: int) -> tuple[CalendarEvent, Viewer]:
    _network, viewer = network_get_for_user(user=request.user, network_id=network_id)
    return selectors.event_get_for_viewer(viewer=viewer, event_id=event_id), viewer


OCCURRENCE_PARAMETER = OpenApiParameter(
    name="occurrence",
    type=OpenApiTypes.DATETIME,
    location=OpenApiParameter.QUERY,
    required=False,
    description=(
        "The original start of one occurrence: the change applies to it alone. Local time "
        "(2026-11-02T10:00:00), UTC (…Z), or an offset written %2B01:00 in a query string."
    ),
)


# --- Events ---------------------------------------------------------------------------------


class NetworkEventListApi(ApiView):
    """The network's calendar: occurrences in a range, and adding events."""

    @extend_schema(
        operation_id="network_event_list",
        parameters=[RangeQuerySerializer],
        responses={200: OccurrenceSerializer(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request, network_id: int) -> Response:
        """Every occurrence you may see between `start` and `end`, repeats expanded."""
        network, viewer = network_get_for_user(user=request.user, network_id=network_id)
        start, end = _range(request)
        occurrences = selectors.event_occurrence_list_visible_to(
            viewer=viewer, after=start, before=end
        )
        page: list[Any] = self.paginate_queryset(occurrences) or []  # type: ignore[arg-type]
        response = self.get_paginated_response(OccurrenceSerializer(page, many=True).data)
        audit_api_read(
            request, summary="Viewed the calendar", object_type="calendar_event", network=network
        )
        return response

    @extend_schema(
        operation_id="network_event_create",
        request=EventWriteSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: EventSerializer, **error_responses(400, 403, 404, 422)},
    )
    @idempotent
    def post(self, request: Request, network_id: int) -> Response:
        """Add an event, or a series with `rrule`."""
        network, viewer = network_get_for_user(user=request.user, network_id=network_id)
        given = EventWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        event = event_create(
            network=network,
            viewer=viewer,
            created_by=signed_in_user(request),
            timezone_name=data.pop("timezone"),
            **data,
        )
        return Response(
            _event_detail(event, viewer),
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/networks/{network.pk}/events/{event.pk}/"},
        )


class NetworkEventDetailApi(ApiView):
    """One event or series: read it, change it (or one occurrence), cancel it."""

    @extend_schema(
        operation_id="network_event_get", responses={200: EventSerializer, **error_responses(404)}
    )
    def get(self, request: Request, network_id: int, event_id: int) -> Response:
        """The event, its changed occurrences and who is coming."""
        event, viewer = _event_for(request, network_id, event_id)
        audit_api_read(
            request,
            summary=f"Viewed '{event.title}' in the calendar",
            object_type="calendar_event",
            object_id=event.pk,
            network=event.network,
        )
        return Response(_event_detail(event, viewer))

    @extend_schema(
        operation_id="network_event_update",
        parameters=[OCCURRENCE_PARAMETER],
        request=EventWriteSerializer,
        responses={200: EventSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, network_id: int, event_id: int) -> Response:
        """Change the whole series; with `?occurrence=` only that occurrence (its title,
        start, end, location and notes). Send only what changes."""
        event, viewer = _event_for(request, network_id, event_id)
        occurrence = _occurrence(request)
        if occurrence is not None:
            one = OccurrenceWriteSerializer(data=request.data, partial=True)
            one.is_valid(raise_exception=True)
            event_occurrence_update(
                event=event,
                viewer=viewer,
                updated_by=signed_in_user(request),
                occurrence=occurrence,
                **one.validated_data,
            )
            return Response(_event_detail(event, viewer))
        given = EventWriteSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        values: dict[str, Any] = {field: getattr(event, field) for field in EVENT_EDITABLE_FIELDS}
        values["timezone_name"] = event.timezone
        changes = dict(given.validated_data)
        if "timezone" in changes:
            values["timezone_name"] = changes.pop("timezone")
        values.update(changes)
        if "start" in changes and "end" not in changes:
            values["end"] = None  # moved: it keeps its length
        event = event_update(
            event=event, viewer=viewer, updated_by=signed_in_user(request), **values
        )
        return Response(_event_detail(event, viewer))

    @extend_schema(
        operation_id="network_event_cancel",
        parameters=[OCCURRENCE_PARAMETER],
        responses={204: None, **error_responses(400, 403, 404)},
    )
    def delete(self, request: Request, network_id: int, event_id: int) -> Response:
        """Cancel the event or whole series; with `?occurrence=` only that occurrence."""
        event, viewer = _event_for(request, network_id, event_id)
        occurrence = _occurrence(request)
        if occurrence is not None:
            event_occurrence_cancel(
                event=event,
                viewer=viewer,
                cancelled_by=signed_in_user(request),
                occurrence=occurrence,
            )
        else:
            event_cancel(event=event, viewer=viewer, cancelled_by=signed_in_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class NetworkEventAttendanceApi(ApiView):
    """Who is invited to an event and what they answered."""

    @extend_schema(
        operation_id="network_event_attendance_list",
        responses={200: AttendanceSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, network_id: int, event_id: int) -> Response:
        """Everyone invited, and their answers."""
        event, viewer = _event_for(request, network_id, event_id)
        response = self.paginated_response(
            selectors.event_attendance_list(event=event, viewer=viewer), AttendanceSerializer
        )
        audit_api_read(
            request,
            summary=f"Viewed who is coming to '{event.title}'",
            object_type="calendar_event",
            object_id=event.pk,
            network=event.network,
        )
        return response

    @extend_schema(
        operation_id="network_event_attendance_update",
        request=AttendanceWriteSerializer,
        responses={200: EventSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, network_id: int, event_id: int) -> Response:
        """Invite members (`user_ids`, organiser or coordinator), or answer for yourself
        (`response`: going, maybe or not_going). Answers the event, with who is coming."""
        event, viewer = _event_for(request, network_id, event_id)
        given = AttendanceWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        if "user_ids" in given.validated_data:
            ids = given.validated_data["user_ids"]
            users = list(User.objects.filter(pk__in=ids))
            if len(users) != len(set(ids)):
                return error_response(
                    "Invite members of this network", status_code=400, field="user_ids"
                )
            attendance_invite(
                event=event, viewer=viewer, invited_by=signed_in_user(request), users=users
            )
        else:
            attendance_respond(
                event=event,
                viewer=viewer,
                user=signed_in_user(request),
                response=given.validated_data["response"],
            )
        return Response(_event_detail(event, viewer))


# --- Tasks ----------------------------------------------------------------------------------


def _task_people_hidden(tasks: list[CareTask], viewer: Viewer) -> set[int]:
    people = [task.claimed_by_id for task in tasks] + [task.completed_by_id for task in tasks]
    return people_hidden_from(viewer=viewer, user_ids=people)


def _task_data(task: CareTask, viewer: Viewer) -> dict[str, Any]:
    hidden = _task_people_hidden([task], viewer)
    return dict(TaskSerializer(task, context={"hidden_people": hidden}).data)


class NetworkTaskListApi(ApiView):
    """Tasks people sign up for."""

    @extend_schema(
        operation_id="network_task_list",
        parameters=[TaskQuerySerializer],
        responses={200: TaskSerializer(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request, network_id: int) -> Response:
        """Tasks you may see, soonest due first; `?state=open` for those nobody has taken."""
        network, viewer = network_get_for_user(user=request.user, network_id=network_id)
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
        response = self.paginated_response(
            tasks,
            TaskSerializer,
            context_of=lambda page: {"hidden_people": _task_people_hidden(page, viewer)},
        )
        audit_api_read(
            request, summary="Viewed the tasks", object_type="care_task", network=network
        )
        return response

    @extend_schema(
        operation_id="network_task_create",
        request=TaskWriteSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: TaskSerializer, **error_responses(400, 403, 404, 422)},
    )
    @idempotent
    def post(self, request: Request, network_id: int) -> Response:
        """Add a task for someone to sign up for."""
        network, viewer = network_get_for_user(user=request.user, network_id=network_id)
        given = TaskWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        event_id = data.pop("event_id")
        event = (
            selectors.event_get_for_viewer(viewer=viewer, event_id=event_id)
            if event_id is not None
            else None
        )
        task = task_create(
            network=network, viewer=viewer, created_by=signed_in_user(request), event=event, **data
        )
        return Response(_task_data(task, viewer), status=status.HTTP_201_CREATED)


class _TaskActionApi(ApiView):
    def _task(self, request: Request, network_id: int, task_id: int) -> tuple[CareTask, Viewer]:
        _network, viewer = network_get_for_user(user=request.user, network_id=network_id)
        return selectors.task_get_for_viewer(viewer=viewer, task_id=task_id), viewer


class NetworkTaskClaimApi(_TaskActionApi):
    @extend_schema(
        operation_id="network_task_claim",
        request=None,
        responses={200: TaskSerializer, **error_responses(403, 404, 409)},
    )
    def post(self, request: Request, network_id: int, task_id: int) -> Response:
        """Sign up for a task. 409 if someone else got there first."""
        task, viewer = self._task(request, network_id, task_id)
        try:
            task = task_claim(task=task, viewer=viewer, claimed_by=signed_in_user(request))
        except TaskTaken as taken:
            return error_response(str(taken), status_code=status.HTTP_409_CONFLICT)
        return Response(_task_data(task, viewer))


class NetworkTaskReleaseApi(_TaskActionApi):
    @extend_schema(
        operation_id="network_task_release",
        request=None,
        responses={200: TaskSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, network_id: int, task_id: int) -> Response:
        """Give a task back, for someone else to take."""
        task, viewer = self._task(request, network_id, task_id)
        task = task_release(task=task, viewer=viewer, released_by=signed_in_user(request))
        return Response(_task_data(task, viewer))


class NetworkTaskCompleteApi(_TaskActionApi):
    @extend_schema(
        operation_id="network_task_complete",
        request=TaskCompleteSerializer,
        responses={200: TaskSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, network_id: int, task_id: int) -> Response:
        """Mark a task done or not done."""
        task, viewer = self._task(request, network_id, task_id)
        given = TaskCompleteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        task = task_complete(
            task=task,
            viewer=viewer,
            completed_by=signed_in_user(request),
            outcome=given.validated_data["outcome"],
        )
        return Response(_task_data(task, viewer))
