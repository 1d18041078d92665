"""What the issue's "done" says, in a real browser on a 320 px screen: a family carer
shares a shopping list and keeps the medicines list (the coordinator allowed them), and
each page is accessible (axe-core) and needs no sideways scrolling."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from caregraph.models import MemberKind
from caregraph.policy import viewer_for
from medicines.services import medicine_editors_set
from tests.browser.test_live_messages import csp_violations_watched, fits_a_phone, signed_in
from tests.factories import UserFactory, staff_create
from tests.networks import member_add, network_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Accessible = Callable[[Page], None]


@pytest.fixture
def phone(browser: Browser, asgi_server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=asgi_server, viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.csp_violations = csp_violations_watched(page)  # type: ignore[attr-defined]
    yield page
    context.close()


def test_a_family_carer_shares_a_shopping_list_and_keeps_the_medicines_on_a_phone(
    phone: Page, assert_accessible: Accessible
) -> None:
    coordinator = staff_create()
    network = network_create(coordinator=coordinator, given_name="Rose")
    daughter = UserFactory.create(display_name="Jo Bennett")
    membership = member_add(network, kind=MemberKind.FAMILY, user=daughter, relationship="Daughter")
    medicine_editors_set(
        network=network,
        viewer=viewer_for(user=coordinator, network=network),  # type: ignore[arg-type]
        set_by=coordinator,
        membership_ids=[membership.pk],
    )

    signed_in(phone, daughter.email)
    phone.goto(f"/networks/{network.pk}/files/new/")
    phone.get_by_label("Title").fill("Shopping list")
    phone.get_by_label("Upload a file").set_input_files(
        {"name": "list.txt", "mimeType": "text/plain", "buffer": b"Milk\nBread\nSoup\n"}
    )
    assert_accessible(phone)
    phone.get_by_role("button", name="Share file").click()
    expect(phone.locator("a[download]", has_text="Shopping list")).to_be_visible()
    fits_a_phone(phone)
    assert_accessible(phone)

    phone.goto(f"/networks/{network.pk}/medicines/new/")
    phone.get_by_role("button", name="Add medicine").click()  # nothing entered
    expect(phone.locator(".govuk-error-summary")).to_contain_text("Enter the name of the medicine")
    assert_accessible(phone)
    phone.get_by_label("Medicine", exact=True).fill("Amlodipine 5 mg tablets")
    phone.get_by_label("When it is taken (optional)").fill("Every morning")
    phone.get_by_label("Where and when it is picked up (optional)").fill(
        "Boots on the High Street, Fridays"
    )
    phone.get_by_role("button", name="Add medicine").click()
    expect(phone.get_by_text("Amlodipine 5 mg tablets").first).to_be_visible()
    expect(phone.get_by_text("Every morning").first).to_be_visible()
    fits_a_phone(phone)
    assert_accessible(phone)

    phone.goto(f"/networks/{network.pk}/medicines/history/")
    expect(phone.get_by_text("Amlodipine 5 mg tablets").first).to_be_visible()
    assert_accessible(phone)
    assert phone.csp_violations == []  # type: ignore[attr-defined]
