"""The user's own calendar settings: how they are reminded, and their secret feed address.

The feed token is stored only as a hash, so its address can be shown once, just after it is
made; the page then only says that one exists, when it was made and last used, and offers
a new one (which stops the old one at once) or to turn the feed off.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.services import user_sms_number
from calendars.models import CalendarFeedToken
from calendars.services.feed_tokens import feed_token_create, feed_token_revoke, feed_token_rotate
from calendars.services.reminders import reminder_preferences_for, reminder_preferences_set
from frontend.forms.calendars import LEAD_TIMES, NO_REMINDERS, ReminderForm
from frontend.views.common import page_post, posted, signed_in_user

# The address is shown once after it is made: kept in the session only until then.
SHOWN_ONCE_KEY = "calendar_feed_token_shown"


def _initial(user_id: int) -> dict[str, Any]:
    chosen = reminder_preferences_for(user_ids=[user_id])[user_id]
    if not chosen:
        return {"channel": NO_REMINDERS}
    channel, minutes = sorted(chosen, key=lambda pair: pair[1])[0]
    return {"channel": channel, "minutes_before": str(minutes)}


def _describe(user_id: int) -> str:
    chosen = reminder_preferences_for(user_ids=[user_id])[user_id]
    if not chosen:
        return "You have turned reminders off."
    labels = dict(LEAD_TIMES)
    words = [
        f"by {'text message' if channel == 'sms' else 'e-mail'}, "
        f"{labels.get(minutes, f'{minutes} minutes before')}"
        for channel, minutes in sorted(chosen, key=lambda pair: pair[1])
    ]
    return "You are reminded " + " and ".join(words) + "."


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings_page(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ReminderForm(posted(request), initial=_initial(user.pk))
    done = page_post(
        request,
        form,
        lambda data: reminder_preferences_set(user=user, preferences=form.preferences()),
        success_url="calendar_settings",
        message="Your reminder settings are saved.",
        fields=ReminderForm.SERVICE_FIELDS,
    )
    if done is not None:
        return done
    token = request.session.pop(SHOWN_ONCE_KEY, None)
    feed_url = request.build_absolute_uri(reverse("calendar_feed", args=[token])) if token else ""
    live_token = CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).first()
    return render(
        request,
        "calendars/settings.html",
        {
            "form": form,
            "reminders_now": _describe(user.pk),
            "has_phone": bool(user_sms_number(user)),
            "feed_url": feed_url,
            "live_token": live_token,
        },
    )


@login_required
@require_POST
def calendar_feed_action(request: HttpRequest) -> HttpResponse:
    """Makes, replaces or turns off the user's feed address."""
    user = signed_in_user(request)
    action = request.POST.get("action")
    if action == "create":
        request.session[SHOWN_ONCE_KEY] = feed_token_create(user=user)
        messages.success(request, "Your calendar feed address is ready. Copy it now.")
    elif action == "rotate":
        request.session[SHOWN_ONCE_KEY] = feed_token_rotate(user=user)
        messages.success(
            request, "You have a new feed address. The old one has stopped working. Copy it now."
        )
    elif action == "revoke":
        feed_token_revoke(user=user)
        messages.success(request, "Your calendar feed address has stopped working.")
    else:
        return HttpResponseBadRequest("Unknown action")
    return redirect(reverse("calendar_settings") + "#feed")
