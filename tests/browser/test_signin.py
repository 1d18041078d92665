"""Signing in as a person would, in a real browser, checked with axe-core on every page."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.factories import PASSWORD, UserFactory, staff_create, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Accessible = Callable[[Page], None]


def fresh_code(secret: str) -> str:
    """A code that will still be current when it arrives, and not one already used."""
    if int(time.time()) % 30 > 24:
        time.sleep(31 - int(time.time()) % 30)
    return totp_code(secret)


def sign_in_with_password(page: Page, email: str, password: str) -> None:
    page.goto("/account/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Sign in").click()


def test_practitioner_enrols_totp_signs_out_and_signs_in_with_a_code(
    page: Page, assert_accessible: Accessible
) -> None:
    user = staff_create()

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/account/login/"))
    assert_accessible(page)

    sign_in_with_password(page, user.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/account/2fa/totp/activate/"))
    assert_accessible(page)
    secret = page.input_value("#authenticator_secret")

    page.fill("#id_code", "123")
    page.get_by_role("button", name=re.compile("Activate", re.I)).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    used_code = fresh_code(secret)
    page.fill("#id_code", used_code)
    page.get_by_role("button", name=re.compile("Activate", re.I)).click()
    expect(page).not_to_have_url(re.compile(r"/totp/activate/"))
    assert_accessible(page)

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():  # on a phone the navigation folds behind a menu button
        menu.click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/account/login/"))

    sign_in_with_password(page, user.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/account/2fa/authenticate/"))
    assert_accessible(page)
    while totp_code(secret) == used_code:  # the activation code cannot be replayed
        time.sleep(1)
    page.fill("#id_code", fresh_code(secret))
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_text(f"Signed in as {user.display_name}", exact=True)).to_be_visible()
    assert_accessible(page)


def test_the_sign_in_form_works_without_javascript(browser: Browser, asgi_server: str) -> None:
    user = UserFactory.create()
    context = browser.new_context(base_url=asgi_server, java_script_enabled=False)
    page = context.new_page()

    sign_in_with_password(page, user.email, "wrong password")
    expect(page.locator(".govuk-error-summary")).to_be_visible()

    sign_in_with_password(page, user.email, PASSWORD)
    expect(page.get_by_text(f"Signed in as {user.display_name}", exact=True)).to_be_visible()
    context.close()


def test_public_pages_and_error_states_are_accessible(
    page: Page, assert_accessible: Accessible
) -> None:
    page.goto("/accessibility/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accessibility")
    assert_accessible(page)

    sign_in_with_password(page, "not-an-email", "x")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    page.goto("/account/password/reset/")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("reset", re.I)).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
