"""Members of a network: inviting, withdrawing invitations, coordinators, removal, leaving,
and the requests to join that coordinators decide."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from caregraph.models import Membership, Network
from caregraph.policy import (
    Viewer,
    membership_may_change_visibility,
    membership_visibilities_allowed,
)
from caregraph.selectors import invitation_list_pending, join_request_list, member_list
from caregraph.services.networks import (
    invitation_revoke,
    join_request_decide,
    membership_end,
    membership_set_coordinator,
    membership_visibility_set,
)
from frontend.forms.kit import GovForm
from frontend.forms.networks import (
    InvitationCreateForm,
    MembershipRemoveForm,
    MembershipVisibilityForm,
)
from frontend.views.common import (
    action_post,
    audit_view,
    network_for_request,
    page_post,
    posted,
    signed_in_user,
)
from notifications.invitations import invitation_create


def _coordinator_network(request: HttpRequest, network_id: int) -> tuple[Network, Viewer]:
    """The network, for someone who manages its members; 404 for everyone else."""
    network, viewer = network_for_request(request, network_id)
    if not viewer.may_manage_members:
        raise Http404("No such page")
    return network, viewer


def _member(viewer: Viewer, membership_id: int) -> Membership:
    membership = member_list(viewer=viewer).filter(pk=membership_id).first()
    if membership is None:
        raise Http404("No such member")
    return membership


@login_required
def network_members(request: HttpRequest, network_id: int) -> HttpResponse:
    network, viewer = network_for_request(request, network_id)
    members = list(member_list(viewer=viewer))
    audit_view(request, network=network, summary="Viewed the members")
    return render(
        request,
        "frontend/members/list.html",
        {
            "network": network,
            "person": network.person,
            "viewer": viewer,
            "members": members,
            "invitations": list(invitation_list_pending(viewer=viewer)),
            "join_requests": join_request_list(viewer=viewer).count(),
            "section": "members",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_create_page(request: HttpRequest, network_id: int) -> HttpResponse:
    network, viewer = _coordinator_network(request, network_id)
    form = InvitationCreateForm(posted(request))
    done = page_post(
        request,
        form,
        lambda data: invitation_create(
            network=network,
            invited_by=signed_in_user(request),
            viewer=viewer,
            email=data["email"],
            kind=data["kind"],
            relationship=data["relationship"],
        ),
        success_url=reverse("network_members", args=[network.pk]),
        message=lambda made: f"We have emailed an invitation to {made[0].email}.",
    )
    if done is not None:
        return done
    return render(
        request,
        "frontend/members/invite.html",
        {"network": network, "person": network.person, "viewer": viewer, "form": form},
    )


@login_required
@require_POST
def invitation_withdraw(request: HttpRequest, network_id: int, invitation_id: int) -> HttpResponse:
    network, viewer = _coordinator_network(request, network_id)
    invitation = invitation_list_pending(viewer=viewer).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404("No such invitation")
    invitation_revoke(invitation=invitation, revoked_by=signed_in_user(request), viewer=viewer)
    messages.success(request, f"The invitation to {invitation.email} is withdrawn.")
    return redirect("network_members", network_id=network.pk)


@login_required
@require_http_methods(["GET", "POST"])
def membership_remove(request: HttpRequest, network_id: int, membership_id: int) -> HttpResponse:
    network, viewer = _coordinator_network(request, network_id)
    membership = _member(viewer, membership_id)
    if membership.user_id == viewer.user_id:
        return redirect("membership_leave", network_id=network.pk)
    form = MembershipRemoveForm(posted(request))
    done = page_post(
        request,
        form,
        lambda data: membership_end(
            membership=membership,
            ended_by=signed_in_user(request),
            viewer=viewer,
            reason=data["reason"],
        ),
        success_url=reverse("network_members", args=[network.pk]),
        message=f"{membership.user} is no longer a member.",
    )
    if done is not None:
        return done
    return render(
        request,
        "frontend/members/remove.html",
        {
            "network": network,
            "person": network.person,
            "viewer": viewer,
            "membership": membership,
            "form": form,
        },
    )


@login_required
@require_POST
def membership_coordinator(
    request: HttpRequest, network_id: int, membership_id: int
) -> HttpResponse:
    network, viewer = _coordinator_network(request, network_id)
    membership = _member(viewer, membership_id)
    make = request.POST.get("is_coordinator")
    if make not in {"1", "0"}:
        return HttpResponseBadRequest("Say whether they should be a coordinator")
    change = "is now" if make == "1" else "is no longer"
    stepped_down = membership.user_id == viewer.user_id and make == "0"
    return action_post(
        request,
        lambda: membership_set_coordinator(
            membership=membership,
            is_coordinator=make == "1",
            changed_by=signed_in_user(request),
            viewer=viewer,
        ),
        success_url=reverse(
            "network_overview" if stepped_down else "network_members", args=[network.pk]
        ),
        message=f"{membership.user} {change} a coordinator.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_visibility_page(
    request: HttpRequest, network_id: int, membership_id: int
) -> HttpResponse:
    """Who may know a professional member is here: the member, or a coordinator, decides."""
    network, viewer = network_for_request(request, network_id)
    membership = _member(viewer, membership_id)
    if not (
        membership.is_professional
        and membership_may_change_visibility(viewer=viewer, membership=membership)
    ):
        raise Http404("No such page")
    form = MembershipVisibilityForm(
        posted(request),
        visibilities=membership_visibilities_allowed(viewer=viewer),
        initial={"visibility": membership.visibility},
    )
    whose = "you are" if membership.user_id == viewer.user_id else f"{membership.user} is"
    done = page_post(
        request,
        form,
        lambda data: membership_visibility_set(
            membership=membership,
            visibility=data["visibility"],
            changed_by=signed_in_user(request),
            viewer=viewer,
        ),
        success_url=reverse("network_members", args=[network.pk]),
        message=f"Who may know {whose} here is changed.",
    )
    if done is not None:
        return done
    return render(
        request,
        "frontend/members/visibility.html",
        {
            "network": network,
            "person": network.person,
            "viewer": viewer,
            "membership": membership,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_leave(request: HttpRequest, network_id: int) -> HttpResponse:
    """Leaving takes effect at once: the network is gone from the member's next request."""
    network, viewer = network_for_request(request, network_id)
    if viewer.membership is None:
        raise Http404("No such page")
    form = GovForm(posted(request))
    membership = viewer.membership
    done = page_post(
        request,
        form,
        lambda data: membership_end(
            membership=membership, ended_by=signed_in_user(request), viewer=viewer
        ),
        success_url="home",
        message=f"You have left the network around {network.person.given_name}.",
    )
    if done is not None:
        return done
    return render(
        request,
        "frontend/members/leave.html",
        {"network": network, "person": network.person, "viewer": viewer, "form": form},
    )


@login_required
def join_request_list_page(request: HttpRequest, network_id: int) -> HttpResponse:
    network, viewer = _coordinator_network(request, network_id)
    return render(
        request,
        "frontend/members/join_requests.html",
        {
            "network": network,
            "person": network.person,
            "viewer": viewer,
            "join_requests": list(join_request_list(viewer=viewer)),
        },
    )


@login_required
@require_POST
def join_request_decide_page(
    request: HttpRequest, network_id: int, join_request_id: int
) -> HttpResponse:
    network, viewer = _coordinator_network(request, network_id)
    join_request = join_request_list(viewer=viewer).filter(pk=join_request_id).first()
    if join_request is None:
        raise Http404("No such request")
    decision = request.POST.get("decision")
    if decision not in {"approve", "decline"}:
        return HttpResponseBadRequest("Approve or decline the request")
    join_request.network = network
    who = join_request.requested_by
    # A ValidationError: decided meanwhile, or already a member.
    return action_post(
        request,
        lambda: join_request_decide(
            join_request=join_request,
            decided_by=signed_in_user(request),
            viewer=viewer,
            approve=decision == "approve",
        ),
        success_url=reverse("join_request_list", args=[network.pk]),
        message=f"{who} has joined the network."
        if decision == "approve"
        else f"You declined {who}'s request to join.",
    )
