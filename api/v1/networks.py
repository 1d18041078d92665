"""Networks through the API: the ones you may see, one network's overview, and who has looked
at the person's record."""

from __future__ import annotations

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.selectors import involvement_list
from api.v1.serializers.graph import (
    AuditEventSerializer,
    NetworkOverviewSerializer,
    NetworkSerializer,
)
from api.views import ApiView, NetworkApiView, Requirement, error_responses
from caregraph import selectors
from caregraph.models import AuditEvent
from caregraph.policy import people_hidden_from


class NetworkListApi(ApiView):
    """The networks you may see: yours, and those you review as a safeguarding lead."""

    @extend_schema(operation_id="network_list", responses={200: NetworkSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return self.paginated_response(
            selectors.network_list_for_user(user=request.user), NetworkSerializer
        )


class NetworkDetailApi(NetworkApiView):
    """A network's overview: the person, how many are involved, and your role in it."""

    @extend_schema(
        operation_id="network_get",
        responses={200: NetworkOverviewSerializer, **error_responses(404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        network, viewer = self.network, self.viewer
        membership = viewer.membership
        overview = {
            "id": network.pk,
            "person": network.person,
            "created_at": network.created_at,
            "member_count": selectors.member_list(viewer=viewer).count(),
            "open_involvement_count": involvement_list(viewer=viewer, include_closed=False).count(),
            "pending_join_request_count": (
                selectors.join_request_list(viewer=viewer).count()
                if viewer.is_coordinator
                else None
            ),
            "my_role": {
                "membership_id": membership.pk if membership else None,
                "member_kind": membership.kind if membership else None,
                "is_member": viewer.is_member,
                "is_coordinator": viewer.is_coordinator,
                "is_professional": viewer.is_professional,
                "is_reviewing_lead": viewer.is_reviewing_lead,
                "may_manage_members": viewer.may_manage_members,
                "may_record": viewer.may_record,
                "may_view_audit": viewer.may_view_audit,
            },
        }
        self.audit_read(
            summary="Viewed the network overview", object_type="network", object_id=network.pk
        )
        return Response(NetworkOverviewSerializer(overview).data)


class AuditEventFilter(django_filters.FilterSet):
    class Meta:
        model = AuditEvent
        fields = ["action"]


class NetworkAuditListApi(NetworkApiView):
    """Who looked at or changed the person's record, newest first.

    For the person themself, the network's coordinators and reviewing safeguarding leads.
    """

    queryset = AuditEvent.objects.none()  # for the schema; the policy gives the real one
    filter_backends = [DjangoFilterBackend]
    filterset_class = AuditEventFilter
    requires = {
        "GET": Requirement(
            "may_view_audit",
            "Only the person, the coordinators and safeguarding leads can see who has looked "
            "at this record",
        )
    }

    @extend_schema(
        operation_id="network_audit_list",
        responses={200: AuditEventSerializer(many=True), **error_responses(400, 403, 404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        viewer = self.viewer
        events = self.filter_queryset(
            selectors.audit_list_for_viewer(viewer=viewer, person=self.network.person)
        )
        return self.audited_page(
            events,
            AuditEventSerializer,
            summary="Viewed who has looked at the record",
            object_type="audit",
            context_of=lambda page: {
                "hidden_people": people_hidden_from(
                    viewer=viewer, user_ids=[row.actor_id for row in page]
                )
            },
        )
