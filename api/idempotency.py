"""``Idempotency-Key`` on creating POSTs: a retry gets the first answer and creates nothing.

The key is the client's: one per intended creation, unique per user. The first successful
answer is stored with the key in the same transaction as the creation, so either both are
kept or neither. Two requests racing with one key are settled by the unique constraint: the
loser's work is rolled back and it is answered with the winner's stored response.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from api.errors import error_response
from api.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_LENGTH_MAX = 255

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique value per intended creation (a UUID, say). Sending the same request again "
        "with the same key returns the first answer, with `Idempotent-Replayed: true`, and "
        "creates nothing. Reusing a key for a different request is refused with 422."
    ),
)

ViewMethod = TypeVar("ViewMethod", bound=Callable[..., Response])


def _file_digest(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return f"file:{digest.hexdigest()}"


def _request_hash(request: Request) -> str:
    """The request's fields, and of an upload its files' contents, not only their names."""
    data: Any = request.data
    if hasattr(data, "lists"):
        data = {
            key: [_file_digest(v) if isinstance(v, UploadedFile) else v for v in values]
            for key, values in data.lists()
        }
    body = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def _stored(user: User, key: str) -> IdempotencyKey | None:
    return IdempotencyKey.objects.filter(user=user, key=key).first()


def _replay(stored: IdempotencyKey, *, request: Request, request_hash: str) -> Response:
    if (stored.method, stored.path, stored.request_hash) != (
        request.method,
        request.path,
        request_hash,
    ):
        return error_response(
            f"This {HEADER} was already used for a different request: "
            "use a new key for each thing you create",
            status_code=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    headers = {REPLAYED_HEADER: "true"}
    if stored.location:
        headers["Location"] = stored.location
    return Response(stored.response_body, status=stored.status, headers=headers)


def idempotent(view_method: ViewMethod) -> ViewMethod:
    """Makes a creating ``post`` safe to retry when the client sends an Idempotency-Key."""

    @functools.wraps(view_method)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return view_method(view, request, *args, **kwargs)
        if len(key) > KEY_LENGTH_MAX:
            return error_response(
                f"An {HEADER} can be at most {KEY_LENGTH_MAX} characters long",
                status_code=status.HTTP_400_BAD_REQUEST,
            )
        user = cast(User, request.user)  # creating endpoints all require sign-in
        request_hash = _request_hash(request)
        stored = _stored(user, key)
        if stored is not None:
            return _replay(stored, request=request, request_hash=request_hash)
        try:
            with transaction.atomic():
                response = view_method(view, request, *args, **kwargs)
                if status.is_success(response.status_code):
                    IdempotencyKey.objects.create(
                        user=user,
                        key=key,
                        method=request.method or "",
                        path=request.path,
                        request_hash=request_hash,
                        status=response.status_code,
                        response_body=response.data,
                        location=response.headers.get("Location", ""),
                    )
        except IntegrityError:
            # Another request with this key committed first: ours is rolled back.
            stored = _stored(user, key)
            if stored is None:
                raise
            return _replay(stored, request=request, request_hash=request_hash)
        return response

    return wrapper  # type: ignore[return-value]
