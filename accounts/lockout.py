"""How django-axes reads the sign-in name and answers a locked-out sign-in.

The answer is the same whether or not the e-mail address belongs to anyone, so a lockout
never confirms that an account exists.
"""

from typing import Any

from django.conf import settings
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
