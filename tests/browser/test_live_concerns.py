"""A concern raised in one browser appears live in another, and never where it may not go.

Three people sign in through the pages in three real browser contexts against one uvicorn
process (its in-memory channel layer serves every socket): practitioners A and B, and C, a
family member. What C's browser receives is checked on the WebSocket frames themselves, not
only on the page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, WebSocket, expect

from accounts.models import User
from agencies.models import Agency
from caregraph.models import MemberKind, Network
from concerns.models import Concern
from tests.browser.test_signin import fresh_code, sign_in_with_password
from tests.factories import PASSWORD, AgencyFactory, UserFactory, staff_create, totp_enrol
from tests.networks import member_add, network_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Accessible = Callable[[Page], None]
LIVE_TIMEOUT_MS = 15_000


@pytest.fixture
def open_page(browser: Browser, asgi_server: str) -> Iterator[Callable[[], Page]]:
    """A page in a browser context of its own (its own cookies: its own person), watched for
    CSP violations as the `page` fixture's is."""
    contexts = []

    def opened() -> Page:
        context = browser.new_context(base_url=asgi_server, viewport={"width": 390, "height": 844})
        contexts.append(context)
        page = context.new_page()
        violations: list[str] = []

        def on_console(message: ConsoleMessage) -> None:
            if "Content Security Policy" in message.text:
                violations.append(message.text)

        page.on("console", on_console)
        page.csp_violations = violations  # type: ignore[attr-defined]
        return page

    yield opened
    for context in contexts:
        context.close()


def sign_in_staff(page: Page, user: User, secret: str, check: Accessible) -> None:
    page.goto("/account/login/")
    check(page)
    sign_in_with_password(page, user.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/account/2fa/authenticate/"))
    check(page)
    page.fill("#id_code", fresh_code(secret))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    check(page)


def record_frames(page: Page) -> list[str]:
    """Every frame the page's WebSockets receive, as text."""
    frames: list[str] = []

    def on_socket(socket: WebSocket) -> None:
        socket.on(
            "framereceived",
            lambda payload: frames.append(
                payload if isinstance(payload, str) else payload.decode()
            ),
        )

    page.on("websocket", on_socket)
    return frames


def open_concerns(page: Page, network: Network, check: Accessible) -> None:
    page.goto(f"/networks/{network.pk}/concerns/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Concerns")
    expect(page.locator("[data-live-state]")).to_have_text("on", timeout=LIVE_TIMEOUT_MS)
    # Set on this document only: still there later means the page was never reloaded.
    page.evaluate("window.stillTheSamePage = true")
    check(page)


def listed(page: Page) -> Locator:
    return page.locator("[data-live-concerns] tbody")


def raise_concern(
    page: Page, network: Network, check: Accessible, *, category: str, severity: str, shared: str
) -> None:
    page.goto(f"/networks/{network.pk}/concerns/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise a concern")
    page.get_by_role("group", name="What is the concern about?").get_by_label(
        category, exact=True
    ).check()
    page.get_by_role("group", name="How serious is it?").get_by_label(severity, exact=True).check()
    page.get_by_label("What happened?").fill("Seen at the school gate without a coat again.")
    when = page.get_by_role("group", name="When did it happen?")
    when.get_by_label("Day").fill("2")
    when.get_by_label("Month").fill("2")
    when.get_by_label("Year").fill("2026")
    page.get_by_role("group", name="Who can see this concern?").get_by_label(
        shared, exact=True
    ).check()
    check(page)
    page.get_by_role("button", name="Raise concern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{category} concern")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("raised")
    check(page)


def test_a_new_concern_appears_live_for_those_who_may_see_it_and_only_them(
    open_page: Callable[[], Page], assert_accessible: Accessible
) -> None:
    agency_a: Agency = AgencyFactory.create(name="Northfield Children's Services")
    agency_b: Agency = AgencyFactory.create(name="Oakwood Primary School")
    practitioner_a = staff_create(agency=agency_a)
    practitioner_b = staff_create(agency=agency_b)
    secret_a, secret_b = totp_enrol(practitioner_a), totp_enrol(practitioner_b)
    network = network_create(coordinator=practitioner_a, agency=agency_a, given_name="Ava")
    member_add(network, kind=MemberKind.PROFESSIONAL, user=practitioner_b, agency=agency_b)
    family = UserFactory.create(display_name="Grace Thompson")
    member_add(network, kind=MemberKind.FAMILY, user=family, relationship="Grandmother")

    a, b, c = open_page(), open_page(), open_page()
    c_frames = record_frames(c)
    sign_in_staff(a, practitioner_a, secret_a, assert_accessible)
    sign_in_staff(b, practitioner_b, secret_b, assert_accessible)
    sign_in_with_password(c, family.email, PASSWORD)
    expect(c.get_by_role("heading", level=1)).to_have_text("Your networks")
    assert_accessible(c)

    open_concerns(b, network, assert_accessible)
    open_concerns(c, network, assert_accessible)
    expect(b.get_by_text("There are no concerns.")).to_be_visible()

    # A raises a professionals-only concern through the form.
    raise_concern(
        a,
        network,
        assert_accessible,
        category="Neglect",
        severity="High",
        shared="Professionals only",
    )
    hidden = Concern.objects.get()
    author = practitioner_a.display_name

    # B sees it arrive, without a reload, and hears it announced.
    row = listed(b).get_by_role("row", name=re.compile("Neglect"))
    expect(row).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(row).to_contain_text("High")
    expect(row).to_contain_text("Open")
    expect(row).to_contain_text(author)
    expect(row.get_by_role("link", name="Neglect")).to_have_attribute(
        "href", f"/networks/{network.pk}/concerns/{hidden.pk}/"
    )
    expect(b.locator("[data-live-announcer]")).to_have_text(
        f"New high concern: Neglect, raised by {author}"
    )
    expect(b.locator("[data-live-announcer]")).to_have_attribute("aria-live", "polite")
    assert b.evaluate("window.stillTheSamePage") is True
    assert_accessible(b)

    # Then one shared with everyone: C's socket is live, and it arrives there.
    raise_concern(
        a,
        network,
        assert_accessible,
        category="Missing",
        severity="Medium",
        shared="Everyone in the network, family too",
    )
    shared = Concern.objects.exclude(pk=hidden.pk).get()
    expect(listed(c).get_by_role("row", name=re.compile("Missing"))).to_be_visible(
        timeout=LIVE_TIMEOUT_MS
    )
    expect(c.locator("[data-live-announcer]")).to_have_text(
        f"New medium concern: Missing, raised by {author}"
    )
    expect(listed(b).get_by_role("row", name=re.compile("Missing"))).to_be_visible(
        timeout=LIVE_TIMEOUT_MS
    )
    assert c.evaluate("window.stillTheSamePage") is True
    assert_accessible(c)

    # C's page never showed the professionals-only concern, and nothing of it reached C's
    # browser: events of one network come in order, so it would have come before this one.
    expect(listed(c).get_by_role("row", name=re.compile("Neglect"))).to_have_count(0)
    messages = [json.loads(frame) for frame in c_frames]
    events = [m for m in messages if m.get("type") == "event"]
    assert [m["type"] for m in messages][:1] == ["hello"]
    assert [e["payload"].get("concern_id") for e in events] == [shared.pk]
    assert not [frame for frame in c_frames if "neglect" in frame.lower()]

    # After a reload, C's page still lists only what C may see.
    c.reload()
    expect(listed(c).get_by_role("row")).to_have_count(1)
    expect(listed(c).get_by_role("row", name=re.compile("Missing"))).to_be_visible()


def test_the_concern_pages_the_chronology_and_the_dashboard_are_accessible(
    open_page: Callable[[], Page], browser: Browser, asgi_server: str, assert_accessible: Accessible
) -> None:
    from agencies.models import StaffRole
    from tests.concerns.helpers import concern_raise_as

    agency = AgencyFactory.create(name="Northfield Children's Services")
    police = AgencyFactory.create(name="Northfield Police")
    school = AgencyFactory.create(name="Oakwood Primary School")
    practitioner = staff_create(agency=agency)
    lead = staff_create(agency=agency, role=StaffRole.SAFEGUARDING_LEAD)
    secret = totp_enrol(lead)
    network = network_create(coordinator=practitioner, agency=agency, given_name="Noah")
    officer = member_add(network, kind=MemberKind.PROFESSIONAL, agency=police).user
    teacher = member_add(network, kind=MemberKind.PROFESSIONAL, agency=school).user
    for author, category, severity in (
        (practitioner, "neglect", "urgent"),
        (officer, "domestic_abuse", "high"),
        (teacher, "neglect", "low"),
    ):
        concern_raise_as(author, network, category=category, severity=severity)
    concern = Concern.objects.order_by("pk").first()
    assert concern is not None

    page = open_page()
    sign_in_staff(page, lead, secret, assert_accessible)
    page.goto("/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Safeguarding dashboard")
    expect(page.get_by_role("img", name=re.compile("^Neglect: 2 concerns"))).to_have_count(1)
    expect(
        page.get_by_role("cell", name="Concerns from several agencies", exact=False)
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Period").select_option(label="Last 12 months")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"period=12m"))
    assert_accessible(page)

    page.goto(f"/networks/{network.pk}/concerns/{concern.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Neglect concern")
    assert_accessible(page)
    page.get_by_role("button", name="Add update").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Write what has happened since")
    assert_accessible(page)
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("acknowledged")
    page.get_by_role("button", name="Close with an outcome").click()
    assert_accessible(page)
    page.get_by_role("button", name="Close concern").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say what the outcome was")
    assert_accessible(page)

    page.goto(f"/networks/{network.pk}/chronology/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chronology")
    assert_accessible(page)
    page.get_by_label("Concerns", exact=True).uncheck()
    start = page.get_by_role("group", name="From")
    start.get_by_label("Day").fill("40")
    start.get_by_label("Month").fill("1")
    start.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Filter chronology").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("From must be a real date")
    assert_accessible(page)
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Sections of this record")).to_be_hidden()
    expect(page.locator("form.app-filters")).to_be_hidden()
    expect(page.locator(".app-chronology")).to_be_visible()
    page.emulate_media(media="screen")

    page.goto(f"/networks/{network.pk}/concerns/new/")
    page.get_by_role("button", name="Raise concern").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select what the concern is about")
    assert_accessible(page)

    # Without JavaScript the form still raises a concern, and the list still lists it.
    plain_context = browser.new_context(
        base_url=asgi_server, java_script_enabled=False, storage_state=page.context.storage_state()
    )
    plain = plain_context.new_page()
    plain.goto(f"/networks/{network.pk}/concerns/new/")
    plain.get_by_label("Missing", exact=True).check()
    plain.get_by_label("Medium", exact=True).check()
    plain.get_by_label("What happened?").fill("Not home by ten; found at a friend's house.")
    plain.get_by_label("Day").fill("1")
    plain.get_by_label("Month").fill("2")
    plain.get_by_label("Year").fill("2026")
    plain.get_by_role("button", name="Raise concern").click()
    expect(plain.get_by_role("heading", level=1)).to_have_text("Missing concern")
    plain.goto(f"/networks/{network.pk}/concerns/")
    expect(plain.locator("[data-live-status]")).to_be_hidden()
    expect(listed(plain).get_by_role("row", name=re.compile("Missing"))).to_be_visible()
    plain_context.close()
