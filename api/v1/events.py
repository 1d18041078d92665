"""The calendar's events through the API: occurrences in a range, adding, changing and
cancelling events or one occurrence, and who is coming."""

from __future__ import annotations

import datetime
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
from api.v1.serializers.calendars import (
    AttendanceSerializer,
    AttendanceWriteSerializer,
    EventSerializer,
    EventWriteSerializer,
    OccurrenceQuerySerializer,
    OccurrenceSerializer,
    OccurrenceWriteSerializer,
    RangeQuerySerializer,
)
from api.views import LOCATION_HEADER, NetworkApiView, error_responses, signed_in_user
from calendars import selectors
from calendars.models import CalendarEvent
from calendars.recurrence import local_time_resolve, zone_get
from calendars.services.attendance import attendance_invite, attendance_respond
from calendars.services.events import (
    event_cancel,
    event_create,
    event_occurrence_cancel,
    event_occurrence_update,
    event_update,
)
from caregraph.policy import Viewer

RANGE_DEFAULT = datetime.timedelta(days=31)
RANGE_MAX = datetime.timedelta(days=366)
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


class EventApiView(NetworkApiView):
    """Base of the endpoints under one event: the handler reads `self.event`, found by
    `calendars.selectors.event_get_for_viewer` (404 when the viewer may not see it)."""

    event: CalendarEvent

    def record_resolve(self) -> None:
        self.event = selectors.event_get_for_viewer(
            viewer=self.viewer, event_id=self.kwargs["event_id"]
        )


class NetworkEventListApi(NetworkApiView):
    """The network's calendar: occurrences in a range, and adding events."""

    @extend_schema(
        operation_id="network_event_list",
        parameters=[RangeQuerySerializer],
        responses={200: OccurrenceSerializer(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        """Every occurrence you may see between `start` and `end`, repeats expanded."""
        start, end = _range(request)
        return self.audited_page(
            selectors.event_occurrence_list_visible_to(viewer=self.viewer, after=start, before=end),
            OccurrenceSerializer,
            summary="Viewed the calendar",
            object_type="calendar_event",
        )

    @extend_schema(
        operation_id="network_event_create",
        request=EventWriteSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER, LOCATION_HEADER],
        responses={201: EventSerializer, **error_responses(400, 403, 404, 422)},
    )
    @idempotent
    def post(self, request: Request, **kwargs: object) -> Response:
        """Add an event, or a series with `rrule`."""
        given = EventWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        event = event_create(
            network=self.network,
            viewer=self.viewer,
            created_by=signed_in_user(request),
            timezone_name=data.pop("timezone"),
            **data,
        )
        return Response(
            _event_detail(event, self.viewer),
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/networks/{self.network.pk}/events/{event.pk}/"},
        )


class NetworkEventDetailApi(EventApiView):
    """One event or series: read it, change it (or one occurrence), cancel it."""

    @extend_schema(
        operation_id="network_event_get", responses={200: EventSerializer, **error_responses(404)}
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        """The event, its changed occurrences and who is coming."""
        event = self.event
        self.audit_read(
            summary=f"Viewed '{event.title}' in the calendar",
            object_type="calendar_event",
            object_id=event.pk,
        )
        return Response(_event_detail(event, self.viewer))

    @extend_schema(
        operation_id="network_event_update",
        parameters=[OCCURRENCE_PARAMETER],
        request=EventWriteSerializer,
        responses={200: EventSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, **kwargs: object) -> Response:
        """Change the whole series; with `?occurrence=` only that occurrence (its title,
        start, end, location and notes). Send only what changes."""
        event, viewer = self.event, self.viewer
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
    def delete(self, request: Request, **kwargs: object) -> Response:
        """Cancel the event or whole series; with `?occurrence=` only that occurrence."""
        occurrence = _occurrence(request)
        if occurrence is not None:
            event_occurrence_cancel(
                event=self.event,
                viewer=self.viewer,
                cancelled_by=signed_in_user(request),
                occurrence=occurrence,
            )
        else:
            event_cancel(event=self.event, viewer=self.viewer, cancelled_by=signed_in_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class NetworkEventAttendanceApi(EventApiView):
    """Who is invited to an event and what they answered."""

    @extend_schema(
        operation_id="network_event_attendance_list",
        responses={200: AttendanceSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        """Everyone invited, and their answers."""
        return self.audited_page(
            selectors.event_attendance_list(event=self.event, viewer=self.viewer),
            AttendanceSerializer,
            summary=f"Viewed who is coming to '{self.event.title}'",
            object_type="calendar_event",
            object_id=self.event.pk,
        )

    @extend_schema(
        operation_id="network_event_attendance_update",
        request=AttendanceWriteSerializer,
        responses={200: EventSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, **kwargs: object) -> Response:
        """Invite members (`user_ids`, organiser or coordinator), or answer for yourself
        (`response`: going, maybe or not_going). Answers the event, with who is coming."""
        event, viewer = self.event, self.viewer
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
