"""Agency involvement with the person: the list, recording it, changing it, and closing it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from agencies.models import Involvement
from agencies.selectors import agency_list, involvement_get_for_viewer, involvement_list
from agencies.services import involvement_create, involvement_end, involvement_update
from caregraph.models import MemberKind, Network
from caregraph.policy import (
    Viewer,
    involvement_is_open,
    involvement_may_change,
    involvement_may_end,
)
from caregraph.selectors import member_list
from frontend.forms.involvement import InvolvementCloseForm, InvolvementForm
from frontend.views.common import audit_view, network_for_request, page_post, posted, signed_in_user


def _recording_network(request: HttpRequest, network_id: int) -> tuple[Network, Viewer]:
    """The network, for professionals who may record involvement; 404 for everyone else."""
    network, viewer = network_for_request(request, network_id)
    if not viewer.may_record:
        raise Http404("No such page")
    return network, viewer


def _involvement(viewer: Viewer, involvement_id: int) -> Involvement:
    return involvement_get_for_viewer(viewer=viewer, involvement_id=involvement_id)


def _changeable(viewer: Viewer, involvement_id: int) -> Involvement:
    """An involvement the viewer may change: its own agency's professionals; 404 otherwise."""
    involvement = _involvement(viewer, involvement_id)
    if not involvement_may_change(viewer=viewer, involvement=involvement):
        raise Http404("No such page")
    return involvement


def _endable(viewer: Viewer, involvement_id: int) -> Involvement:
    involvement = _involvement(viewer, involvement_id)
    if not involvement_may_end(viewer=viewer, involvement=involvement):
        raise Http404("No such page")
    return involvement


def _form(request: HttpRequest, viewer: Viewer, **kwargs: Any) -> InvolvementForm:
    professionals = list(member_list(viewer=viewer).filter(kind=MemberKind.PROFESSIONAL))
    return InvolvementForm(
        posted(request),
        agencies=agency_list().filter(pk__in=viewer.agency_ids),
        professionals=professionals,
        visibilities=viewer.visibilities_allowed(),
        **kwargs,
    )


@login_required
def involvement_list_page(request: HttpRequest, network_id: int) -> HttpResponse:
    network, viewer = network_for_request(request, network_id)
    involvements = list(involvement_list(viewer=viewer))
    for involvement in involvements:
        involvement.may_change = involvement_may_change(  # type: ignore[attr-defined]
            viewer=viewer, involvement=involvement
        )
        involvement.may_end = involvement_may_end(  # type: ignore[attr-defined]
            viewer=viewer, involvement=involvement
        )
    today = timezone.localdate()
    audit_view(request, network=network, summary="Viewed agency involvement")
    return render(
        request,
        "frontend/involvement/list.html",
        {
            "network": network,
            "person": network.person,
            "viewer": viewer,
            "open": [i for i in involvements if involvement_is_open(i, today=today)],
            "closed": [i for i in involvements if not involvement_is_open(i, today=today)],
            "section": "involvement",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def involvement_create_page(request: HttpRequest, network_id: int) -> HttpResponse:
    network, viewer = _recording_network(request, network_id)
    form = _form(request, viewer)
    done = page_post(
        request,
        form,
        lambda data: involvement_create(
            network=network,
            viewer=viewer,
            created_by=signed_in_user(request),
            agency=data["agency"],
            **_involvement_values(data),
        ),
        success_url=reverse("involvement_list", args=[network.pk]),
        message=lambda involvement: f"{involvement.agency}'s involvement is recorded.",
    )
    if done is not None:
        return done
    return render(
        request,
        "frontend/involvement/form.html",
        {"network": network, "person": network.person, "viewer": viewer, "form": form},
    )


INVOLVEMENT_FIELDS = (
    "service",
    "started_on",
    "ended_on",
    "lead_professional",
    "contact_name",
    "contact_phone",
    "contact_email",
    "visibility",
)


def _involvement_values(data: dict[str, Any]) -> dict[str, Any]:
    """What the add and change forms hand to the services, by the services' own names."""
    return {name: data[name] for name in INVOLVEMENT_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def involvement_update_page(
    request: HttpRequest, network_id: int, involvement_id: int
) -> HttpResponse:
    network, viewer = _recording_network(request, network_id)
    involvement = _changeable(viewer, involvement_id)
    initial = {
        "service": involvement.service,
        "lead_professional": str(involvement.lead_professional_id or ""),
        "contact_name": involvement.contact_name,
        "contact_phone": involvement.contact_phone,
        "contact_email": involvement.contact_email,
        "started_on": involvement.started_on,
        "ended_on": involvement.ended_on,
        "visibility": involvement.visibility,
    }
    form = _form(request, viewer, initial=initial, editing=True)
    done = page_post(
        request,
        form,
        lambda data: involvement_update(
            involvement=involvement,
            viewer=viewer,
            updated_by=signed_in_user(request),
            **_involvement_values(data),
        ),
        success_url=reverse("involvement_list", args=[network.pk]),
        message=f"{involvement.agency}'s involvement is updated.",
    )
    if done is not None:
        return done
    return render(
        request,
        "frontend/involvement/form.html",
        {
            "network": network,
            "person": network.person,
            "viewer": viewer,
            "form": form,
            "involvement": involvement,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def involvement_close_page(
    request: HttpRequest, network_id: int, involvement_id: int
) -> HttpResponse:
    network, viewer = _recording_network(request, network_id)
    involvement = _endable(viewer, involvement_id)
    form = InvolvementCloseForm(posted(request), initial={"ended_on": timezone.localdate()})
    done = page_post(
        request,
        form,
        lambda data: involvement_end(
            involvement=involvement,
            viewer=viewer,
            ended_by=signed_in_user(request),
            ended_on=data["ended_on"],
        ),
        success_url=reverse("involvement_list", args=[network.pk]),
        message=f"{involvement.agency}'s involvement is closed.",
    )
    if done is not None:
        return done
    return render(
        request,
        "frontend/involvement/close.html",
        {
            "network": network,
            "person": network.person,
            "viewer": viewer,
            "form": form,
            "involvement": involvement,
        },
    )
