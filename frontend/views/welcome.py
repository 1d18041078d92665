"""The welcome for someone who has just joined a network (`frontend.views.invitations`
sends them here): who is in it, what they can do here, and how to get help."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.services import user_sms_number
from caregraph.support import who_to_call
from frontend.views.common import audit_view, network_context, network_for_request, signed_in_user


@login_required
def network_welcome(request: HttpRequest, network_id: int) -> HttpResponse:
    """Shows only the members the new member may know of (`who_to_call`), and what their
    standing lets them do; a coordinator's work contact is how to get help."""
    network, viewer = network_for_request(request, network_id)
    contacts = who_to_call(viewer=viewer)
    audit_view(request, network=network, summary="Viewed the welcome to the network")
    return render(
        request,
        "frontend/networks/welcome.html",
        network_context(
            network,
            viewer,
            contacts=contacts,
            coordinators=[contact for contact in contacts if contact.is_coordinator],
            has_sms_number=bool(user_sms_number(signed_in_user(request))),
        ),
    )
