"""What the network pages share: the signed-in user, the access gate and the audit of a view."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest, QueryDict

from accounts.models import User
from caregraph.models import AuditAction, Network, Person
from caregraph.policy import Viewer, network_get_for_user
from caregraph.services.audit import audit_record


def signed_in_user(request: HttpRequest) -> User:
    """The user of a view behind `login_required`."""
    return cast(User, request.user)


def network_for_request(request: HttpRequest, network_id: int) -> tuple[Network, Viewer]:
    """The network and the user's standing in it; the same 404 for "not there" and "not yours"."""
    return network_get_for_user(user=request.user, network_id=network_id)


def audit_view(
    request: HttpRequest,
    *,
    network: Network,
    summary: str,
    person: Person | None = None,
    object_type: str = "network",
) -> None:
    """Writes down that the user looked at a page showing a person's record."""
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        summary=summary,
        object_type=object_type,
        object_id=network.pk,
        person=person,
        network=network,
        request=request,
        channel="page",
    )


def posted(request: HttpRequest) -> QueryDict | None:
    """The form data of a POST, even an empty one; None for a GET, so the form is unbound."""
    return request.POST if request.method == "POST" else None
