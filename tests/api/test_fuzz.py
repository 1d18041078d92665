"""The API, fuzzed against its own schema: no answer is a server error, and every answer is
one the schema documents (its status code, content type, body and headers).

Schemathesis reads /api/schema/ as served, and tries every operation as a signed-in
practitioner (staff with an authenticator app, holding a token issued on a code) who
coordinates a network with one of everything. The path parameters are that network's
records, so that the requests reach the handlers and not only the 404 of "not yours".
Each request is rolled back afterwards, so each starts from the same network. The seed and
the number of examples are fixed: the same requests every run, in about two minutes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings

from api.models import ApiToken
from api.tokens import api_token_hash
from tests.api.test_hostile_input import world
from tests.factories import totp_enrol

pytestmark = pytest.mark.django_db

SEED = 20261201
EXAMPLES = 20  # per operation, for the fuzzing phase; the coverage phase adds its own
KEY = "fuzz-practitioner-key"
SIGNED_IN = {"Authorization": f"Token {KEY}"}
# What the issue asks: no 5xx, and every answer as the schema says. Schemathesis's checks of
# how strict the API is (positive/negative data acceptance) are not about the schema.
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "unsupported_method",
)


def schema_load() -> Any:
    """The schema as served, read through the WSGI application (no database needed)."""
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": EXAMPLES, "database": "none"},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        }
    )
    return schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler(), config=config)


schema = schema_load()


class _RolledBack(Exception):
    pass


@contextlib.contextmanager
def requests_in_test_transaction() -> Iterator[None]:
    """As django.test.Client does (so only after the last request made with one): a request
    must not close the connection that holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def ids() -> Iterator[dict[str, int]]:
    """The world's record ids, and a token for its coordinator (a practitioner)."""
    coordinator, ids = world()
    totp_enrol(coordinator)
    ApiToken.objects.create(user=coordinator, key_hash=api_token_hash(KEY), code_given=True)
    with requests_in_test_transaction():
        yield ids


def rolled_back(call: Any) -> Any:
    """Runs `call` in a savepoint that is then undone, so no case changes the next."""
    result = None
    try:
        with transaction.atomic():
            result = call()
            raise _RolledBack
    except _RolledBack:
        return result


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # `ids` is read-only
def test_every_operation_answers_as_its_schema_says(case: Any, ids: dict[str, int]) -> None:
    if case.path_parameters:
        case.path_parameters.update({k: v for k, v in ids.items() if k in case.path_parameters})
    rolled_back(lambda: case.call_and_validate(headers=SIGNED_IN))


@pytest.mark.parametrize("credentials", [{}, {"Authorization": "Token not-a-token"}])
def test_every_operation_answers_a_documented_401_without_valid_credentials(
    credentials: dict[str, str],
) -> None:
    signed_in_operations = 0
    with requests_in_test_transaction():
        for result in schema.get_all_operations():
            operation = result.ok()
            if {} in operation.definition.raw.get("security", [{}]):
                continue  # open to all: asking for a token
            signed_in_operations += 1
            path = {parameter.name: 1 for parameter in operation.path_parameters}
            case = operation.Case(path_parameters=path)
            response = case.call(headers=credentials)
            assert response.status_code == 401, operation.label
            assert response.json().keys() == {"errors"}, operation.label
            case.validate_response(response)
    assert signed_in_operations >= 45


def test_the_schema_documents_the_headers_and_nulls_the_api_sends() -> None:
    paths = schema.raw_schema["paths"]
    person = schema.raw_schema["components"]["schemas"]["Person"]["properties"]

    def headers(path: str, method: str, code: str) -> set[str]:
        return set(paths[path][method]["responses"][code].get("headers", {}))

    assert person["nhs_number"]["nullable"] is True
    assert {"ETag"} <= headers("/api/v1/people/{person_id}/", "get", "200")
    assert {"ETag"} <= headers("/api/v1/people/{person_id}/", "patch", "200")
    assert {"Location", "ETag", "Idempotent-Replayed"} <= headers("/api/v1/people/", "post", "201")
    assert {"Location"} <= headers("/api/v1/networks/{network_id}/concerns/", "post", "201")
    assert {"Retry-After"} <= headers("/api/v1/networks/", "get", "503")
    assert {"Retry-After"} <= headers("/api/v1/auth/token/", "post", "429")
    assert {"401", "404"} <= set(paths["/api/v1/networks/"]["get"]["responses"])
