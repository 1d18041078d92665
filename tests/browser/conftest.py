"""Playwright driving Debian's Chromium against a real uvicorn process, with axe-core."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from tests.services import CHROMIUM, REPO

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Playwright's sync API keeps an event loop running in this thread while it is open; the
    # ORM calls that tests make between browser steps are still ordinary synchronous calls.
    # Both the loop and this allowance end with the module, before any other test runs.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser: Browser, asgi_server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=asgi_server, viewport={"width": 390, "height": 844})
    page = context.new_page()
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    page.csp_violations = violations  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.fixture
def assert_accessible() -> Callable[[Page], None]:
    """Runs axe-core in the page for WCAG 2.2 AA and fails on any violation or CSP breach."""
    source = Path(AXE).read_text()

    def check(page: Page) -> None:
        page.wait_for_load_state("load")
        page.evaluate(source)  # evaluated by the browser tooling, so our CSP does not apply
        result = page.evaluate(
            "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
        )
        violations = [
            f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}"
            for v in result["violations"]
        ]
        assert violations == [], f"{page.url}: {violations}"
        csp_violations = page.csp_violations  # type: ignore[attr-defined]
        assert csp_violations == [], csp_violations

    return check
