"""The project's middleware: request ids and one log line per request (without personal
data), session lifetime, and the two-factor duty (`caregraph.policy`) for web sessions."""

import re
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

import structlog
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.messages import info
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.sessions import session_is_expired, session_seen
from caregraph.policy import TwoFactorShortfall, session_two_factor_shortfall, staff_memo_start

logger = structlog.get_logger("caregraph.request")

REQUEST_ID_HEADER = "X-Request-ID"
# Accept an id from a trusted proxy only when it cannot smuggle anything into the logs.
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = offered if SAFE_REQUEST_ID.match(offered) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        match = getattr(request, "resolver_match", None)
        logger.info(
            "request",
            method=request.method,
            # The route pattern, not the path: paths and query strings may carry names.
            route=match.route if match else None,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            user_id=getattr(getattr(request, "user", None), "pk", None),
        )
        return response


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
            session_seen(session=request.session, now=now)
            staff_memo_start(request.user)
        return self.get_response(request)


# Pages that serve everyone, whatever their standing.
OPEN_URL_NAMES = {"account_logout", "accessibility", "healthz", "readyz"}
# What staff without an authenticator app may reach: the pages that set one up.
MFA_EXEMPT_URL_NAMES = OPEN_URL_NAMES | {
    "mfa_activate_totp",
    "mfa_index",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_reauthenticate",
    "account_reauthenticate",
}
# What a session that never gave a code may reach: only the page that asks for one. Not the
# recovery codes: a password typed minutes ago would let allauth show new ones.
CODE_EXEMPT_URL_NAMES = OPEN_URL_NAMES | {"mfa_reauthenticate"}

TWO_FACTOR_NOT_SET_UP = "Set up two-factor authentication first"
TWO_FACTOR_CODE_NOT_GIVEN = (
    "Confirm it is you first: give a code from your authenticator app on the website, at "
    "/account/2fa/reauthenticate/, or sign in there again"
)


class RequireMfaMiddleware:
    """Holds web sessions to the two-factor duty before anything else.

    Staff without an authenticator app are sent to set one up. A session in which its user
    never gave a code (one signed in before their app was added elsewhere) is asked for one.
    API calls get the same answers as 403s in the API's error shape.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., HttpResponse], *args: object
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or match.url_name in OPEN_URL_NAMES:
            return None
        if request.path.startswith(settings.STATIC_URL):
            return None
        shortfall = session_two_factor_shortfall(user=request.user, session=request.session)
        if shortfall is TwoFactorShortfall.NOT_SET_UP:
            if match.url_name in MFA_EXEMPT_URL_NAMES:
                return None
            if request.path.startswith("/api/"):
                return _api_refusal(TWO_FACTOR_NOT_SET_UP)
            return redirect("mfa_activate_totp")
        if shortfall is TwoFactorShortfall.CODE_NOT_GIVEN:
            if match.url_name in CODE_EXEMPT_URL_NAMES:
                return None
            if request.path.startswith("/api/"):
                return _api_refusal(TWO_FACTOR_CODE_NOT_GIVEN)
            next_page = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('mfa_reauthenticate')}?{next_page}")
        return None


def _api_refusal(message: str) -> JsonResponse:
    return JsonResponse({"errors": {"non_field_errors": [message]}}, status=403)
