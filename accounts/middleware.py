"""Session lifetime and the two-factor requirement for agency staff."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.messages import info
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.selectors import user_mfa_missing

SESSION_STARTED_KEY = "caregraph_started_at"
SESSION_SEEN_KEY = "caregraph_seen_at"
# Write the last-seen time at most this often, so reads do not each save the session.
SEEN_RESOLUTION_SECONDS = 60


def session_is_expired(*, session: SessionBase, now: float | None = None) -> bool:
    """A session ends after SESSION_IDLE_SECONDS unused or SESSION_ABSOLUTE_SECONDS in all."""
    now = time.time() if now is None else now
    started = session.get(SESSION_STARTED_KEY)
    seen = session.get(SESSION_SEEN_KEY)
    if started is None or seen is None:
        return False
    return (
        now - seen > settings.SESSION_IDLE_SECONDS
        or now - started > settings.SESSION_ABSOLUTE_SECONDS
    )


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            if session_is_expired(session=request.session, now=now):
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"errors": {"non_field_errors": ["Your session ended: sign in again"]}},
                        status=401,
                    )
                info(request, "You were signed out because your session ended. Sign in again.")
                return redirect(f"{reverse('account_login')}?next={request.path}")
            request.session.setdefault(SESSION_STARTED_KEY, now)
            if now - request.session.get(SESSION_SEEN_KEY, 0) > SEEN_RESOLUTION_SECONDS:
                request.session[SESSION_SEEN_KEY] = now
        return self.get_response(request)


MFA_EXEMPT_URL_NAMES = {
    "mfa_activate_totp",
    "mfa_index",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_reauthenticate",
    "account_reauthenticate",
    "account_logout",
    "accessibility",
    "healthz",
    "readyz",
}


class RequireMfaMiddleware:
    """Sends agency staff without an authenticator app to set one up before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., HttpResponse], *args: object
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or match.url_name in MFA_EXEMPT_URL_NAMES:
            return None
        if request.path.startswith(settings.STATIC_URL):
            return None
        if user_mfa_missing(user=request.user):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"errors": {"non_field_errors": ["Set up two-factor authentication first"]}},
                    status=403,
                )
            return redirect("mfa_activate_totp")
        return None
