"""The service's own error pages: what went wrong, in plain words, and what to do next.

They render without the database or the signed-in user, from a small base of their own,
so that a page can still be shown when what failed is the database itself. Under `/api/`
the project's handlers (config.urls) answer JSON instead.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import loader


def error_page(request: HttpRequest, *, status: int) -> HttpResponse:
    template = loader.get_template(f"frontend/errors/{status}.html")
    return HttpResponse(template.render({"status": status}), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(request, status=500)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    return error_page(request, status=503)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page that had expired, or from somewhere else: send it again."""
    template = loader.get_template("frontend/errors/csrf.html")
    return HttpResponse(template.render({"status": 403}), status=403)
