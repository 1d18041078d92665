"""ETags and ``If-Match``: a change is made only to the version the client last read.

The ETag is a hash of the representation the client was given, so any change to what they
saw, by anyone, makes their copy stale. A ``PATCH`` without ``If-Match`` is refused (428),
and one whose ``If-Match`` is not the current ETag is refused (412) and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import error_response

IF_MATCH_PARAMETER = OpenApiParameter(
    name="If-Match",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=True,
    description="The ETag from your last GET: the change is refused (412) if it is stale.",
)


def etag_header(*codes: int) -> OpenApiParameter:
    """For the schema: the answers with these status codes carry the record's ETag."""
    return OpenApiParameter(
        name="ETag",
        type=OpenApiTypes.STR,
        location=OpenApiParameter.HEADER,
        response=list(codes),
        description="The version of the record you were given: send it back as If-Match.",
    )


def etag_for(representation: Mapping[str, Any]) -> str:
    body = json.dumps(representation, sort_keys=True, cls=DjangoJSONEncoder)
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def _strong(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def if_match_refusal(request: Request, *, current_etag: str) -> Response | None:
    """The 428 or 412 answer when the request's If-Match does not allow the change, or None."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return error_response(
            "Send the If-Match header with the ETag from your last GET of this record, "
            "so that you do not overwrite someone else's change",
            status_code=status.HTTP_428_PRECONDITION_REQUIRED,
        )
    offered = {_strong(tag) for tag in header.split(",")}
    if "*" in offered or current_etag in offered:
        return None
    return error_response(
        "This record has changed since you last read it: GET it again, check the changes "
        "and then send yours",
        status_code=status.HTTP_412_PRECONDITION_FAILED,
    )
