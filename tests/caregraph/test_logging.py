"""One structured log line per request, with a request id and no personal data."""

import io
import json
import logging
from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from config.logging import structured_formatter
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log_lines() -> Iterator[Callable[[], list[dict]]]:
    """The JSON lines the production formatter writes, as dictionaries."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(structured_formatter(json_lines=True))
    root = logging.getLogger()
    root.addHandler(handler)

    def read() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines() if line]

    yield read
    root.removeHandler(handler)


def test_each_request_logs_its_id_route_and_status(client: Client, json_log_lines) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz", HTTP_X_REQUEST_ID="trace-1234-abcd")

    lines = [line for line in json_log_lines() if line.get("event") == "request"]
    assert response["X-Request-ID"] == "trace-1234-abcd"
    assert lines[-1]["request_id"] == "trace-1234-abcd"
    assert lines[-1]["route"] == "healthz"
    assert lines[-1]["status"] == 200


def test_an_unsafe_request_id_is_replaced(client: Client, json_log_lines) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nforged: line")
    assert "\n" not in response["X-Request-ID"]
    assert len(response["X-Request-ID"]) == 32


def test_sign_in_logs_carry_no_personal_data(client: Client, json_log_lines) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory.create(email="private.person@example.org", display_name="Private Person")
    client.post("/account/login/?next=/", {"login": user.email, "password": PASSWORD})
    client.post("/account/login/", {"login": "private.person@example.org", "password": "nope"})
    client.get("/?q=Private+Person")
    logging.getLogger("test").info("flush")

    text = json.dumps(json_log_lines())
    assert "request" in text
    for personal in ("private.person", "Private Person", "Private+Person", PASSWORD):
        assert personal not in text
