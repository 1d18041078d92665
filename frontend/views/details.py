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
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.services import user_display_name_change, user_sms_number
from agencies.selectors import staff_membership_list_for_user
from agencies.services import staff_work_contact_set
from frontend.forms.details import DisplayNameForm, MobileCodeForm, MobileForm, WorkContactForm
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


def _work_forms(user: User, *, bound: WorkContactForm | None) -> list[dict[str, Any]]:
    """A work contact form for each agency the user works for (the first role's values)."""
    agencies: dict[int, dict[str, Any]] = {}
    for staff in staff_membership_list_for_user(user=user).order_by("agency__name", "pk"):
        if staff.agency_id in agencies:
            continue
        form = WorkContactForm(
            prefix=f"agency-{staff.agency_id}",
            initial={
                "work_phone": staff.work_phone.as_national if staff.work_phone else "",
                "work_email": staff.work_email,
            },
        )
        if bound is not None and bound.prefix == form.prefix:
            form = bound
        agencies[staff.agency_id] = {"agency": staff.agency, "form": form}
    return list(agencies.values())


def _page(
    request: HttpRequest,
    *,
    failed: forms.Form | None = None,
    work_form: WorkContactForm | None = None,
    **bound: Any,
) -> HttpResponse:
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
        "work_contacts": _work_forms(user, bound=work_form),
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


@login_required
@require_POST
def your_details_work_contact(request: HttpRequest, agency_id: int) -> HttpResponse:
    """A professional's work phone and e-mail at one of their agencies."""
    user = signed_in_user(request)
    staff = staff_membership_list_for_user(user=user).filter(agency_id=agency_id).first()
    if staff is None:
        raise Http404("No such agency")
    form = WorkContactForm(request.POST, prefix=f"agency-{agency_id}")
    done = page_post(
        request,
        form,
        lambda data: staff_work_contact_set(
            user=user,
            agency=staff.agency,
            work_phone=data["work_phone"],
            work_email=data["work_email"],
        ),
        success_url=_details_url(f"work-{agency_id}"),
        message=f"Your work contact at {staff.agency.name} is saved.",
    )
    return done or _page(request, failed=form, work_form=form)
