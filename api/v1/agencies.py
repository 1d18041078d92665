"""The REST API of agencies: the directory of agencies and their staff, and each agency's
involvement with the person at the centre of a network.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from agencies import selectors
from agencies.models import (
    Agency,
    AgencyKind,
    Involvement,
    StaffMembership,
    StaffRole,
)
from agencies.services import involvement_create, involvement_update
from api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from api.v1.serializers.graph import AgencySummarySerializer, UserSummarySerializer
from api.views import ApiView, NetworkApiView, error_responses, signed_in_user
from caregraph.models import Visibility
from caregraph.policy import (
    agency_staff_may_be_listed,
    involvement_is_open,
    involvement_open_now,
    record_get_for_viewer,
)

INVOLVEMENT_EDITABLE_FIELDS = (
    "service",
    "started_on",
    "ended_on",
    "lead_professional",
    "contact_name",
    "contact_phone",
    "contact_email",
    "visibility",
)


# --- Serializers ----------------------------------------------------------------------------


class AgencySerializer(serializers.Serializer[Agency]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=AgencyKind.choices, read_only=True)
    code = serializers.CharField(read_only=True, help_text="ODS code where one applies.")


class StaffSerializer(serializers.Serializer[StaffMembership]):
    id = serializers.IntegerField(read_only=True, help_text="The staff membership's id.")
    user = UserSummarySerializer(read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    role = serializers.ChoiceField(choices=StaffRole.choices, read_only=True)
    job_title = serializers.CharField(read_only=True)


class InvolvementSerializer(serializers.Serializer[Involvement]):
    id = serializers.IntegerField(read_only=True)
    network_id = serializers.IntegerField(read_only=True)
    agency = AgencySummarySerializer(read_only=True)
    service = serializers.CharField(read_only=True)
    lead_professional = UserSummarySerializer(read_only=True, allow_null=True)
    contact_name = serializers.CharField(read_only=True)
    contact_phone = serializers.CharField(read_only=True)
    contact_email = serializers.CharField(read_only=True)
    started_on = serializers.DateField(read_only=True)
    ended_on = serializers.DateField(read_only=True, allow_null=True)
    is_open = serializers.SerializerMethodField()
    visibility = serializers.ChoiceField(choices=Visibility.choices, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_is_open(self, involvement: Involvement) -> bool:
        return involvement_is_open(involvement)


class InvolvementWriteSerializer(serializers.Serializer[Any]):
    """Recording or changing an involvement. A change need only send what changes."""

    agency_id = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), source="agency", help_text="The agency involved."
    )
    service = serializers.CharField(max_length=200)
    started_on = serializers.DateField()
    ended_on = serializers.DateField(required=False, allow_null=True)
    lead_professional_id = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(staff_memberships__is_active=True).distinct(),
        source="lead_professional",
        required=False,
        allow_null=True,
        help_text="A member of agency staff who leads for the agency.",
    )
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    contact_email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    visibility = serializers.ChoiceField(
        choices=Visibility.choices, required=False, default=Visibility.PROFESSIONALS
    )


class InvolvementUpdateSerializer(InvolvementWriteSerializer):
    agency_id = None  # type: ignore[assignment]  # an involvement stays with its agency


# --- Agencies -------------------------------------------------------------------------------


class AgencyFilter(django_filters.FilterSet):
    class Meta:
        model = Agency
        fields = ["kind"]


class AgencyListApi(ApiView):
    """Every agency, by name."""

    queryset = Agency.objects.none()  # for the schema
    filter_backends = [DjangoFilterBackend]
    filterset_class = AgencyFilter

    @extend_schema(
        operation_id="agency_list",
        responses={200: AgencySerializer(many=True), **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        return self.paginated_response(
            self.filter_queryset(selectors.agency_list()), AgencySerializer
        )


class AgencyDetailApi(ApiView):
    """One agency."""

    @extend_schema(
        operation_id="agency_get", responses={200: AgencySerializer, **error_responses(404)}
    )
    def get(self, request: Request, agency_id: int) -> Response:
        agency = get_object_or_404(selectors.agency_list(), pk=agency_id)
        return Response(AgencySerializer(agency).data)


class StaffFilter(django_filters.FilterSet):
    class Meta:
        model = StaffMembership
        fields = ["role"]


class AgencyStaffListApi(ApiView):
    """An agency's current staff, for other agency staff; nobody else may see it."""

    queryset = StaffMembership.objects.none()  # for the schema
    filter_backends = [DjangoFilterBackend]
    filterset_class = StaffFilter

    @extend_schema(
        operation_id="agency_staff_list",
        responses={200: StaffSerializer(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request, agency_id: int) -> Response:
        if not agency_staff_may_be_listed(user=request.user):
            raise Http404("Not found")
        agency = get_object_or_404(selectors.agency_list(), pk=agency_id)
        staff = self.filter_queryset(selectors.agency_staff_list(agency=agency))
        return self.paginated_response(staff, StaffSerializer)


# --- Involvement ----------------------------------------------------------------------------


class InvolvementFilter(django_filters.FilterSet):
    is_open = django_filters.BooleanFilter(method="filter_is_open", label="Open now")

    class Meta:
        model = Involvement
        fields = ["agency", "visibility"]

    def filter_is_open(self, queryset: Any, name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        open_now = involvement_open_now()
        return queryset.filter(open_now) if value else queryset.exclude(open_now)


class NetworkInvolvementListApi(NetworkApiView):
    """Which agencies are involved, who leads and how to reach them."""

    queryset = Involvement.objects.none()  # for the schema; the policy gives the real one
    filter_backends = [DjangoFilterBackend]
    filterset_class = InvolvementFilter

    @extend_schema(
        operation_id="network_involvement_list",
        responses={200: InvolvementSerializer(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        """Agency involvement you may see."""
        return self.audited_page(
            self.filter_queryset(selectors.involvement_list(viewer=self.viewer)),
            InvolvementSerializer,
            summary="Viewed agency involvement",
            object_type="involvement",
        )

    @extend_schema(
        operation_id="network_involvement_create",
        request=InvolvementWriteSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: InvolvementSerializer, **error_responses(400, 403, 404, 422)},
    )
    @idempotent
    def post(self, request: Request, **kwargs: object) -> Response:
        """Record an agency's involvement (professionals)."""
        given = InvolvementWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        involvement = involvement_create(
            network=self.network,
            viewer=self.viewer,
            created_by=signed_in_user(request),
            **given.validated_data,
        )
        return Response(InvolvementSerializer(involvement).data, status=status.HTTP_201_CREATED)


class NetworkInvolvementDetailApi(NetworkApiView):
    """One agency's involvement with the person."""

    involvement: Involvement

    def record_resolve(self) -> None:
        self.involvement = record_get_for_viewer(
            selectors.involvement_list(viewer=self.viewer),
            viewer=self.viewer,
            record_id=self.kwargs["involvement_id"],
        )

    @extend_schema(
        operation_id="network_involvement_get",
        responses={200: InvolvementSerializer, **error_responses(404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        """One agency's involvement."""
        involvement = self.involvement
        self.audit_read(
            summary=f"Viewed {involvement.agency}'s involvement",
            object_type="involvement",
            object_id=involvement.pk,
        )
        return Response(InvolvementSerializer(involvement).data)

    @extend_schema(
        operation_id="network_involvement_update",
        request=InvolvementUpdateSerializer,
        responses={200: InvolvementSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, **kwargs: object) -> Response:
        """Change an involvement (professionals): send only what changes."""
        given = InvolvementUpdateSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        values: dict[str, Any] = {
            field: getattr(self.involvement, field) for field in INVOLVEMENT_EDITABLE_FIELDS
        }
        values.update(given.validated_data)
        involvement = involvement_update(
            involvement=self.involvement,
            viewer=self.viewer,
            updated_by=signed_in_user(request),
            **values,
        )
        return Response(InvolvementSerializer(involvement).data)
