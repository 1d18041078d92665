"""What every API view shares: no caching of personal data, and auditing of reads."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.cache import patch_cache_control
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from caregraph.models import AuditAction, AuditEvent, Network, Person
from caregraph.services.audit import audit_record

API_CHANNEL = "api"


class ApiView(GenericAPIView):  # type: ignore[type-arg]
    """Base of our API views. Answers are personal data: no shared or browser cache keeps them."""

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response

    def paginated_response(
        self, queryset: QuerySet[Any], serializer_class: type[BaseSerializer[Any]]
    ) -> Response:
        """One page of the queryset, with count, next and previous."""
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer_class(page, many=True).data)


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
