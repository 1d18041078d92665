"""A family member, on a phone-sized screen, posts how the person is with a photo; a
professional's open page shows it, photo and all, without a reload.

Two people in two real browser contexts against one uvicorn process; the photo is loaded in
the professional's browser through the authorised view.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from agencies.models import Agency
from caregraph.models import MemberKind
from tests.browser.test_live_concerns import LIVE_TIMEOUT_MS, open_page, sign_in_staff
from tests.browser.test_signin import sign_in_with_password
from tests.factories import PASSWORD, AgencyFactory, UserFactory, staff_create, totp_enrol
from tests.networks import member_add, network_create
from tests.wellbeing.world import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Accessible = Callable[[Page], None]
__all__ = ["open_page"]  # the fixture, shared with the concerns' live test


def test_an_update_with_a_photo_appears_live_on_a_professionals_open_page(
    open_page: Callable[[], Page], assert_accessible: Accessible
) -> None:
    agency: Agency = AgencyFactory.create(name="Northfield Adult Social Care")
    social_worker = staff_create(agency=agency)
    secret = totp_enrol(social_worker)
    network = network_create(coordinator=social_worker, agency=agency, given_name="Rose")
    daughter = UserFactory.create(display_name="Jo Bennett")
    member_add(network, kind=MemberKind.FAMILY, user=daughter, relationship="Daughter")

    professional, family = open_page(), open_page()
    sign_in_staff(professional, social_worker, secret, assert_accessible)
    professional.goto(f"/networks/{network.pk}/updates/")
    expect(professional.get_by_role("heading", level=1)).to_have_text("Updates")
    expect(professional.locator("[data-live-state]")).to_have_text("on", timeout=LIVE_TIMEOUT_MS)
    professional.evaluate("window.stillTheSamePage = true")
    assert_accessible(professional)

    family.set_viewport_size({"width": 320, "height": 720})
    sign_in_with_password(family, daughter.email, PASSWORD)
    family.goto(f"/networks/{network.pk}/updates/")
    family.get_by_label("How are they today?").fill("Mum enjoyed the sunshine in the garden")
    family.get_by_label("Photos (optional)").set_input_files(
        {"name": "garden.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(size=(800, 600))}
    )
    expect(
        family.get_by_role("group", name="Who can see this update?").get_by_label(
            "Everyone in the network, family too"
        )
    ).to_be_checked()
    assert_accessible(family)
    family.get_by_role("button", name="Post update").click()
    expect(family.locator(".govuk-notification-banner--success")).to_contain_text("posted")
    assert family.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(family)

    arrived = professional.locator("[data-wellbeing-updates] article").filter(
        has_text="Mum enjoyed the sunshine in the garden"
    )
    expect(arrived).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(arrived).to_contain_text("Jo Bennett")
    photo = arrived.get_by_role("img", name=re.compile("Photo 1 of 1"))
    expect(photo).to_be_visible()
    professional.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=photo.element_handle()
    )
    expect(professional.locator("[data-live-announcer]")).to_have_text("New update from Jo Bennett")
    assert professional.evaluate("window.stillTheSamePage") is True
    assert_accessible(professional)
