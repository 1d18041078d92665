"""A user's notifications: the list, opening one, marking them read, and the e-mail settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caregraph.policy import user_is_safeguarding_lead
from frontend.forms.kit import form_errors_from_service
from frontend.forms.notifications import NotificationPreferencesForm
from frontend.views.common import posted, signed_in_user
from notifications.selectors import (
    notification_get_for_user,
    notification_list_for,
    notification_preferences_for,
    notification_unread_count,
)
from notifications.services import (
    notification_mark_all_read,
    notification_mark_read,
    notification_preference_set,
)

PAGE_SIZE = 50


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    page = Paginator(notification_list_for(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "notifications": list(page.object_list),
            "unread": notification_unread_count(user=user),
        },
    )


@login_required
@require_GET
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Marks the notification read and goes to what it is about (which checks access)."""
    notification = notification_get_for_user(
        user=signed_in_user(request), notification_id=notification_id
    )
    notification_mark_read(notification=notification)
    if not url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect("notification_list")
    return redirect(notification.link)


@login_required
@require_POST
def notification_mark_all_read_page(request: HttpRequest) -> HttpResponse:
    if notification_mark_all_read(user=signed_in_user(request)):
        messages.success(request, "All your notifications are marked as read")
    return redirect("notification_list")


@login_required
@require_GET
def notification_unread_count_json(request: HttpRequest) -> JsonResponse:
    """The unread count, for the page script to catch up after its socket reconnects."""
    return JsonResponse({"unread": notification_unread_count(user=signed_in_user(request))})


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = NotificationPreferencesForm(
        posted(request),
        initial=notification_preferences_for(user=user),
        is_lead=user_is_safeguarding_lead(user=user),
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            for severity, delivery in list(form.cleaned_data.items()):
                if not delivery:
                    continue  # a choice left out stays as it was
                try:
                    notification_preference_set(user=user, severity=severity, delivery=delivery)
                except ValidationError as error:
                    form_errors_from_service(form, error, fields={"delivery": severity})
            if form.errors:
                transaction.set_rollback(True)  # all the choices are saved, or none
        if not form.errors:
            messages.success(request, "Your notification settings are saved")
            return redirect("notification_preferences")
    return render(request, "notifications/preferences.html", {"form": form})
