"""A network's members through the API: who is in it, leaving and removal, invitations, and
requests to join from professionals outside it."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from api.v1.serializers.graph import (
    InvitationCreateSerializer,
    InvitationSerializer,
    JoinRequestCreateSerializer,
    JoinRequestSerializer,
    MemberSerializer,
    MembershipVisibilitySerializer,
)
from api.views import NetworkApiView, coordinators_only, error_responses, signed_in_user
from caregraph import selectors
from caregraph.models import Invitation, JoinRequest, Membership
from caregraph.policy import user_is_agency_staff
from caregraph.services.networks import (
    invitation_revoke,
    join_request_create,
    join_request_decide,
    membership_end,
    membership_visibility_set,
)
from notifications.invitations import invitation_create


def _get_or_404(queryset: QuerySet[Any], pk: int) -> Any:
    """One row of a queryset the policy has already narrowed; 404 when it is not in it."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404("Not found")
    return found


# --- Members --------------------------------------------------------------------------------


class MemberFilter(django_filters.FilterSet):
    class Meta:
        model = Membership
        fields = ["kind", "is_coordinator"]


class NetworkMemberListApi(NetworkApiView):
    """Who is in the network. Every member may see who else is."""

    queryset = Membership.objects.none()  # for the schema; the policy gives the real one
    filter_backends = [DjangoFilterBackend]
    filterset_class = MemberFilter

    @extend_schema(
        operation_id="network_member_list",
        responses={200: MemberSerializer(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        return self.audited_page(
            self.filter_queryset(selectors.member_list(viewer=self.viewer)),
            MemberSerializer,
            summary="Viewed the members",
            object_type="membership",
        )


class NetworkMemberDetailApi(NetworkApiView):
    """Leaving a network, or a coordinator removing a member: it takes effect at once.
    Changing who may know a professional member is here."""

    membership: Membership

    def record_resolve(self) -> None:
        self.membership = selectors.membership_get_active(
            viewer=self.viewer, membership_id=self.kwargs["membership_id"]
        )

    @extend_schema(
        operation_id="network_member_update",
        request=MembershipVisibilitySerializer,
        responses={200: MemberSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, **kwargs: object) -> Response:
        """Change who may know a professional member is here (the member, or a coordinator).

        A sensitive involvement (police, a domestic-abuse service) can be known to the
        professionals only: it is then left out of what family and friends are shown.
        """
        given = MembershipVisibilitySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        membership = membership_visibility_set(
            membership=self.membership,
            visibility=given.validated_data["visibility"],
            changed_by=signed_in_user(request),
            viewer=self.viewer,
        )
        return Response(MemberSerializer(membership).data)

    @extend_schema(
        operation_id="network_member_remove",
        request=None,
        responses={204: None, **error_responses(400, 403, 404)},
    )
    def delete(self, request: Request, **kwargs: object) -> Response:
        membership_end(
            membership=self.membership, ended_by=signed_in_user(request), viewer=self.viewer
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Invitations ----------------------------------------------------------------------------


class NetworkInvitationListApi(NetworkApiView):
    """Open invitations to the network, and inviting someone by e-mail (coordinators)."""

    requires = {
        "GET": coordinators_only("see its invitations"),
        "POST": coordinators_only("invite people"),
    }

    @extend_schema(
        operation_id="network_invitation_list",
        responses={200: InvitationSerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        """Invitations not yet accepted, withdrawn or expired (coordinators)."""
        return self.paginated_response(
            selectors.invitation_list_pending(viewer=self.viewer), InvitationSerializer
        )

    @extend_schema(
        operation_id="network_invitation_create",
        request=InvitationCreateSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: InvitationSerializer, **error_responses(400, 403, 404, 422)},
    )
    @idempotent
    def post(self, request: Request, **kwargs: object) -> Response:
        """Invite someone by e-mail (coordinators). The e-mail names nobody."""
        given = InvitationCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        invitation, _token = invitation_create(
            network=self.network,
            invited_by=signed_in_user(request),
            viewer=self.viewer,
            email=given.validated_data["email"],
            kind=given.validated_data["kind"],
            relationship=given.validated_data.get("relationship", ""),
            agency=given.validated_data.get("agency"),
            visibility=given.validated_data["visibility"],
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class NetworkInvitationDetailApi(NetworkApiView):
    """Withdrawing an invitation that has not been used yet (coordinators)."""

    requires = {"DELETE": coordinators_only("withdraw invitations")}
    invitation: Invitation

    def record_resolve(self) -> None:
        self.invitation = _get_or_404(
            selectors.invitation_list_pending(viewer=self.viewer), self.kwargs["invitation_id"]
        )

    @extend_schema(
        operation_id="network_invitation_revoke",
        request=None,
        responses={204: None, **error_responses(403, 404)},
    )
    def delete(self, request: Request, **kwargs: object) -> Response:
        invitation_revoke(
            invitation=self.invitation, revoked_by=signed_in_user(request), viewer=self.viewer
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Requests to join -----------------------------------------------------------------------


class NetworkJoinRequestListApi(NetworkApiView):
    """Asking to join a network you cannot see yet; its coordinators list what is pending."""

    requires = {"GET": coordinators_only("see requests to join")}
    methods_for_outsiders = frozenset({"POST"})

    @extend_schema(
        operation_id="network_join_request_list",
        responses={200: JoinRequestSerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        """Requests to join waiting for a decision (coordinators)."""
        return self.paginated_response(
            selectors.join_request_list(viewer=self.viewer), JoinRequestSerializer
        )

    @extend_schema(
        operation_id="network_join_request_create",
        request=JoinRequestCreateSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: JoinRequestSerializer, **error_responses(400, 403, 404, 422)},
    )
    @idempotent
    def post(self, request: Request, network_id: int) -> Response:
        """Ask to join a network you cannot see yet (agency staff).

        Registration tells you the network's id when the person is already known.
        """
        user = signed_in_user(request)
        if not user_is_agency_staff(user=user):
            raise PermissionDenied("Only agency staff can ask to join a network")
        network = selectors.network_get_to_ask_to_join(network_id=network_id)
        given = JoinRequestCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        join_request = join_request_create(
            network=network,
            requested_by=user,
            reason=given.validated_data["reason"],
            visibility=given.validated_data["visibility"],
        )
        return Response(JoinRequestSerializer(join_request).data, status=status.HTTP_201_CREATED)


class _JoinRequestDecideApi(NetworkApiView):
    approve = True
    requires = {"POST": coordinators_only("decide on requests to join")}
    join_request: JoinRequest

    def record_resolve(self) -> None:
        self.join_request = _get_or_404(
            selectors.join_request_list(viewer=self.viewer), self.kwargs["join_request_id"]
        )

    def decided(self, request: Request) -> Response:
        join_request = join_request_decide(
            join_request=self.join_request,
            decided_by=signed_in_user(request),
            viewer=self.viewer,
            approve=self.approve,
        )
        return Response(JoinRequestSerializer(join_request).data)


class NetworkJoinRequestApproveApi(_JoinRequestDecideApi):
    """Letting the professional in: they join as a professional member at once."""

    approve = True

    @extend_schema(
        operation_id="network_join_request_approve",
        request=None,
        responses={200: JoinRequestSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, **kwargs: object) -> Response:
        return self.decided(request)


class NetworkJoinRequestDeclineApi(_JoinRequestDecideApi):
    """Turning a request down; the professional still sees nothing."""

    approve = False

    @extend_schema(
        operation_id="network_join_request_decline",
        request=None,
        responses={200: JoinRequestSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, **kwargs: object) -> Response:
        return self.decided(request)
