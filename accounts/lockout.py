"""How django-axes reads the sign-in name, counts failures and answers a locked-out sign-in.

Every step of signing in counts towards the same lockout of one e-mail address: a wrong
password (through ``django.contrib.auth.authenticate``), a wrong two-factor code on the web
(``frontend.forms.accounts``) and a wrong code at the API token endpoint (``api.auth``).
axes keeps the count in the database (its default handler), so every web worker shares it.

The answer is the same whether or not the e-mail address belongs to anyone, so a lockout
never confirms that an account exists.
"""

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def signin_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    credentials = credentials or {}
    username = (
        credentials.get("email")
        or credentials.get("username")
        or credentials.get(settings.AXES_USERNAME_FORM_FIELD)
        or request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    )
    return username.strip().lower() if isinstance(username, str) else None


def signin_locked_out_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = TemplateResponse(
        request, "account/locked_out.html", {"cooloff_minutes": minutes}, status=429
    )
    return response.render()


def signin_is_locked_out(*, request: HttpRequest, email: str) -> bool:
    """Whether axes refuses sign-in for this address now, as it would refuse its password."""
    return not AxesProxyHandler.is_allowed(request, {"email": email})


def signin_failure_record(*, request: HttpRequest, email: str) -> bool:
    """Counts one failed step of signing in for the address; True when it is now locked out.

    The failure is counted exactly as a wrong password is: the same signal, with the
    credentials shape that ``signin_username`` reads. axes marks the request as locked out
    once the limit is reached, and its middleware then answers with
    ``signin_locked_out_response`` unless the view answers the lockout itself.
    """
    user_login_failed.send(sender=__name__, credentials={"email": email}, request=request)
    return bool(getattr(request, "axes_locked_out", False))
