"""People through the API: searching, registering, their details and identifiers."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from agencies.models import Agency
from api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from api.preconditions import IF_MATCH_PARAMETER, etag_for, etag_header, if_match_refusal
from api.v1.serializers.graph import (
    IdentifierInputSerializer,
    IdentifierSerializer,
    PersonRegisterSerializer,
    PersonSearchResultSerializer,
    PersonSearchSerializer,
    PersonSerializer,
    PersonUpdateSerializer,
    RegistrationExistsSerializer,
)
from api.views import (
    LOCATION_HEADER,
    ApiView,
    Requirement,
    ViewerApiView,
    audit_api_read,
    error_responses,
    signed_in_user,
)
from caregraph import selectors
from caregraph.models import AuditAction, IdentifierSystem, Person
from caregraph.policy import Viewer, user_acting_agency, user_may_register_people, viewer_for
from caregraph.services.people import (
    IdentifierInput,
    identifier_add,
    person_register,
    person_update,
)

API_ROOT = "/api/v1"
PERSON_EDITABLE_FIELDS = ("given_name", "family_name", "date_of_birth", "postcode", "address")


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


class PersonApiView(ViewerApiView):
    """Base of the endpoints under ``/people/<person_id>/``: the handler reads `self.person`
    and `self.viewer`, found by `caregraph.selectors.person_get_for_user`."""

    person: Person

    def viewer_resolve(self, request: Request, **kwargs: Any) -> Viewer:
        self.person, viewer = selectors.person_get_for_user(
            user=request.user, person_id=kwargs["person_id"]
        )
        return viewer

    def audit_read(self, *, summary: str, object_type: str, object_id: object = "") -> None:
        audit_api_read(
            self.request,
            summary=summary,
            object_type=object_type,
            object_id=object_id,
            person=self.person,
        )


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
        parameters=[IDEMPOTENCY_KEY_PARAMETER, LOCATION_HEADER, etag_header(201)],
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


class PersonDetailApi(PersonApiView):
    """One person, as the members of their network see them."""

    # Refused before the body is read; the service decides again.
    requires = {
        "PATCH": Requirement(
            "may_edit_person", "Only professionals in this network can change these details"
        )
    }

    @extend_schema(
        operation_id="person_get",
        parameters=[etag_header(200)],
        responses={200: PersonSerializer, **error_responses(404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        """The person's details, with an ETag to send back as If-Match when changing them."""
        representation = _person_representation(self.person, self.viewer)
        self.audit_read(
            summary="Viewed the person's details", object_type="person", object_id=self.person.pk
        )
        return Response(representation, headers={"ETag": etag_for(representation)})

    @extend_schema(
        operation_id="person_update",
        request=PersonUpdateSerializer,
        parameters=[IF_MATCH_PARAMETER, etag_header(200)],
        responses={200: PersonSerializer, **error_responses(400, 403, 404, 412, 428)},
    )
    def patch(self, request: Request, **kwargs: object) -> Response:
        """Change the person's details (professional members), from the version you last read."""
        viewer = self.viewer
        with transaction.atomic():
            # Locked, so that two changes made from the same version cannot both succeed.
            person = Person.objects.select_for_update().get(pk=self.person.pk)
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


class PersonIdentifierListApi(PersonApiView):
    """A person's identifiers (for professionals), and adding one."""

    # Refused before the body is read; the service decides again.
    requires = {"POST": Requirement("may_record", "Only professionals can add identifiers")}

    @extend_schema(
        operation_id="person_identifier_list",
        responses={200: IdentifierSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        """The person's identifiers; empty for family and friends."""
        return self.audited_page(
            selectors.identifier_list(viewer=self.viewer, person=self.person),
            IdentifierSerializer,
            summary="Viewed the person's identifiers",
            object_type="identifier",
        )

    @extend_schema(
        operation_id="person_identifier_add",
        request=IdentifierInputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: IdentifierSerializer, **error_responses(400, 403, 404, 422)},
    )
    @idempotent
    def post(self, request: Request, **kwargs: object) -> Response:
        """Add an identifier (professionals); one held by someone else is refused."""
        given = IdentifierInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        system = given.validated_data["system"]
        agency = (
            _acting_agency(user=signed_in_user(request), viewer=self.viewer)
            if system == IdentifierSystem.LA_CASE_REFERENCE
            else None
        )
        identifier = identifier_add(
            person=self.person,
            viewer=self.viewer,
            added_by=signed_in_user(request),
            system=system,
            value=given.validated_data["value"],
            agency=agency,
        )
        return Response(IdentifierSerializer(identifier).data, status=status.HTTP_201_CREATED)
