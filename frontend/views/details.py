"""Your details: the name members see, a mobile number for text reminders (proved by a
texted code, `notifications.phone`), and the way to change your e-mail address (the sign-in
library's page, which sends a verification link to the new address through the outbox).

One page with a form a section; each form posts to its own address and, when it has
errors, the page is shown again with that form's errors summarised at the top.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.services import user_display_name_change, user_sms_number
from frontend.forms.details import DisplayNameForm, MobileCodeForm, MobileForm
from frontend.views.common import action_post, page_post, signed_in_user
from notifications.phone import (
    phone_remove,
    phone_verification_confirm,
    phone_verification_pending,
    phone_verification_start,
    sms_is_configured,
)


def _details_url(anchor: str = "") -> str:
    return reverse("your_details") + (f"#{anchor}" if anchor else "")


def _page(request: HttpRequest, *, failed: forms.Form | None = None, **bound: Any) -> HttpResponse:
    user = signed_in_user(request)
    pending = phone_verification_pending(user=user)
    context: dict[str, Any] = {
        "account": user,
        "sms_number": user_sms_number(user),
        "pending": pending,
        "sms_configured": sms_is_configured(),
        "name_form": DisplayNameForm(initial={"display_name": user.display_name}),
        "mobile_form": MobileForm(initial={"phone": pending.phone.as_national if pending else ""}),
        "code_form": MobileCodeForm(),
        **bound,
    }
    if failed is not None:
        context["form"] = failed  # the layout's error summary
    return render(request, "frontend/details/details.html", context)


@login_required
def your_details_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def your_details_name(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = DisplayNameForm(request.POST)
    done = page_post(
        request,
        form,
        lambda data: user_display_name_change(user=user, display_name=data["display_name"]),
        success_url=_details_url(),
        message="Your name is saved.",
    )
    return done or _page(request, failed=form, name_form=form)


@login_required
@require_POST
def your_details_mobile(request: HttpRequest) -> HttpResponse:
    """Texts a code to the number typed."""
    user = signed_in_user(request)
    form = MobileForm(request.POST)
    done = page_post(
        request,
        form,
        lambda data: phone_verification_start(user=user, phone=data["phone"]),
        success_url=_details_url("mobile-code"),
        message="We have texted you a code. Enter it below to confirm your number.",
    )
    return done or _page(request, failed=form, mobile_form=form)


@login_required
@require_POST
def your_details_mobile_confirm(request: HttpRequest) -> HttpResponse:
    """The code typed back: the number is then the user's, for text reminders."""
    user = signed_in_user(request)
    form = MobileCodeForm(request.POST)
    done = page_post(
        request,
        form,
        lambda data: phone_verification_confirm(user=user, code=data["code"]),
        success_url=_details_url("mobile"),
        message="Your mobile number is confirmed. You can now choose reminders by text message.",
    )
    return done or _page(request, failed=form, code_form=form)


@login_required
@require_POST
def your_details_mobile_remove(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return action_post(
        request,
        lambda: phone_remove(user=user),
        success_url=_details_url("mobile"),
        message="Your mobile number is removed. Reminders you chose by text will come by e-mail.",
    )
