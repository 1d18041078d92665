from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agencies.selectors import staff_membership_list_for_user
from caregraph.policy import user_may_review_matches
from caregraph.selectors import network_list_with_role
from frontend.views.common import signed_in_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Your networks: the people whose networks you may see, and your role in each."""
    user = signed_in_user(request)
    staff_memberships = list(staff_membership_list_for_user(user=user))
    return render(
        request,
        "frontend/home.html",
        {
            "networks": list(network_list_with_role(user=user)),
            "staff_memberships": staff_memberships,
            "may_review_matches": user_may_review_matches(user=user),
        },
    )


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/accessibility.html")


def help_page(request: HttpRequest) -> HttpResponse:
    """How to get help: open to anyone, signed in or not, since someone who cannot sign in
    needs it most."""
    return render(request, "frontend/help.html")
