"""Accepting an e-mailed invitation: with the invited account, or a new one made on the spot."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.services import user_create
from caregraph.models import Invitation
from caregraph.selectors import invitation_get_by_token, user_exists_with_email
from caregraph.services.networks import invitation_accept
from frontend.forms.kit import form_errors_from_service
from frontend.forms.networks import InvitationAccountForm
from frontend.views.common import posted, signed_in_user

SIGN_IN_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def _joined(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """Someone who has just joined is welcomed: who is here, what they can do, whom to ask."""
    messages.success(
        request, f"You have joined the network around {invitation.network.person.given_name}."
    )
    return redirect("network_welcome", network_id=invitation.network_id)


@require_http_methods(["GET", "POST"])
def invitation_accept_page(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation e-mail. Says nothing about the network until the invited
    person is signed in, and then only the first name of the person at its centre."""
    invitation = invitation_get_by_token(token=token)
    if invitation is None:
        return render(request, "frontend/invitations/invalid.html", status=404)
    context: dict[str, object] = {"invitation": invitation}

    if request.user.is_authenticated:
        user = signed_in_user(request)
        if user.email.lower() != invitation.email.lower():
            return render(request, "frontend/invitations/other_account.html", context)
        errors: list[str] = []
        if request.method == "POST":
            try:
                invitation_accept(invitation=invitation, user=user)
            except ValidationError as error:
                errors = error.messages
            else:
                return _joined(request, invitation)
        context.update(errors=errors, first_name=invitation.network.person.given_name)
        return render(request, "frontend/invitations/accept.html", context)

    if user_exists_with_email(email=invitation.email):
        sign_in = reverse("account_login") + "?" + urlencode({"next": request.path})
        context["sign_in_url"] = sign_in
        return render(request, "frontend/invitations/sign_in.html", context)

    form = InvitationAccountForm(posted(request), email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            # The account and the membership are made together, or neither is.
            with transaction.atomic():
                new_user = user_create(
                    email=invitation.email,
                    password=form.cleaned_data["password1"],
                    display_name=form.cleaned_data["display_name"],
                    email_verified=True,  # the e-mailed link proves the address
                )
                invitation_accept(invitation=invitation, user=new_user)
        except ValidationError as error:
            form_errors_from_service(form, error)
        else:
            login(request, new_user, backend=SIGN_IN_BACKEND)
            return _joined(request, invitation)
    context["form"] = form
    return render(request, "frontend/invitations/create_account.html", context)
