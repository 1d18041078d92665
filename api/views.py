"""What every API view shares: no caching of personal data, and auditing of reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils.cache import patch_cache_control
from drf_spectacular.utils import OpenApiResponse
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from accounts.models import User
from api.errors import ErrorsSerializer
from caregraph.models import AuditAction, AuditEvent, Network, Person
from caregraph.services.audit import audit_record

API_CHANNEL = "api"


ERROR_DESCRIPTIONS = {
    400: "A field is wrong: the message says which and why",
    403: "You may see this, but not do this",
    404: "Not there, or not yours to see",
    409: "Someone else got there first",
    412: "Stale: the record changed since your GET",
    422: "The Idempotency-Key was used for a different request",
    428: "If-Match is missing",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error answers of an endpoint, all in the `{"errors": …}` shape."""
    return {
        code: OpenApiResponse(ErrorsSerializer, description=ERROR_DESCRIPTIONS[code])
        for code in codes
    }


def signed_in_user(request: Request) -> User:
    """The user of an API request; every endpoint requires one."""
    return request.user  # type: ignore[return-value]


class ApiView(GenericAPIView):  # type: ignore[type-arg]
    """Base of our API views. Answers are personal data: no shared or browser cache keeps them."""

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response

    def paginated_response(
        self,
        queryset: QuerySet[Any],
        serializer_class: type[BaseSerializer[Any]],
        *,
        context_of: Callable[[list[Any]], dict[str, Any]] | None = None,
    ) -> Response:
        """One page of the queryset, with count, next and previous. `context_of` gives the
        serializer what it needs to know about the page's rows as a whole (such as whom the
        reader may not know is involved: see `caregraph.serializers.UserSummarySerializer`)."""
        page = self.paginate_queryset(queryset) or []
        context = context_of(page) if context_of else {}
        return self.get_paginated_response(serializer_class(page, many=True, context=context).data)


def audit_api_read(
    request: Request,
    *,
    summary: str,
    object_type: str,
    object_id: object = "",
    person: Person | None = None,
    network: Network | None = None,
    action: str = AuditAction.VIEW,
) -> AuditEvent:
    """Records one read through the API in the person's audit trail."""
    return audit_record(
        actor=request.user,
        action=action,
        summary=summary,
        object_type=object_type,
        object_id=object_id,
        person=person,
        network=network,
        request=request._request,
        channel=API_CHANNEL,
    )
