"""What every API view shares: no caching of personal data, and auditing of reads; and the
base of the endpoints that act in one network, which find the network and the user's
standing in it once, through the policy, before their handler runs."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from accounts.models import User
from api.errors import ErrorsSerializer
from caregraph.models import AuditAction, AuditEvent, Network, Person
from caregraph.policy import Viewer, network_get_for_user
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

LOCATION_HEADER = OpenApiParameter(
    name="Location",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    response=[201],
    description="The path of the new record.",
)


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
        queryset: QuerySet[Any] | Sequence[Any],
        serializer_class: type[BaseSerializer[Any]],
        *,
        context_of: Callable[[list[Any]], dict[str, Any]] | None = None,
    ) -> Response:
        """One page of the queryset, with count, next and previous. `context_of` gives the
        serializer what it needs to know about the page's rows as a whole (such as whom the
        reader may not know is involved: see `api.v1.serializers.graph.UserSummarySerializer`)."""
        page = self.paginate_queryset(queryset) or []  # type: ignore[arg-type]  # a list pages too
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


@dataclass(frozen=True)
class Requirement:
    """What one method of an endpoint asks of the user's standing in the network: a
    permission of `caregraph.policy.Viewer` (such as ``"may_manage_members"``), and the
    plain-English refusal (403) for those who may see the network but not do this."""

    permission: str
    refusal: str

    def __post_init__(self) -> None:
        if not isinstance(getattr(Viewer, self.permission, None), property):
            raise TypeError(f"Viewer has no permission {self.permission!r}")


def coordinators_only(doing: str) -> Requirement:
    return Requirement("may_manage_members", f"Only a coordinator of this network can {doing}")


class ViewerApiView(ApiView):
    """Base of the endpoints that act in one network as one user (Sentry's endpoint bases
    are the model). Before the handler runs, and so before the body is read or anything is
    written, `initial` finds what the URL names and the user's standing there through the
    policy (`viewer_resolve`: the same 404 for "not there" and "not yours"), answers 403 when
    the method `requires` what the standing does not allow, and lets the endpoint find the
    one record its URL names (`record_resolve`, through the app's selectors). The handler
    then reads `self.viewer` and what the subclass found; none of them decides access.

    Methods in `methods_for_outsiders` are for people outside the network (asking to join
    it): nothing is resolved for them and their handler finds what it needs itself.
    """

    requires: ClassVar[Mapping[str, Requirement]] = {}
    methods_for_outsiders: ClassVar[frozenset[str]] = frozenset()
    viewer: Viewer

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication first: 401 before 404
        method = "GET" if request.method == "HEAD" else (request.method or "")
        if not self._answers(method) or method in self.methods_for_outsiders:
            return
        self.viewer = self.viewer_resolve(request, **kwargs)
        requirement = self.requires.get(method)
        if requirement is not None and not getattr(self.viewer, requirement.permission):
            raise PermissionDenied(requirement.refusal)
        self.record_resolve()

    def _answers(self, method: str) -> bool:
        """Whether a handler of ours answers the method (OPTIONS and a 405 are DRF's)."""
        name = method.lower()
        return name in self.http_method_names and name != "options" and hasattr(self, name)

    def viewer_resolve(self, request: Request, **kwargs: Any) -> Viewer:
        """Finds what the URL names and the user's standing there, or raises 404."""
        raise NotImplementedError

    def record_resolve(self) -> None:
        """Finds the one record the URL names (`self.kwargs`), for those that name one."""

    def audit_read(self, *, summary: str, object_type: str, object_id: object = "") -> None:
        """Records a read in the audit trail of the person at the centre."""
        raise NotImplementedError

    def audited_page(
        self,
        queryset: QuerySet[Any] | Sequence[Any],
        serializer_class: type[BaseSerializer[Any]],
        *,
        summary: str,
        object_type: str,
        object_id: object = "",
        context_of: Callable[[list[Any]], dict[str, Any]] | None = None,
    ) -> Response:
        """One page of the queryset, serialized (see `paginated_response`), then audited."""
        response = self.paginated_response(queryset, serializer_class, context_of=context_of)
        self.audit_read(summary=summary, object_type=object_type, object_id=object_id)
        return response


class NetworkApiView(ViewerApiView):
    """Base of the endpoints under ``/networks/<network_id>/``: the handler reads
    `self.network` and `self.viewer`, found by `caregraph.policy.network_get_for_user`."""

    network: Network

    def viewer_resolve(self, request: Request, **kwargs: Any) -> Viewer:
        self.network, viewer = network_get_for_user(
            user=request.user, network_id=kwargs["network_id"]
        )
        return viewer

    def audit_read(self, *, summary: str, object_type: str, object_id: object = "") -> None:
        audit_api_read(
            self.request,
            summary=summary,
            object_type=object_type,
            object_id=object_id,
            network=self.network,
        )
