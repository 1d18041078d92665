"""A practitioner's first visit to the care graph pages, in a real browser, checked with axe."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from caregraph.models import Person
from tests.browser.test_signin import fresh_code, sign_in_with_password
from tests.factories import PASSWORD, staff_create, totp_enrol

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Accessible = Callable[[Page], None]


def sign_in_with_a_code(page: Page) -> None:
    user = staff_create()
    secret = totp_enrol(user)
    sign_in_with_password(page, user.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/account/2fa/authenticate/"))
    page.fill("#id_code", fresh_code(secret))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def open_section(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Sections of this record").get_by_role(
        "link", name=name
    ).click()


def test_a_practitioner_registers_a_person_and_visits_each_page_of_their_record(
    page: Page, assert_accessible: Accessible
) -> None:
    sign_in_with_a_code(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your networks")
    assert_accessible(page)

    page.goto("/people/register/")
    page.get_by_role("button", name="Register").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the given name")
    assert_accessible(page)

    page.get_by_label("Given name").fill("Ava")
    page.get_by_label("Family name").fill("Thompson")
    page.get_by_label("Day").fill("27")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2016")
    page.get_by_label("Postcode").fill("ls1 4ap")
    page.get_by_label("Address").fill("1 Park Row\nLeeds")
    page.get_by_label("NHS Number (optional)").fill("943 476 5919")
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ava Thompson")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("is registered")
    expect(page.get_by_text("943 476 5919")).to_be_visible()
    network_id = Person.objects.get(family_name="Thompson").network.pk
    expect(page).to_have_url(re.compile(rf"/networks/{network_id}/$"))
    assert_accessible(page)

    open_section(page, "Members")
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")
    assert_accessible(page)
    page.get_by_role("button", name="Invite someone").click()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter their email address")
    assert_accessible(page)
    page.get_by_role("link", name="Back", exact=True).click()

    open_section(page, "Involvement")
    expect(page.get_by_role("heading", level=1)).to_have_text("Agency involvement")
    assert_accessible(page)
    page.get_by_role("button", name="Record agency involvement").click()
    page.get_by_label("Agency", exact=True).select_option(index=1)
    page.get_by_label("Service or team").fill("Child in need team")
    page.get_by_label("Contact telephone (optional)").fill("01632 960 001")
    start = page.get_by_role("group", name="Start date")
    start.get_by_label("Day").fill("1")
    start.get_by_label("Month").fill("9")
    start.get_by_label("Year").fill("2025")
    assert_accessible(page)
    page.get_by_role("button", name="Record involvement").click()
    expect(page.get_by_text("Child in need team")).to_be_visible()
    assert_accessible(page)

    open_section(page, "Network map")
    expect(page.get_by_role("heading", level=1)).to_have_text("Network map")
    map_container = page.locator("#network-map")
    expect(map_container).to_be_visible()
    expect(map_container.locator("canvas").first).to_be_attached()
    assert map_container.locator("canvas").count() >= 1
    expect(
        page.get_by_role("img", name=re.compile("A map of the network around Ava"))
    ).to_be_visible()
    assert_accessible(page)

    open_section(page, "Family")
    expect(page.get_by_role("heading", level=1)).to_have_text("Family")
    assert_accessible(page)

    open_section(page, "Who has looked")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Who has viewed or changed this record"
    )
    expect(page.get_by_role("cell", name="Viewed the network map")).to_be_visible()
    assert_accessible(page)

    page.goto("/people/search/")
    page.get_by_label("NHS Number").fill("9434765919")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Ava Thompson")).to_be_visible()
    assert_accessible(page)


def test_the_network_map_page_is_complete_without_javascript(
    browser: Browser, asgi_server: str, page: Page
) -> None:
    sign_in_with_a_code(page)
    page.goto("/people/register/")
    page.get_by_label("Given name").fill("Noah")
    page.get_by_label("Family name").fill("Patel")
    page.get_by_label("Day").fill("2")
    page.get_by_label("Month").fill("10")
    page.get_by_label("Year").fill("2012")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Noah Patel")
    map_url = page.url + "map/"

    no_script = browser.new_context(
        base_url=asgi_server, java_script_enabled=False, storage_state=page.context.storage_state()
    )
    plain = no_script.new_page()
    plain.goto(map_url)
    expect(plain.locator("#network-map")).to_be_hidden()
    expect(plain.get_by_role("row", name=re.compile("Noah Patel The person"))).to_be_visible()
    no_script.close()
