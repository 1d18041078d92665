"""The calendar in real browsers: a practitioner books a weekly visit through the form, sees
it in the agenda and in the month view that FullCalendar draws, and a family member, already
looking at the agenda in another browser, sees it arrive without a reload; then signs up for
a task. Every page visited is checked with axe, and for CSP violations.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from calendars.models import CalendarEvent, CareTask
from calendars.services.events import event_create
from calendars.services.tasks import task_create
from caregraph.models import MemberKind
from tests.browser.test_live_concerns import sign_in_staff
from tests.browser.test_signin import sign_in_with_password
from tests.factories import PASSWORD, AgencyFactory, UserFactory, staff_create, totp_enrol
from tests.networks import member_add, network_create, viewer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Accessible = Callable[[Page], None]
LIVE_TIMEOUT_MS = 15_000


@pytest.fixture
def open_page(browser: Browser, asgi_server: str) -> Iterator[Callable[[], Page]]:
    """A page in a browser context of its own (its own person), watched for CSP violations
    and for script errors."""
    contexts = []

    def opened() -> Page:
        context = browser.new_context(base_url=asgi_server, viewport={"width": 390, "height": 844})
        contexts.append(context)
        page = context.new_page()
        violations: list[str] = []
        errors: list[str] = []

        def on_console(message: ConsoleMessage) -> None:
            if "Content Security Policy" in message.text:
                violations.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.csp_violations = violations  # type: ignore[attr-defined]
        page.script_errors = errors  # type: ignore[attr-defined]
        return page

    yield opened
    for context in contexts:
        context.close()


def test_a_weekly_visit_is_booked_shown_in_agenda_and_month_and_arrives_live_for_family(
    open_page: Callable[[], Page], assert_accessible: Accessible
) -> None:
    agency = AgencyFactory.create(name="Northfield Adult Social Care")
    practitioner = staff_create(agency=agency)
    secret = totp_enrol(practitioner)
    network = network_create(coordinator=practitioner, agency=agency, given_name="Ava")
    family = UserFactory.create(display_name="Grace Thompson")
    member_add(network, kind=MemberKind.FAMILY, user=family, relationship="Daughter")
    task_create(
        network=network,
        viewer=viewer(network, practitioner),
        created_by=practitioner,
        title="Collect the prescription",
        due_at=datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=3), datetime.time(17, 0)
        ),
    )
    first_visit = timezone.localdate() + datetime.timedelta(days=2)
    calendar_url = f"/networks/{network.pk}/calendar/"

    staff_page, family_page = open_page(), open_page()
    sign_in_staff(staff_page, practitioner, secret, assert_accessible)
    sign_in_with_password(family_page, family.email, PASSWORD)
    expect(family_page.get_by_role("heading", level=1)).to_have_text("Your networks")

    # The family member is looking at the agenda, live, before anything is booked.
    family_page.goto(calendar_url)
    expect(family_page.get_by_role("heading", level=1)).to_have_text("Calendar")
    expect(family_page.locator("[data-calendar-live-state]")).to_have_text(
        "on", timeout=LIVE_TIMEOUT_MS
    )
    expect(family_page.get_by_text("Nothing is in the calendar that you can see")).to_be_visible()
    family_page.evaluate("window.stillTheSamePage = true")
    assert_accessible(family_page)

    # The practitioner books it, after first sending the form half filled in.
    staff_page.goto(f"/networks/{network.pk}/")
    expect(staff_page.get_by_role("heading", name="Coming up")).to_be_visible()
    assert_accessible(staff_page)
    staff_page.get_by_role("navigation", name="Sections of this record").get_by_role(
        "link", name="Calendar"
    ).click()
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Calendar")
    assert_accessible(staff_page)
    staff_page.get_by_role("link", name="Add to the calendar").click()
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Add to the calendar")
    assert_accessible(staff_page)
    staff_page.get_by_label("Title").fill("Weekly home visit")
    staff_page.get_by_role("button", name="Add to calendar").click()
    summary = staff_page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the date")
    expect(summary).to_contain_text("Enter the start time")
    expect(staff_page.get_by_label("Title")).to_have_value("Weekly home visit")
    assert_accessible(staff_page)

    staff_page.get_by_label("What kind of event is it?").select_option(label="Home visit")
    when = staff_page.get_by_role("group", name="Date", exact=True)
    when.get_by_label("Day").fill(str(first_visit.day))
    when.get_by_label("Month").fill(str(first_visit.month))
    when.get_by_label("Year").fill(str(first_visit.year))
    staff_page.get_by_label("Start time").fill("10:00")
    staff_page.get_by_label("End time").fill("11:00")
    staff_page.get_by_role("group", name="Does it repeat?").get_by_label("Every week").check()
    staff_page.get_by_label("Where (optional)").fill("Ava's flat")
    staff_page.get_by_role("group", name="Who can see this event?").get_by_label(
        "Everyone in the network, family too"
    ).check()
    staff_page.get_by_role("button", name="Add to calendar").click()
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Weekly home visit")
    expect(staff_page.locator(".govuk-notification-banner--success")).to_contain_text(
        "is in the calendar"
    )
    event = CalendarEvent.objects.get()
    assert event.rrule == "FREQ=WEEKLY"
    assert_accessible(staff_page)

    # The agenda lists each week's visit, with its time in UK time and its .ics link.
    staff_page.goto(calendar_url)
    visits = staff_page.get_by_role("link", name="Weekly home visit", exact=True)
    expect(visits).to_have_count(4)
    first_day = staff_page.locator(f"#day-{first_visit.isoformat()}").locator("..")
    expect(first_day).to_contain_text("10:00 to 11:00")
    expect(first_day).to_contain_text("Home visit")
    expect(first_day).to_contain_text("Ava's flat")
    expect(
        first_day.get_by_role("link", name=re.compile("Download for your calendar app"))
    ).to_have_attribute("href", f"/calendar/events/{event.pk}.ics")
    assert_accessible(staff_page)

    # The month view is drawn by FullCalendar, in place of the server's table.
    staff_page.goto(f"{calendar_url}?view=month&date={first_visit.isoformat()}")
    grid = staff_page.locator("[data-calendar-grid]")
    expect(grid).to_be_visible()
    expect(grid.locator(".fc-classic-calendar, [class*='fc-']").first).to_be_visible()
    expect(grid.get_by_role("link", name=re.compile("Weekly home visit")).first).to_be_visible()
    expect(staff_page.locator("[data-calendar-fallback]")).to_be_hidden()
    assert_accessible(staff_page)
    staff_page.goto(f"{calendar_url}?view=week&date={first_visit.isoformat()}")
    expect(
        staff_page.locator("[data-calendar-grid]").get_by_role(
            "link", name=re.compile("Weekly home visit")
        )
    ).to_have_count(1)
    assert_accessible(staff_page)

    # The family member's agenda shows it without a reload, and says so politely.
    expect(family_page.get_by_role("link", name="Weekly home visit", exact=True)).to_have_count(
        4, timeout=LIVE_TIMEOUT_MS
    )
    announcer = family_page.locator("[data-calendar-live-announcer]")
    expect(announcer).to_have_text("Added to the calendar: Weekly home visit")
    expect(announcer).to_have_attribute("aria-live", "polite")
    assert family_page.evaluate("window.stillTheSamePage") is True
    assert_accessible(family_page)

    # The practitioner watches the task board while the family member signs up for a task.
    staff_page.goto(f"/networks/{network.pk}/tasks/")
    expect(staff_page.locator("[data-calendar-live-state]")).to_have_text(
        "on", timeout=LIVE_TIMEOUT_MS
    )
    assert_accessible(staff_page)
    family_page.get_by_role("navigation", name="Sections of this record").get_by_role(
        "link", name="Tasks"
    ).click()
    expect(family_page.get_by_role("heading", level=1)).to_have_text("Tasks")
    assert_accessible(family_page)
    family_page.get_by_role("button", name="Sign up for Collect the prescription").click()
    expect(family_page.locator(".govuk-notification-banner--success")).to_contain_text(
        "You signed up for 'Collect the prescription'"
    )
    expect(family_page.get_by_text("You signed up for this")).to_be_visible()
    assert CareTask.objects.get().claimed_by_id == family.pk
    assert_accessible(family_page)

    expect(staff_page.get_by_text("Grace Thompson signed up for this")).to_be_visible(
        timeout=LIVE_TIMEOUT_MS
    )
    expect(staff_page.locator("[data-calendar-live-announcer]")).to_have_text(
        "Grace Thompson signed up for Collect the prescription"
    )
    assert_accessible(staff_page)

    for page in (staff_page, family_page):
        assert page.script_errors == []  # type: ignore[attr-defined]


def test_the_server_drawn_month_and_week_and_the_task_board_work_without_the_library(
    open_page: Callable[[], Page],
    browser: Browser,
    asgi_server: str,
    assert_accessible: Accessible,
) -> None:
    agency = AgencyFactory.create()
    practitioner = staff_create(agency=agency)
    network = network_create(coordinator=practitioner, agency=agency, given_name="Ava")
    family = UserFactory.create(display_name="Grace Thompson")
    member_add(network, kind=MemberKind.FAMILY, user=family, relationship="Daughter")
    first_visit = timezone.localdate() + datetime.timedelta(days=2)
    event_create(
        network=network,
        viewer=viewer(network, practitioner),
        created_by=practitioner,
        title="Weekly home visit",
        kind="home_visit",
        start=datetime.datetime.combine(first_visit, datetime.time(10)),
        end=datetime.datetime.combine(first_visit, datetime.time(11)),
        rrule="FREQ=WEEKLY",
    )
    task_create(
        network=network,
        viewer=viewer(network, practitioner),
        created_by=practitioner,
        title="Collect the prescription",
        due_at=datetime.datetime.combine(first_visit, datetime.time(17)),
    )
    calendar_url = f"/networks/{network.pk}/calendar/"

    # Where the calendar library cannot load, the server's tables stay, and are accessible.
    page = open_page()
    page.route("**/fullcalendar.mjs", lambda route: route.abort())
    sign_in_with_password(page, family.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your networks")
    page.goto(f"{calendar_url}?view=month&date={first_visit.isoformat()}")
    month = page.get_by_role("table", name=re.compile("week by week"))
    expect(month.get_by_role("columnheader", name="Monday")).to_be_visible()
    expect(month.get_by_role("link", name=re.compile("Weekly home visit")).first).to_be_visible()
    expect(page.locator("[data-calendar-grid]")).to_be_hidden()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Next month")).click()
    expect(page).to_have_url(re.compile(r"view=month&date="))
    assert_accessible(page)
    page.goto(f"{calendar_url}?view=week&date={first_visit.isoformat()}")
    row = page.get_by_role("row", name=re.compile(first_visit.strftime("%A %-d %B")))
    expect(row).to_contain_text("10:00 to 11:00")
    assert_accessible(page)

    # The reminder settings and the feed address, with its Copy button.
    page.goto("/calendar/settings/")
    assert_accessible(page)
    page.get_by_role("button", name="Make a feed address").click()
    expect(page.get_by_label("Your feed address")).to_have_value(
        re.compile(r"/calendar/feeds/.+\.ics$")
    )
    expect(page.get_by_role("button", name="Copy address")).to_be_visible()
    assert_accessible(page)

    # With no JavaScript at all, the same pages work, and a task is claimed.
    plain_context = browser.new_context(
        base_url=asgi_server,
        java_script_enabled=False,
        storage_state=page.context.storage_state(),
        viewport={"width": 390, "height": 844},
    )
    plain = plain_context.new_page()
    plain.goto(f"{calendar_url}?view=month&date={first_visit.isoformat()}")
    expect(
        plain.get_by_role("table").get_by_role("link", name=re.compile("Weekly home visit")).first
    ).to_be_visible()
    plain.goto(calendar_url)
    expect(plain.locator("[data-calendar-live-status]")).to_be_hidden()
    expect(plain.get_by_role("link", name="Weekly home visit", exact=True)).to_have_count(4)
    plain.goto(f"/networks/{network.pk}/tasks/")
    plain.get_by_role("button", name="Sign up for Collect the prescription").click()
    expect(plain.get_by_text("You signed up for this")).to_be_visible()
    plain_context.close()
