"""Request ids and one log line per request, without personal data."""

import re
import time
import uuid
from collections.abc import Callable

import structlog
from django.http import HttpRequest, HttpResponse

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
