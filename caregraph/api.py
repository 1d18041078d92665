"""The REST API of the care graph: people, networks, members, invitations, requests to join
and the audit trail. Views are thin: the access policy finds what the user may see, services
make changes, and every read of a person's record is written to their audit trail.
"""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from agencies.models import Agency
from api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from api.preconditions import IF_MATCH_PARAMETER, etag_for, if_match_refusal
from api.views import ApiView, audit_api_read, error_responses, signed_in_user
from caregraph import selectors
from caregraph.models import (
    AuditAction,
    AuditEvent,
    IdentifierSystem,
    JoinRequest,
    Membership,
    Network,
    Person,
)
from caregraph.policy import (
    Viewer,
    network_get_for_user,
    people_hidden_from,
    user_acting_agency,
    user_is_agency_staff,
    user_may_register_people,
    viewer_for,
)
from caregraph.serializers import (
    AuditEventSerializer,
    IdentifierInputSerializer,
    IdentifierSerializer,
    InvitationCreateSerializer,
    InvitationSerializer,
    JoinRequestCreateSerializer,
    JoinRequestSerializer,
    MemberSerializer,
    MembershipVisibilitySerializer,
    NetworkOverviewSerializer,
    NetworkSerializer,
    PersonRegisterSerializer,
    PersonSearchResultSerializer,
    PersonSearchSerializer,
    PersonSerializer,
    PersonUpdateSerializer,
    RegistrationExistsSerializer,
)
from caregraph.services.networks import (
    invitation_create,
    invitation_revoke,
    join_request_create,
    join_request_decide,
    membership_end,
    membership_visibility_set,
)
from caregraph.services.people import (
    IdentifierInput,
    identifier_add,
    person_register,
    person_update,
)

API_ROOT = "/api/v1"
PERSON_EDITABLE_FIELDS = ("given_name", "family_name", "date_of_birth", "postcode", "address")


# --- People ---------------------------------------------------------------------------------


def _person_representation(person: Person, viewer: Viewer) -> dict[str, Any]:
    identifiers = (
        list(selectors.identifier_list(viewer=viewer, person=person))
        if viewer.is_professional
        else None
    )
    context = {"identifiers": identifiers, "network_id": viewer.network_id}
    return dict(PersonSerializer(person, context=context).data)


def _acting_agency(*, user: User, viewer: Viewer) -> Agency | None:
    """The agency a professional acts for here (see `Viewer.acting_agency_id`)."""
    if viewer.acting_agency_id is None:
        return user_acting_agency(user=user)
    return Agency.objects.get(pk=viewer.acting_agency_id)


class PersonListApi(ApiView):
    """Search for people you may see, or register a new person and their network."""

    @extend_schema(
        operation_id="person_search",
        parameters=[PersonSearchSerializer],
        responses={200: PersonSearchResultSerializer(many=True), **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        """Find people in networks you may see, by NHS Number or by name and date of birth."""
        query = PersonSearchSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        people = selectors.people_search(user=request.user, **query.validated_data)
        page = self.paginate_queryset(people) or []
        searched_by = "NHS Number" if "nhs_number" in query.validated_data else "name"
        for person in page:
            audit_api_read(
                request,
                action=AuditAction.SEARCH,
                summary=f"Found in a search by {searched_by}",
                object_type="person",
                object_id=person.pk,
                person=person,
            )
        if not page:
            audit_api_read(
                request,
                action=AuditAction.SEARCH,
                summary=f"Searched by {searched_by}: nobody found",
                object_type="person",
            )
        return self.get_paginated_response(
            PersonSearchResultSerializer(cast(Any, page), many=True).data
        )

    @extend_schema(
        operation_id="person_register",
        request=PersonRegisterSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: OpenApiResponse(PersonSerializer, description="Registered, with a new network"),
            200: OpenApiResponse(
                RegistrationExistsSerializer,
                description="Someone with one of these identifiers is already known",
            ),
            **error_responses(400, 403, 422),
        },
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Register a person and start their network (agency staff only).

        If one of the identifiers is already known, nothing is created and nothing about
        the existing person is shown: the answer says where to ask to join their network.
        """
        user = signed_in_user(request)
        if not user_may_register_people(user=user):
            raise PermissionDenied("Only agency staff can register a person")
        agency = user_acting_agency(user=user)
        given = PersonRegisterSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        registration = person_register(
            registered_by=user,
            agency=agency,
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data.get("date_of_birth"),
            postcode=data.get("postcode", ""),
            address=data.get("address", ""),
            identifiers=[
                IdentifierInput(
                    system=identifier["system"],
                    value=identifier["value"],
                    agency=agency
                    if identifier["system"] == IdentifierSystem.LA_CASE_REFERENCE
                    else None,
                )
                for identifier in data["identifiers"]
            ],
        )
        network = registration.network
        if not registration.created:
            # The caller learns only that the record exists, and where to ask to join it.
            audit_api_read(
                request,
                action=AuditAction.SEARCH,
                summary="Tried to register someone already known by an identifier",
                object_type="person",
                object_id=registration.person.pk,
                person=registration.person,
            )
            exists = {
                "status": "exists",
                "matched_on": registration.matched_on,
                "join_request_url": f"{API_ROOT}/networks/{network.pk}/join-requests/",
            }
            return Response(RegistrationExistsSerializer(exists).data, status=status.HTTP_200_OK)
        viewer = viewer_for(user=user, network=network)
        assert viewer is not None  # the registering professional coordinates the network
        representation = _person_representation(registration.person, viewer)
        return Response(
            representation,
            status=status.HTTP_201_CREATED,
            headers={
                "Location": f"{API_ROOT}/people/{registration.person.pk}/",
                "ETag": etag_for(representation),
            },
        )


class PersonDetailApi(ApiView):
    """One person, as the members of their network see them."""

    @extend_schema(
        operation_id="person_get", responses={200: PersonSerializer, **error_responses(404)}
    )
    def get(self, request: Request, person_id: int) -> Response:
        """The person's details, with an ETag to send back as If-Match when changing them."""
        person, viewer = selectors.person_get_for_user(user=request.user, person_id=person_id)
        representation = _person_representation(person, viewer)
        audit_api_read(
            request,
            summary="Viewed the person's details",
            object_type="person",
            object_id=person.pk,
            person=person,
        )
        return Response(representation, headers={"ETag": etag_for(representation)})

    @extend_schema(
        operation_id="person_update",
        request=PersonUpdateSerializer,
        parameters=[IF_MATCH_PARAMETER],
        responses={200: PersonSerializer, **error_responses(400, 403, 404, 412, 428)},
    )
    def patch(self, request: Request, person_id: int) -> Response:
        """Change the person's details (professional members), from the version you last read."""
        person, viewer = selectors.person_get_for_user(user=request.user, person_id=person_id)
        if not viewer.may_edit_person:  # answered before reading the body; the service decides
            raise PermissionDenied("Only professionals in this network can change these details")
        with transaction.atomic():
            # Locked, so that two changes made from the same version cannot both succeed.
            person = Person.objects.select_for_update().get(pk=person.pk)
            refusal = if_match_refusal(
                request, current_etag=etag_for(_person_representation(person, viewer))
            )
            if refusal is not None:
                return refusal
            given = PersonUpdateSerializer(data=request.data, partial=True)
            given.is_valid(raise_exception=True)
            values = {field: getattr(person, field) for field in PERSON_EDITABLE_FIELDS}
            values.update(given.validated_data)
            person = person_update(
                person=person, viewer=viewer, updated_by=signed_in_user(request), **values
            )
        representation = _person_representation(person, viewer)
        return Response(representation, headers={"ETag": etag_for(representation)})


class PersonIdentifierListApi(ApiView):
    """A person's identifiers (for professionals), and adding one."""

    @extend_schema(
        operation_id="person_identifier_list",
        responses={200: IdentifierSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, person_id: int) -> Response:
        """The person's identifiers; empty for family and friends."""
        person, viewer = selectors.person_get_for_user(user=request.user, person_id=person_id)
        response = self.paginated_response(
            selectors.identifier_list(viewer=viewer, person=person), IdentifierSerializer
        )
        audit_api_read(
            request,
            summary="Viewed the person's identifiers",
            object_type="identifier",
            person=person,
        )
        return response

    @extend_schema(
        operation_id="person_identifier_add",
        request=IdentifierInputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: IdentifierSerializer, **error_responses(400, 403, 404, 422)},
    )
    @idempotent
    def post(self, request: Request, person_id: int) -> Response:
        """Add an identifier (professionals); one held by someone else is refused."""
        person, viewer = selectors.person_get_for_user(user=request.user, person_id=person_id)
        if not viewer.may_record:  # answered before reading the body; the service decides
            raise PermissionDenied("Only professionals can add identifiers")
        given = IdentifierInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        system = given.validated_data["system"]
        agency = (
            _acting_agency(user=signed_in_user(request), viewer=viewer)
            if system == IdentifierSystem.LA_CASE_REFERENCE
            else None
        )
        identifier = identifier_add(
            person=person,
            viewer=viewer,
            added_by=signed_in_user(request),
            system=system,
            value=given.validated_data["value"],
            agency=agency,
        )
        return Response(IdentifierSerializer(identifier).data, status=status.HTTP_201_CREATED)


# --- Networks -------------------------------------------------------------------------------


class NetworkListApi(ApiView):
    """The networks you may see: yours, and those you review as a safeguarding lead."""

    @extend_schema(operation_id="network_list", responses={200: NetworkSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return self.paginated_response(
            selectors.network_list_for_user(user=request.user), NetworkSerializer
        )


class NetworkDetailApi(ApiView):
    """A network's overview: the person, how many are involved, and your role in it."""

    @extend_schema(
        operation_id="network_get",
        responses={200: NetworkOverviewSerializer, **error_responses(404)},
    )
    def get(self, request: Request, network_id: int) -> Response:
        network, viewer = network_get_for_user(user=request.user, network_id=network_id)
        membership = viewer.membership
        overview = {
            "id": network.pk,
            "person": network.person,
            "created_at": network.created_at,
            "member_count": selectors.member_list(viewer=viewer).count(),
            "open_involvement_count": selectors.involvement_list(
                viewer=viewer, include_closed=False
            ).count(),
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
        audit_api_read(
            request,
            summary="Viewed the network overview",
            object_type="network",
            object_id=network.pk,
            network=network,
        )
        return Response(NetworkOverviewSerializer(overview).data)


class MemberFilter(django_filters.FilterSet):
    class Meta:
        model = Membership
        fields = ["kind", "is_coordinator"]


class NetworkMemberListApi(ApiView):
    """Who is in the network. Every member may see who else is."""

    queryset = Membership.objects.none()  # for the schema; the policy gives the real one
    filter_backends = [DjangoFilterBackend]
    filterset_class = MemberFilter

    @extend_schema(
        operation_id="network_member_list",
        responses={200: MemberSerializer(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request, network_id: int) -> Response:
        network, viewer = network_get_for_user(user=request.user, network_id=network_id)
        members = self.filter_queryset(selectors.member_list(viewer=viewer))
        response = self.paginated_response(members, MemberSerializer)
        audit_api_read(
            request,
            summary="Viewed the members",
            object_type="membership",
            network=network,
        )
        return response


class NetworkMemberDetailApi(ApiView):
    """Leaving a network, or a coordinator removing a member: it takes effect at once.
    Changing who may know a professional member is here."""

    @extend_schema(
        operation_id="network_member_update",
        request=MembershipVisibilitySerializer,
        responses={200: MemberSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, network_id: int, membership_id: int) -> Response:
        """Change who may know a professional member is here (the member, or a coordinator).

        A sensitive involvement (police, a domestic-abuse service) can be known to the
        professionals only: it is then left out of what family and friends are shown.
        """
        _network, viewer = network_get_for_user(user=request.user, network_id=network_id)
        membership = selectors.membership_get_active(viewer=viewer, membership_id=membership_id)
        given = MembershipVisibilitySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        membership = membership_visibility_set(
            membership=membership,
            visibility=given.validated_data["visibility"],
            changed_by=signed_in_user(request),
            viewer=viewer,
        )
        return Response(MemberSerializer(membership).data)

    @extend_schema(
        operation_id="network_member_remove",
        request=None,
        responses={204: None, **error_responses(400, 403, 404)},
    )
    def delete(self, request: Request, network_id: int, membership_id: int) -> Response:
        _network, viewer = network_get_for_user(user=request.user, network_id=network_id)
        membership = selectors.membership_get_active(viewer=viewer, membership_id=membership_id)
        membership_end(membership=membership, ended_by=signed_in_user(request), viewer=viewer)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _coordinator_viewer(request: Request, network_id: int, *, doing: str) -> tuple[Network, Viewer]:
    """The network, for its coordinators; other members are told plainly that they cannot."""
    network, viewer = network_get_for_user(user=request.user, network_id=network_id)
    if not viewer.may_manage_members:
        raise PermissionDenied(f"Only a coordinator of this network can {doing}")
    return network, viewer


class NetworkInvitationListApi(ApiView):
    """Open invitations to the network, and inviting someone by e-mail (coordinators)."""

    @extend_schema(
        operation_id="network_invitation_list",
        responses={200: InvitationSerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request: Request, network_id: int) -> Response:
        """Invitations not yet accepted, withdrawn or expired (coordinators)."""
        _network, viewer = _coordinator_viewer(request, network_id, doing="see its invitations")
        return self.paginated_response(
            selectors.invitation_list_pending(viewer=viewer), InvitationSerializer
        )

    @extend_schema(
        operation_id="network_invitation_create",
        request=InvitationCreateSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: InvitationSerializer, **error_responses(400, 403, 404, 422)},
    )
    @idempotent
    def post(self, request: Request, network_id: int) -> Response:
        """Invite someone by e-mail (coordinators). The e-mail names nobody."""
        network, viewer = _coordinator_viewer(request, network_id, doing="invite people")
        given = InvitationCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        invitation, _token = invitation_create(
            network=network,
            invited_by=signed_in_user(request),
            viewer=viewer,
            email=given.validated_data["email"],
            kind=given.validated_data["kind"],
            relationship=given.validated_data.get("relationship", ""),
            agency=given.validated_data.get("agency"),
            visibility=given.validated_data["visibility"],
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class NetworkInvitationDetailApi(ApiView):
    """Withdrawing an invitation that has not been used yet (coordinators)."""

    @extend_schema(
        operation_id="network_invitation_revoke",
        request=None,
        responses={204: None, **error_responses(403, 404)},
    )
    def delete(self, request: Request, network_id: int, invitation_id: int) -> Response:
        _network, viewer = _coordinator_viewer(request, network_id, doing="withdraw invitations")
        invitation = _get_or_404(selectors.invitation_list_pending(viewer=viewer), invitation_id)
        invitation_revoke(invitation=invitation, revoked_by=signed_in_user(request), viewer=viewer)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _get_or_404(queryset: QuerySet[Any], pk: int) -> Any:
    """One row of a queryset the policy has already narrowed; 404 when it is not in it."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404("Not found")
    return found


class NetworkJoinRequestListApi(ApiView):
    """Asking to join a network you cannot see yet; its coordinators list what is pending."""

    @extend_schema(
        operation_id="network_join_request_list",
        responses={200: JoinRequestSerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request: Request, network_id: int) -> Response:
        """Requests to join waiting for a decision (coordinators)."""
        _network, viewer = _coordinator_viewer(request, network_id, doing="see requests to join")
        return self.paginated_response(
            selectors.join_request_list(viewer=viewer), JoinRequestSerializer
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


class _JoinRequestDecideApi(ApiView):
    approve = True

    def post(self, request: Request, network_id: int, join_request_id: int) -> Response:
        _network, viewer = _coordinator_viewer(
            request, network_id, doing="decide on requests to join"
        )
        join_request: JoinRequest = _get_or_404(
            selectors.join_request_list(viewer=viewer), join_request_id
        )
        join_request = join_request_decide(
            join_request=join_request,
            decided_by=signed_in_user(request),
            viewer=viewer,
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
    def post(self, request: Request, network_id: int, join_request_id: int) -> Response:
        return super().post(request, network_id, join_request_id)


class NetworkJoinRequestDeclineApi(_JoinRequestDecideApi):
    """Turning a request down; the professional still sees nothing."""

    approve = False

    @extend_schema(
        operation_id="network_join_request_decline",
        request=None,
        responses={200: JoinRequestSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, network_id: int, join_request_id: int) -> Response:
        return super().post(request, network_id, join_request_id)


class AuditEventFilter(django_filters.FilterSet):
    class Meta:
        model = AuditEvent
        fields = ["action"]


class NetworkAuditListApi(ApiView):
    """Who looked at or changed the person's record, newest first.

    For the person themself, the network's coordinators and reviewing safeguarding leads.
    """

    queryset = AuditEvent.objects.none()  # for the schema; the policy gives the real one
    filter_backends = [DjangoFilterBackend]
    filterset_class = AuditEventFilter

    @extend_schema(
        operation_id="network_audit_list",
        responses={200: AuditEventSerializer(many=True), **error_responses(400, 403, 404)},
    )
    def get(self, request: Request, network_id: int) -> Response:
        network, viewer = network_get_for_user(user=request.user, network_id=network_id)
        if not viewer.may_view_audit:
            raise PermissionDenied(
                "Only the person, the coordinators and safeguarding leads can see who has "
                "looked at this record"
            )
        events = self.filter_queryset(
            selectors.audit_list_for_viewer(viewer=viewer, person=network.person)
        )
        response = self.paginated_response(
            events,
            AuditEventSerializer,
            context_of=lambda page: {
                "hidden_people": people_hidden_from(
                    viewer=viewer, user_ids=[row.actor_id for row in page]
                )
            },
        )
        audit_api_read(
            request,
            summary="Viewed who has looked at the record",
            object_type="audit",
            network=network,
        )
        return response
