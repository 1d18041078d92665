"""A message sent in one browser appears in another without a reload, with unread counts.

Two family members sign in through the pages in two browser contexts against one uvicorn
process. B has a thread open while A replies through the ordinary form; then B watches the
messages list while A sends again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from messaging.models import ThreadAudience
from tests.browser.test_signin import sign_in_with_password
from tests.factories import PASSWORD
from tests.messaging.conftest import SECRET_WORDS, SUBJECT, circle_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Accessible = Callable[[Page], None]
LIVE_TIMEOUT_MS = 15_000


@pytest.fixture
def two_pages(browser: Browser, asgi_server: str) -> Iterator[tuple[Page, Page]]:
    contexts = [
        browser.new_context(base_url=asgi_server, viewport={"width": 320, "height": 640})
        for _ in range(2)
    ]
    pages = [context.new_page() for context in contexts]
    for page in pages:
        page.csp_violations = csp_violations_watched(page)  # type: ignore[attr-defined]
    yield pages[0], pages[1]
    for context in contexts:
        context.close()


def csp_violations_watched(page: Page) -> list[str]:
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    return violations


def signed_in(page: Page, email: str) -> None:
    sign_in_with_password(page, email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your networks")


def fits_a_phone(page: Page) -> None:
    """Nothing is wider than the 320 px screen: no sideways scrolling."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def live(page: Page) -> None:
    expect(page.locator("[data-messages-live-state]")).to_have_text("on", timeout=LIVE_TIMEOUT_MS)
    # Set on this document only: still there later means the page was never reloaded.
    page.evaluate("window.stillTheSamePage = true")


def reply(page: Page, text: str) -> None:
    page.get_by_label("Message").fill(text)
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("sent")


def test_a_reply_appears_in_the_open_thread_and_the_unread_counts_follow(
    two_pages: tuple[Page, Page], assert_accessible: Accessible
) -> None:
    circle = circle_make()
    thread = circle.start(audience=ThreadAudience.NETWORK)
    thread_path = f"/networks/{circle.network.pk}/messages/{thread.pk}/"
    a, b = two_pages
    signed_in(a, circle.chosen.email)
    signed_in(b, circle.other.email)

    # B has the thread open (which reads it); A replies through the form.
    b.goto(thread_path)
    expect(b.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    expect(b.get_by_text(SECRET_WORDS)).to_be_visible()
    live(b)
    assert_accessible(b)
    fits_a_phone(b)
    a.goto(thread_path)
    reply(a, "I can take her on Tuesday")
    assert_accessible(a)

    messages = b.locator("[data-messages-list] li")
    expect(messages).to_have_count(2, timeout=LIVE_TIMEOUT_MS)
    expect(messages.last).to_contain_text("I can take her on Tuesday")
    expect(messages.last).to_contain_text("Grace Daughter")
    assert b.evaluate("window.stillTheSamePage") is True

    # B goes to the list: everything is read. A sends again: B's counts rise in place.
    b.goto(f"/networks/{circle.network.pk}/messages/")
    row = b.locator(f"#thread-{thread.pk}")
    expect(row.locator('[data-field="unread-tag"]')).to_be_hidden()
    expect(b.locator("[data-messages-unread]")).to_be_hidden()
    live(b)
    assert_accessible(b)
    fits_a_phone(b)
    reply(a, "And back again after")

    unread_tag = row.locator('[data-field="unread-tag"]')
    expect(unread_tag).to_have_text("1 unread", timeout=LIVE_TIMEOUT_MS)
    tab = b.get_by_role("link", name=re.compile(r"^Messages"))
    expect(tab).to_have_text("Messages (1 unread)")
    assert b.evaluate("window.stillTheSamePage") is True
    assert b.csp_violations == []  # type: ignore[attr-defined]
