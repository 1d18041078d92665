"""The REST API of concerns: raising and following them, and the cumulative alerts that
safeguarding leads review. Views are thin: the access policy finds what the user may see
(anything else is 404), services make the changes, and every read is audited.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from api.v1.serializers.graph import AgencySummarySerializer, UserSummarySerializer
from api.views import (
    LOCATION_HEADER,
    ApiView,
    NetworkApiView,
    audit_api_read,
    error_responses,
    signed_in_user,
)
from caregraph.models import Severity, Visibility
from caregraph.policy import Viewer, people_hidden_from, user_is_safeguarding_lead
from concerns import selectors
from concerns.models import (
    AlertRule,
    Concern,
    ConcernCategory,
    ConcernStatus,
    ConcernUpdate,
    ConcernUpdateKind,
    CumulativeAlert,
)
from concerns.services import (
    DESCRIPTION_MAX,
    REASON_MAX,
    UPDATE_TEXT_MAX,
    concern_acknowledge,
    concern_close,
    concern_raise,
    concern_review_start,
    concern_update_add,
    concern_withdraw,
)

API_ROOT = "/api/v1"


# --- Serializers ----------------------------------------------------------------------------


class ConcernSerializer(serializers.Serializer[Concern]):
    id = serializers.IntegerField(read_only=True)
    network_id = serializers.IntegerField(read_only=True)
    category = serializers.ChoiceField(choices=ConcernCategory.choices, read_only=True)
    severity = serializers.ChoiceField(choices=Severity.choices, read_only=True)
    description = serializers.CharField(read_only=True, help_text="What happened.")
    happened_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When it happened, where known."
    )
    visibility = serializers.ChoiceField(choices=Visibility.choices, read_only=True)
    status = serializers.ChoiceField(choices=ConcernStatus.choices, read_only=True)
    raised_by = UserSummarySerializer(source="created_by", read_only=True)
    author_agency = AgencySummarySerializer(read_only=True, allow_null=True)
    raised_at = serializers.DateTimeField(read_only=True)
    acknowledged_at = serializers.DateTimeField(read_only=True, allow_null=True)
    acknowledged_by = UserSummarySerializer(read_only=True, allow_null=True)
    escalated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    escalated_to_agency = AgencySummarySerializer(read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    outcome = serializers.SerializerMethodField(
        help_text="What the outcome was, once closed, where you may read it: an outcome is for "
        "those who may see the concern as professionals, not a family member who raised it."
    )
    withdrawn_reason = serializers.CharField(read_only=True)

    def get_outcome(self, concern: Concern) -> str | None:
        return self.context.get("outcomes", {}).get(concern.pk)


def _concern_context(concerns: list[Concern], viewer: Viewer) -> dict[str, Any]:
    """What the concern serializer needs to know of a page of concerns for this reader."""
    people = [c.created_by_id for c in concerns] + [c.acknowledged_by_id for c in concerns]
    return {
        "outcomes": selectors.concern_outcomes_for_viewer(concerns=concerns, viewer=viewer),
        "hidden_people": people_hidden_from(viewer=viewer, user_ids=people),
    }


def _concern_data(concern: Concern, viewer: Viewer) -> dict[str, Any]:
    return dict(ConcernSerializer(concern, context=_concern_context([concern], viewer)).data)


def _choice_message(what: str) -> dict[str, Any]:
    return {"invalid_choice": f'"{{input}}" is not {what}.'}


class ConcernRaiseSerializer(serializers.Serializer[Any]):
    """Raising a concern. Family and friends may only raise it to the professionals."""

    category = serializers.ChoiceField(
        choices=ConcernCategory.choices, error_messages=_choice_message("a kind of concern")
    )
    severity = serializers.ChoiceField(
        choices=Severity.choices, error_messages=_choice_message("a severity")
    )
    # Blank passes through, so that the service answers it in its own words.
    description = serializers.CharField(
        allow_blank=True, max_length=DESCRIPTION_MAX, help_text="What happened."
    )
    happened_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="When it happened, if known."
    )
    visibility = serializers.ChoiceField(
        choices=Visibility.choices,
        required=False,
        default=Visibility.PROFESSIONALS,
        error_messages=_choice_message("an audience a concern can be shared with"),
    )


class ConcernListQuerySerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(
        choices=ConcernStatus.choices, required=False, error_messages=_choice_message("a status")
    )
    severity = serializers.ChoiceField(
        choices=Severity.choices, required=False, error_messages=_choice_message("a severity")
    )
    category = serializers.ChoiceField(
        choices=ConcernCategory.choices,
        required=False,
        error_messages=_choice_message("a kind of concern"),
    )


class ConcernUpdateSerializer(serializers.Serializer[ConcernUpdate]):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=ConcernUpdateKind.choices, read_only=True)
    text = serializers.CharField(read_only=True)
    created_by = UserSummarySerializer(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


class ConcernUpdateAddSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(
        allow_blank=True, max_length=UPDATE_TEXT_MAX, help_text="What has happened since."
    )


class ConcernCloseSerializer(serializers.Serializer[Any]):
    outcome = serializers.CharField(
        allow_blank=True, max_length=UPDATE_TEXT_MAX, help_text="What the outcome was."
    )


class ConcernWithdrawSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        allow_blank=True, max_length=REASON_MAX, help_text="Why you are withdrawing it."
    )


class AlertNetworkSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    person_given_name = serializers.CharField(source="person.given_name", read_only=True)
    person_family_name = serializers.CharField(source="person.family_name", read_only=True)


class CumulativeAlertSerializer(serializers.Serializer[CumulativeAlert]):
    id = serializers.IntegerField(read_only=True)
    network = AlertNetworkSerializer(read_only=True)
    rule = serializers.ChoiceField(choices=AlertRule.choices, read_only=True)
    summary = serializers.CharField(read_only=True)
    window_start = serializers.DateTimeField(read_only=True)
    window_end = serializers.DateTimeField(read_only=True)
    concern_count = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    acknowledged_at = serializers.DateTimeField(read_only=True, allow_null=True)


class AlertListQuerySerializer(serializers.Serializer[Any]):
    is_open = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Only open, or only acknowledged."
    )


# --- Concerns -------------------------------------------------------------------------------


def _concern_url(concern: Concern) -> str:
    return f"{API_ROOT}/networks/{concern.network_id}/concerns/{concern.pk}/"


class ConcernApiView(NetworkApiView):
    """Base of the endpoints under one concern: the handler reads `self.concern`, found by
    `concerns.selectors.concern_get_for_viewer` (404 when the viewer may not see it)."""

    concern: Concern

    def record_resolve(self) -> None:
        self.concern = selectors.concern_get_for_viewer(
            viewer=self.viewer, concern_id=self.kwargs["concern_id"]
        )


class ConcernListApi(NetworkApiView):
    """The concerns about the person that you may see, and raising one."""

    @extend_schema(
        operation_id="concern_list",
        parameters=[ConcernListQuerySerializer],
        responses={200: ConcernSerializer(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        """Concerns you may see, newest first; filter by status, severity or category."""
        viewer = self.viewer
        query = ConcernListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return self.audited_page(
            selectors.concern_list_visible_to(viewer=viewer, **query.validated_data),
            ConcernSerializer,
            summary="Viewed the concerns",
            object_type="concern",
            context_of=lambda page: _concern_context(page, viewer),
        )

    @extend_schema(
        operation_id="concern_raise",
        request=ConcernRaiseSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER, LOCATION_HEADER],
        responses={201: ConcernSerializer, **error_responses(400, 403, 404, 422)},
    )
    @idempotent
    def post(self, request: Request, **kwargs: object) -> Response:
        """Raise a concern about the person. It is shared with the professionals unless you
        choose otherwise; family and friends can only share it with the professionals."""
        viewer = self.viewer
        given = ConcernRaiseSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        concern = concern_raise(
            network=self.network,
            viewer=viewer,
            raised_by=signed_in_user(request),
            category=data["category"],
            severity=data["severity"],
            description=data["description"],
            visibility=data["visibility"],
            happened_at=data.get("happened_at"),
        )
        concern = selectors.concern_get_for_viewer(viewer=viewer, concern_id=concern.pk)
        return Response(
            _concern_data(concern, viewer),
            status=status.HTTP_201_CREATED,
            headers={"Location": _concern_url(concern)},
        )


class ConcernDetailApi(ConcernApiView):
    """One concern."""

    @extend_schema(
        operation_id="concern_get", responses={200: ConcernSerializer, **error_responses(404)}
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        self.audit_read(
            summary="Viewed a concern", object_type="concern", object_id=self.concern.pk
        )
        return Response(_concern_data(self.concern, self.viewer))


class _ConcernChangeApi(ConcernApiView):
    """A change of a concern's status: answered with the concern as it now is."""

    def changed(self, request: Request) -> Response:
        self.change(request, concern=self.concern, viewer=self.viewer)
        concern = selectors.concern_get_for_viewer(viewer=self.viewer, concern_id=self.concern.pk)
        return Response(_concern_data(concern, self.viewer))

    def change(self, request: Request, *, concern: Concern, viewer: Viewer) -> None:
        raise NotImplementedError


class ConcernAcknowledgeApi(_ConcernChangeApi):
    """Acknowledging a concern (professionals): it will not escalate."""

    @extend_schema(
        operation_id="concern_acknowledge",
        request=None,
        responses={200: ConcernSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, **kwargs: object) -> Response:
        return self.changed(request)

    def change(self, request: Request, *, concern: Concern, viewer: Viewer) -> None:
        concern_acknowledge(concern=concern, viewer=viewer, acknowledged_by=signed_in_user(request))


class ConcernReviewApi(_ConcernChangeApi):
    """Putting a concern under review (professionals)."""

    @extend_schema(
        operation_id="concern_review_start",
        request=None,
        responses={200: ConcernSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, **kwargs: object) -> Response:
        return self.changed(request)

    def change(self, request: Request, *, concern: Concern, viewer: Viewer) -> None:
        concern_review_start(concern=concern, viewer=viewer, started_by=signed_in_user(request))


class ConcernCloseApi(_ConcernChangeApi):
    """Closing a concern with its outcome (professionals)."""

    @extend_schema(
        operation_id="concern_close",
        request=ConcernCloseSerializer,
        responses={200: ConcernSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, **kwargs: object) -> Response:
        return self.changed(request)

    def change(self, request: Request, *, concern: Concern, viewer: Viewer) -> None:
        given = ConcernCloseSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        concern_close(
            concern=concern,
            viewer=viewer,
            closed_by=signed_in_user(request),
            outcome=given.validated_data["outcome"],
        )


class ConcernWithdrawApi(_ConcernChangeApi):
    """Withdrawing a concern you raised, saying why."""

    @extend_schema(
        operation_id="concern_withdraw",
        request=ConcernWithdrawSerializer,
        responses={200: ConcernSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, **kwargs: object) -> Response:
        return self.changed(request)

    def change(self, request: Request, *, concern: Concern, viewer: Viewer) -> None:
        given = ConcernWithdrawSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        concern_withdraw(
            concern=concern,
            viewer=viewer,
            withdrawn_by=signed_in_user(request),
            reason=given.validated_data["reason"],
        )


class ConcernUpdateListApi(ConcernApiView):
    """A concern's history, and adding an update to it."""

    @extend_schema(
        operation_id="concern_update_list",
        responses={200: ConcernUpdateSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        """What happened to the concern, oldest first."""
        viewer = self.viewer
        return self.audited_page(
            selectors.concern_history(concern=self.concern, viewer=viewer),
            ConcernUpdateSerializer,
            summary="Viewed a concern's history",
            object_type="concern",
            object_id=self.concern.pk,
            context_of=lambda page: {
                "hidden_people": people_hidden_from(
                    viewer=viewer, user_ids=[update.created_by_id for update in page]
                )
            },
        )

    @extend_schema(
        operation_id="concern_update_add",
        request=ConcernUpdateAddSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: ConcernUpdateSerializer, **error_responses(400, 403, 404, 422)},
    )
    @idempotent
    def post(self, request: Request, **kwargs: object) -> Response:
        """Add an update (professionals, and whoever raised it) while the concern is open."""
        given = ConcernUpdateAddSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        update = concern_update_add(
            concern=self.concern,
            viewer=self.viewer,
            added_by=signed_in_user(request),
            text=given.validated_data["text"],
        )
        return Response(ConcernUpdateSerializer(update).data, status=status.HTTP_201_CREATED)


# --- Alerts ---------------------------------------------------------------------------------


class AlertListApi(ApiView):
    """Cumulative concern alerts in the networks you review as a safeguarding lead."""

    @extend_schema(
        operation_id="alert_list",
        parameters=[AlertListQuerySerializer],
        responses={200: CumulativeAlertSerializer(many=True), **error_responses(400, 403)},
    )
    def get(self, request: Request) -> Response:
        """Patterns across agencies that no single concern shows, newest first."""
        if not user_is_safeguarding_lead(user=request.user):
            raise PermissionDenied("Only safeguarding leads can see cumulative concern alerts")
        query = AlertListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        alerts = selectors.alert_list_for_leads(
            user=request.user, is_open=query.validated_data["is_open"]
        )
        page: list[CumulativeAlert] = self.paginate_queryset(alerts) or []
        for network in {alert.network_id: alert.network for alert in page}.values():
            audit_api_read(
                request,
                summary="Viewed cumulative concern alerts",
                object_type="cumulative_alert",
                network=network,
            )
        return self.get_paginated_response(
            CumulativeAlertSerializer(cast(Any, page), many=True).data
        )
