"""One shape for every error the API answers: ``{"errors": {"<field>": ["<message>"]}}``.

Services raise Django's ``ValidationError`` (keyed by field, or a plain message) and
``PermissionDenied``; the access policy raises ``Http404``. This handler turns each of
them, and DRF's own exceptions, into that shape. Anything the user may not see answers the
same "Not found.", whatever the reason, so that its existence does not leak.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY
NOT_FOUND = "Not found."
FORBIDDEN = "You cannot do that here."


def errors_body(errors: Mapping[str, Sequence[str]]) -> dict[str, dict[str, list[str]]]:
    return {
        "errors": {
            field: [str(message) for message in messages] for field, messages in errors.items()
        }
    }


def error_response(
    message: str, *, status_code: int, field: str = NON_FIELD, headers: dict[str, str] | None = None
) -> Response:
    """A response with one plain-English message, for answers made outside the handler."""
    return Response(errors_body({field: [message]}), status=status_code, headers=headers)


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error details as ``{"field": [...], "identifiers.0.value": [...]}``."""
    if isinstance(detail, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = str(key) if not prefix else f"{prefix}.{key}"
            if not prefix and key == NON_FIELD:
                name = NON_FIELD
            for field, messages in _flatten(value, name).items():
                flat.setdefault(field, []).extend(messages)
        return flat
    if isinstance(detail, list | tuple):
        if all(isinstance(item, str) for item in detail):
            return {prefix or NON_FIELD: [str(item) for item in detail]} if detail else {}
        flat = {}
        for index, item in enumerate(detail):
            if isinstance(item, str):
                flat.setdefault(prefix or NON_FIELD, []).append(str(item))
                continue
            for field, messages in _flatten(
                item, f"{prefix}.{index}" if prefix else str(index)
            ).items():
                flat.setdefault(field, []).extend(messages)
        return flat
    return {prefix or NON_FIELD: [str(detail)]}


def _django_validation_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            (NON_FIELD if field == "__all__" else field): list(messages)
            for field, messages in error.message_dict.items()
        }
    return {NON_FIELD: list(error.messages)}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every error in the one shape, with a plain-English message."""
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response(
            errors_body(_django_validation_errors(exc)), status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, Http404 | exceptions.NotFound):
        set_rollback()
        return error_response(NOT_FOUND, status_code=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoPermissionDenied):
        set_rollback()
        message = str(exc) or FORBIDDEN
        return error_response(message, status_code=status.HTTP_403_FORBIDDEN)
    if not isinstance(exc, exceptions.APIException):
        return None  # a fault of ours: left to raise, logged, answered 500
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = str(exc.auth_header)  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
    set_rollback()
    return Response(errors_body(_flatten(exc.detail)), status=exc.status_code, headers=headers)


class ErrorsSerializer(serializers.Serializer[Any]):
    """For the schema only: what an error answer looks like."""

    # A field of this name hides Serializer.errors only in the class body; DRF moves it.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Messages by field name; "non_field_errors" for the request as a whole.',
    )


def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """Any unknown path under /api/ answers in the API's shape, not with a web page."""
    return JsonResponse(errors_body({NON_FIELD: [NOT_FOUND]}), status=404)


SERVER_ERROR = "Something went wrong on our side. Try again."
BAD_REQUEST = "The request could not be read."
TOO_LARGE = "The request is too large."
BUSY = "The service is busy or part of it is down. Nothing was changed: try again shortly."


def api_error_page(request: HttpRequest, *, status: int) -> JsonResponse:
    """What Django's own error handlers answer under /api/: the same shape as every error."""
    message = {400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND, 413: TOO_LARGE, 503: BUSY}.get(
        status, SERVER_ERROR
    )
    return JsonResponse(errors_body({NON_FIELD: [message]}), status=status)
