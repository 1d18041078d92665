"""What the pages share: the signed-in user, the access gate, the audit of a view, a network
page's context, and the POST of a form page (`page_post`) or of a button (`action_post`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect

from accounts.models import User
from caregraph.models import AuditAction, Network, Person
from caregraph.policy import Viewer, network_get_for_user
from caregraph.services.audit import audit_record_view
from frontend.forms.kit import form_errors_from_service

Done = TypeVar("Done")


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
    object_id: object = "",
) -> None:
    """Writes down that the user looked at a page showing a person's record (or part of it:
    `object_type` and `object_id` name the part; the network when no id is given). Written
    without waiting for the disk (`audit_record_view`)."""
    audit_record_view(
        actor=request.user,
        action=AuditAction.VIEW,
        summary=summary,
        object_type=object_type,
        object_id=object_id or network.pk,
        person=person,
        network=network,
        request=request,
        channel="page",
    )


def posted(request: HttpRequest) -> QueryDict | None:
    """The form data of a POST, even an empty one; None for a GET, so the form is unbound."""
    return request.POST if request.method == "POST" else None


def network_context(network: Network, viewer: Viewer, **more: Any) -> dict[str, Any]:
    """What every page of a network shows: the network, its person and the viewer's standing."""
    return {"network": network, "person": network.person, "viewer": viewer, **more}


def _answer(value: str | Callable[[Done], str], done: Done) -> str:
    return value(done) if callable(value) else value


def page_post(
    request: HttpRequest,
    form: forms.Form,
    action: Callable[[dict[str, Any]], Done],
    *,
    success_url: str | Callable[[Done], str],
    message: str | Callable[[Done], str],
    fields: Mapping[str, str] | Callable[[], Mapping[str, str]] | None = None,
    refused: str | None = None,
) -> HttpResponse | None:
    """The POST of a form page: form, then service, then its errors onto the form.

    When the form was sent and is valid, calls `action` with its cleaned data. A service's
    `ValidationError` goes beside the fields it names (`fields` maps the service's names to
    the form's, or is a function giving the map once the form is cleaned) and the answer is
    None: the view shows the form again. With `refused`, a `PermissionDenied` (the standing
    changed since the page was offered) is that 404. Otherwise the success `message` (or the
    function of what `action` returned) and a redirect to `success_url`. None too for a GET
    or a form with errors.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        done = action(form.cleaned_data)
    except ValidationError as error:
        form_errors_from_service(form, error, fields=fields() if callable(fields) else fields)
        return None
    except PermissionDenied as error:
        if refused is None:
            raise
        raise Http404(refused) from error
    messages.success(request, _answer(message, done))
    return redirect(_answer(success_url, done))


def action_post(
    request: HttpRequest,
    action: Callable[[], Done],
    *,
    success_url: str,
    message: str | Callable[[Done], str],
    failed: Callable[[ValidationError], str] | None = None,
    refused: str | None = None,
) -> HttpResponse:
    """The POST of a button with no form: calls `action`, says what happened and goes back
    to `success_url`. A service's `ValidationError` is said as an error (its messages, or
    `failed` of it); with `refused`, a `PermissionDenied` is that 404."""
    try:
        done = action()
    except ValidationError as error:
        messages.error(request, failed(error) if failed else " ".join(error.messages))
    except PermissionDenied as error:
        if refused is None:
            raise
        raise Http404(refused) from error
    else:
        messages.success(request, _answer(message, done))
    return redirect(success_url)
