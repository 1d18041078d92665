"""Django's error handlers for the whole site: JSON under /api/, the service's pages elsewhere.

Most API errors never get here (DRF's exception handler answers them); these are the ones
raised before or outside a view: a fault of ours, a request Django itself refuses.
"""

from __future__ import annotations

import sys

from django.core.exceptions import RequestDataTooBig
from django.db import OperationalError as DatabaseUnavailable
from django.http import HttpRequest, HttpResponse

from api.errors import api_error_page
from frontend.views import errors as pages


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400, or 413 when the body was over DATA_UPLOAD_MAX_MEMORY_SIZE (Django says 400)."""
    status = 413 if isinstance(exception, RequestDataTooBig) else 400
    if _is_api(request):
        return api_error_page(request, status=status)
    response = pages.bad_request(request)
    response.status_code = status
    return response


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return api_error_page(request, status=403)
    return pages.permission_denied(request)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return api_error_page(request, status=404)
    return pages.page_not_found(request)


RETRY_AFTER_SECONDS = 5


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 with Retry-After when the fault is the database being out of reach
    (its connections all taken, or the server down): that is a busy service, not a bug."""
    fault = sys.exc_info()[1]
    status = 503 if isinstance(fault, DatabaseUnavailable) else 500
    if _is_api(request):
        response: HttpResponse = api_error_page(request, status=status)
    elif status == 503:
        response = pages.service_unavailable(request)
    else:
        response = pages.server_error(request)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
