"""What the schema says of every operation, beyond what each endpoint documents itself.

Some answers come from the kit, not the endpoint: 401 without valid credentials, 403 for
staff with no second factor, 404 for a page past the end or a record not yours to see,
413 and 415 for a body we will not read, 503 with ``Retry-After`` when the database is out of
reach, 500 for a fault of ours; and ``Idempotent-Replayed`` on a repeated creation. This
drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) adds them
to each operation they can happen to, all in the one ``{"errors": …}`` shape, so that the
schema describes every answer the API gives (tests/api/test_fuzz.py holds it to that).
"""

from __future__ import annotations

from typing import Any

from api.idempotency import REPLAYED_HEADER

ERRORS_REF = {"$ref": "#/components/schemas/Errors"}

KIT_ERRORS = {
    "400": "A field or query parameter is wrong: the message says which and why",
    "401": "No credentials, or a token that is not valid (see `WWW-Authenticate`)",
    "403": "You may see this, but not do this; or two-factor sign-in is not set up",
    "404": "Not there, or not yours to see; or a page past the end of the list",
    "413": "The request is too large",
    "415": "The body is not JSON",
    "500": "A fault of ours: nothing was changed",
    "503": "The service is busy or part of it is down: nothing was changed, try again",
}
RETRY_AFTER = {
    "schema": {"type": "integer"},
    "description": "Seconds to wait before trying again.",
}
REPLAYED = {
    "schema": {"type": "string", "enum": ["true"]},
    "description": "Present when this is the stored answer to an earlier request with the "
    "same Idempotency-Key: nothing new was created.",
}


def _error_codes(operation: dict[str, Any]) -> list[str]:
    """The kit's error answers that can happen to this operation."""
    parameters = operation.get("parameters", [])
    signed_in = {} not in (operation.get("security") or [{}])
    has_body = "requestBody" in operation
    codes = ["500", "503"]
    if signed_in:
        codes += ["401", "403"]
    if has_body or any(p["in"] in ("query", "header") for p in parameters):
        codes.append("400")
    if any(p["in"] == "path" or p["name"] == "page" for p in parameters):
        codes.append("404")
    if has_body:
        codes += ["413", "415"]
    return codes


def _with_error(responses: dict[str, Any], code: str) -> None:
    if code not in responses:
        responses[code] = {
            "description": KIT_ERRORS[code],
            "content": {"application/json": {"schema": ERRORS_REF}},
        }
    response = responses[code]
    if code in ("429", "503"):
        response.setdefault("headers", {})["Retry-After"] = RETRY_AFTER


def kit_answers_document(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """The postprocessing hook: adds the kit's answers to every operation of the schema."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code in _error_codes(operation):
                _with_error(responses, code)
            if "429" in responses:
                _with_error(responses, "429")
            parameters = operation.get("parameters", [])
            if any(p["name"] == "Idempotency-Key" for p in parameters):
                for code, response in responses.items():
                    if code.startswith("2"):
                        response.setdefault("headers", {})[REPLAYED_HEADER] = REPLAYED
    return result
