"""The OpenAPI document and the browsable docs, which must work under our strict CSP."""

import os
import re
from collections.abc import Iterator

import pytest
import yaml
from django.test import Client

from tests.services import CHROMIUM

OPERATIONS = {
    "auth_token_issue",
    "auth_token_revoke",
    "person_search",
    "person_register",
    "person_get",
    "person_update",
    "person_identifier_list",
    "person_identifier_add",
    "network_list",
    "network_get",
    "network_member_list",
    "network_member_remove",
    "network_invitation_list",
    "network_invitation_create",
    "network_invitation_revoke",
    "network_join_request_list",
    "network_join_request_create",
    "network_join_request_approve",
    "network_join_request_decline",
    "network_involvement_list",
    "network_involvement_create",
    "network_involvement_get",
    "network_involvement_update",
    "network_audit_list",
    "agency_list",
    "agency_get",
    "agency_staff_list",
    "concern_list",
    "concern_raise",
    "concern_get",
    "concern_acknowledge",
    "concern_update_list",
    "concern_update_add",
    "concern_review_start",
    "concern_close",
    "concern_withdraw",
    "alert_list",
    "network_event_list",
    "network_event_create",
    "network_event_get",
    "network_event_update",
    "network_event_cancel",
    "network_event_attendance_list",
    "network_event_attendance_update",
    "network_task_list",
    "network_task_create",
    "network_task_claim",
    "network_task_release",
    "network_task_complete",
}


@pytest.mark.django_db
def test_the_schema_describes_every_endpoint(client: Client) -> None:
    response = client.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    operations = {
        operation["operationId"]
        for path in schema["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    assert operations >= OPERATIONS, OPERATIONS - operations
    assert all(re.fullmatch(r"[a-z_]+", operation) for operation in operations)
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


@pytest.mark.django_db
def test_the_docs_page_has_no_inline_code_and_loads_nothing_from_elsewhere(client: Client) -> None:
    response = client.get("/api/docs/")
    script = client.get("/api/docs/?script=")

    assert response.status_code == 200
    html = response.content.decode()
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert not [tag for tag in re.findall(r"<script\b[^>]*>", html) if "src=" not in tag]
    assert "<style" not in html
    assert not re.findall(r"(?:src|href)=\"(?:https?:)?//", html)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


@pytest.mark.django_db
def test_unknown_api_paths_answer_404_in_the_api_shape(client: Client) -> None:
    response = client.get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response.json() == {"errors": {"non_field_errors": ["Not found."]}}


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread while it is open.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.mark.browser
def test_swagger_ui_renders_in_a_real_browser_without_csp_errors(
    chromium,  # type: ignore[no-untyped-def]
    asgi_server: str,
) -> None:
    context = chromium.new_context(base_url=asgi_server)
    page = context.new_page()
    console: list[str] = []
    elsewhere: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(asgi_server) else elsewhere.append(request.url)
        ),
    )

    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    page.wait_for_selector(".opblock-tag-section", timeout=15000)

    assert "Caregraph API" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock").count() >= len(OPERATIONS)
    assert [line for line in console if "Content Security Policy" in line] == []
    assert [line for line in console if line.startswith("error")] == []
    assert [url for url in elsewhere if not url.startswith("data:")] == []
    context.close()
