"""The API's one parser: JSON, read within a size limit and refused when nested too deep.

Python's decoder recurses once per level, so a body of a hundred thousand `[` would end
in a RecursionError, a 500: `caregraph.wire` refuses it before decoding. DRF reads the body
as a stream and so skips Django's `DATA_UPLOAD_MAX_MEMORY_SIZE`; it is applied here, answered 413.
"""

from __future__ import annotations

import json
from typing import IO, Any

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

from caregraph.wire import JSON_DEPTH_MAX, json_depth_exceeds


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request is too large."
    default_code = "too_large"


class SafeJSONParser(JSONParser):
    def parse(
        self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None
    ) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge(f"The request is too large: the most we accept is {limit} bytes.")
        if json_depth_exceeds(raw):
            raise exceptions.ParseError(
                f"The JSON is nested more than {JSON_DEPTH_MAX} levels deep, which is not accepted."
            )
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(raw.decode(encoding), parse_constant=_refuse_constant)
        except ValueError as error:
            raise exceptions.ParseError(f"The body is not valid JSON: {error}") from None


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")
