"""The calendar pages as people use them, without JavaScript: who sees what, adding and
changing events and series, answering and inviting, the task board, reminders and the feed
address, the no-contact notice on the overview, and query counts that do not grow.
"""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import StaffRole
from calendars.models import (
    AttendanceResponse,
    CalendarEvent,
    CalendarFeedToken,
    CareTask,
    EventAttendance,
    EventKind,
    EventStatus,
    ReminderPreference,
    TaskOutcome,
)
from calendars.services.events import event_occurrence_update
from calendars.services.tasks import task_create
from caregraph.models import MemberKind, Network, Visibility
from tests.calendars.conftest import Circle, add_event
from tests.factories import staff_create, totp_enrol
from tests.frontend.conftest import error_summary, signed_in, text
from tests.networks import member_add, network_create, viewer

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _staff_have_authenticators(circle: Circle) -> None:
    # Staff must set up an authenticator app before they see any page.
    totp_enrol(circle.coordinator)
    totp_enrol(circle.professional)


def _day(days_ahead: int) -> datetime.date:
    return timezone.localdate() + days_ahead * ONE_DAY


def _at(days_ahead: int, hour: int = 10) -> datetime.datetime:
    """A naive London wall-clock time, as typed into a form."""
    return datetime.datetime.combine(_day(days_ahead), datetime.time(hour))


def _url(circle: Circle, rest: str = "") -> str:
    return f"/networks/{circle.network.pk}/{rest}"


def _event_form(day: datetime.date, **changes: str) -> dict[str, str]:
    return {
        "title": "Weekly home visit",
        "kind": EventKind.HOME_VISIT,
        "start_date_day": str(day.day),
        "start_date_month": str(day.month),
        "start_date_year": str(day.year),
        "start_time": "10:00",
        "end_time": "11:00",
        "location": "Ava's flat",
        "notes": "",
        "visibility": Visibility.NETWORK,
        "repeat": "none",
        **changes,
    }


def _listed(response: Any, title: str) -> int:
    """How many times a title is listed as a link: once for each occurrence shown."""
    return response.content.decode().count(f">{title}</a>")


def _value(response: Any, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', response.content.decode())
    assert found, f"no field {name}"
    return html.unescape(found.group(1))


# --- Who sees what --------------------------------------------------------------------------


def test_family_never_see_a_professionals_only_event_anywhere(circle: Circle) -> None:
    shared = add_event(
        circle.network, circle.coordinator, title="Review at home", start=_at(2), end=_at(2, 11)
    )
    hidden = add_event(
        circle.network,
        circle.coordinator,
        title="Strategy discussion",
        kind=EventKind.CASE_CONFERENCE,
        start=_at(3),
        end=_at(3, 11),
        visibility=Visibility.PROFESSIONALS,
    )
    family, professional = signed_in(circle.family), signed_in(circle.professional)
    month = f"calendar/?view=month&date={_day(3).isoformat()}"
    week = f"calendar/?view=week&date={_day(3).isoformat()}"
    json_url = f"calendar/occurrences.json?start={_day(0)}&end={_day(10)}"

    for page in ("calendar/", month, week):
        assert "Review at home" in text(family.get(_url(circle, page)))
        assert "Strategy discussion" not in text(family.get(_url(circle, page)))
        assert "Strategy discussion" in text(professional.get(_url(circle, page)))
    titles = [each["title"] for each in family.get(_url(circle, json_url)).json()]
    assert titles == ["Review at home"]
    assert family.get(_url(circle, f"calendar/events/{hidden.pk}/")).status_code == 404
    assert family.get(f"/calendar/events/{hidden.pk}.ics").status_code == 404
    assert family.get(_url(circle, f"calendar/events/{shared.pk}/")).status_code == 200
    assert "Strategy discussion" not in text(family.get(_url(circle)))
    assert "Strategy discussion" in text(professional.get(_url(circle)))


def test_someone_outside_the_network_finds_none_of_its_calendar(circle: Circle) -> None:
    event = add_event(circle.network, circle.coordinator, start=_at(2), end=_at(2, 11))
    task = task_create(
        network=circle.network,
        viewer=viewer(circle.network, circle.coordinator),
        created_by=circle.coordinator,
        title="Collect the prescription",
        due_at=_at(3, 17),
    )
    outsider = staff_create()
    totp_enrol(outsider)
    client = signed_in(outsider)
    for page in (
        "calendar/",
        "calendar/?view=month",
        "calendar/?view=week",
        f"calendar/occurrences.json?start={_day(0)}&end={_day(7)}",
        "calendar/new/",
        f"calendar/events/{event.pk}/",
        f"calendar/events/{event.pk}/edit/",
        "tasks/",
        "tasks/new/",
    ):
        assert client.get(_url(circle, page)).status_code == 404, page
    assert client.post(_url(circle, f"tasks/{task.pk}/claim/")).status_code == 404
    assert CareTask.objects.get().claimed_by is None
    assert Client().get(_url(circle, "calendar/")).status_code == 302  # to sign in


def test_a_reviewing_safeguarding_lead_reads_the_calendar_but_adds_nothing(circle: Circle) -> None:
    add_event(circle.network, circle.coordinator, title="Core group", start=_at(2), end=_at(2, 11))
    lead = staff_create(agency=circle.agency, role=StaffRole.SAFEGUARDING_LEAD)
    totp_enrol(lead)
    client = signed_in(lead)

    page = text(client.get(_url(circle, "calendar/")))
    assert "Core group" in page
    assert "Add to the calendar" not in page
    assert client.get(_url(circle, "calendar/new/")).status_code == 404
    assert client.get(_url(circle, "tasks/new/")).status_code == 404


# --- Adding and changing --------------------------------------------------------------------


def test_a_weekly_visit_added_through_the_form_repeats_in_the_agenda(circle: Circle) -> None:
    client = signed_in(circle.coordinator)
    first = _day(1)
    until = _day(15)
    response = client.post(
        _url(circle, "calendar/new/"),
        _event_form(
            first,
            repeat="weekly",
            repeat_until_day=str(until.day),
            repeat_until_month=str(until.month),
            repeat_until_year=str(until.year),
        ),
    )

    event = CalendarEvent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(circle, f"calendar/events/{event.pk}/")
    assert event.rrule.startswith("FREQ=WEEKLY;UNTIL=")
    assert event.organiser == circle.coordinator
    page = text(client.get(response["Location"]))
    assert "Weekly home visit" in page
    assert f"Every week, until {until:%-d %B %Y}" in page
    agenda = client.get(_url(circle, "calendar/"))
    assert _listed(agenda, "Weekly home visit") == 3  # days 1, 8 and 15
    assert "10:00 to 11:00" in text(agenda)
    assert f"/calendar/events/{event.pk}.ics" in agenda.content.decode()
    # The family member sees it too: it is shared with everyone.
    assert (
        _listed(signed_in(circle.family).get(_url(circle, "calendar/")), "Weekly home visit") == 3
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_time": "09:30"}, "end_time", "The end time must be after the start time"),
        ({"start_time": "25:00"}, "start_time", "Enter the start time like 14:30 or 2:30pm"),
        ({"start_time": ""}, "start_time", "Enter the start time, or choose all day"),
        ({"title": ""}, "title", "Enter a title"),
        (
            {"rrule": "FREQ=HOURLY"},
            "rrule",
            "An event can repeat daily, weekly, monthly or yearly",
        ),
        ({"rrule": "FREQ=WEEKLY;BYDAY=XX"}, "rrule", "BYDAY: 'XX' is not a day"),
        (
            {"repeat_until_day": "1", "repeat_until_month": "1", "repeat_until_year": "2020"},
            "repeat_until",
            "Choose how often it repeats, or leave Repeat until empty",
        ),
    ],
)
def test_a_wrong_event_names_the_field_keeps_what_was_typed_and_saves_nothing(
    circle: Circle, changes: dict[str, str], field: str, message: str
) -> None:
    response = signed_in(circle.coordinator).post(
        _url(circle, "calendar/new/"), _event_form(_day(2), **changes)
    )

    assert response.status_code == 200
    assert message in error_summary(response)
    assert f'href="#id_{field}' in response.content.decode()
    assert f'id="id_{field}-error"' in response.content.decode()
    assert _value(response, "location") == "Ava's flat"
    assert CalendarEvent.objects.count() == 0


def test_a_time_the_clocks_skip_in_spring_is_refused_beside_the_start(circle: Circle) -> None:
    response = signed_in(circle.coordinator).post(
        _url(circle, "calendar/new/"),
        _event_form(
            datetime.date(2027, 3, 28), start_time="01:30", end_time="03:00", repeat="weekly"
        ),
    )

    assert response.status_code == 200
    assert "01:30 on 28 March 2027 does not exist in Europe/London time" in error_summary(response)
    assert 'href="#id_start_time"' in response.content.decode()
    assert _value(response, "start_time") == "01:30"
    assert CalendarEvent.objects.count() == 0


def test_family_share_with_everyone_and_have_no_repeat_rule_to_type(circle: Circle) -> None:
    client = signed_in(circle.family)
    form = client.get(_url(circle, "calendar/new/"))
    assert 'name="rrule"' not in form.content.decode()
    assert "Everyone in Alex's network" in text(form)

    refused = client.post(
        _url(circle, "calendar/new/"), _event_form(_day(2), visibility=Visibility.PROFESSIONALS)
    )
    assert "Select who can see this event" in error_summary(refused)
    assert CalendarEvent.objects.count() == 0

    client.post(_url(circle, "calendar/new/"), _event_form(_day(2), rrule="FREQ=DAILY"))
    event = CalendarEvent.objects.get()
    assert event.visibility == Visibility.NETWORK
    assert event.rrule == ""


def test_changing_the_series_and_one_occurrence_and_cancelling_one_then_all(circle: Circle) -> None:
    event = add_event(
        circle.network,
        circle.coordinator,
        start=_at(1),
        end=_at(1, 11),
        rrule="FREQ=WEEKLY;COUNT=4",
    )
    client = signed_in(circle.coordinator)
    agenda = _url(circle, "calendar/")
    keys = re.findall(r"/occurrences/(\d{8}T\d{6}Z)/", client.get(agenda).content.decode())
    assert len(keys) == 4

    # The whole series: the form starts with what is stored, and keeps the length when moved.
    edit = client.get(_url(circle, f"calendar/events/{event.pk}/edit/"))
    assert _value(edit, "title") == "Home visit"
    assert _value(edit, "start_time") == "10:00"
    client.post(
        _url(circle, f"calendar/events/{event.pk}/edit/"),
        _event_form(
            _day(1),
            title="Tuesday visit",
            start_time="14:00",
            end_time="15:00",
            rrule="FREQ=WEEKLY;COUNT=4",
        ),
    )
    event.refresh_from_db()
    assert event.title == "Tuesday visit"
    assert event.rrule == "FREQ=WEEKLY;COUNT=4"
    assert "Every week, 4 times in all" in text(
        client.get(_url(circle, f"calendar/events/{event.pk}/"))
    )
    assert text(client.get(agenda)).count("14:00 to 15:00") == 4

    # One occurrence, reached from the agenda: moved to the afternoon after, the rest stay.
    keys = re.findall(r"/occurrences/(\d{8}T\d{6}Z)/", client.get(agenda).content.decode())
    second = keys[1]
    one = _url(circle, f"calendar/events/{event.pk}/occurrences/{second}/")
    assert "Change this occurrence only" in text(client.get(one))
    moved = client.post(
        f"{one}edit/",
        {
            "title": "Tuesday visit",
            "start_date_day": str(_day(8).day),
            "start_date_month": str(_day(8).month),
            "start_date_year": str(_day(8).year),
            "start_time": "16:00",
            "end_time": "17:30",
            "location": "GP surgery",
            "notes": "",
        },
    )
    assert moved.status_code == 302
    page = text(client.get(agenda))
    assert page.count("14:00 to 15:00") == 3
    assert "16:00 to 17:30" in page
    assert "GP surgery" in page
    assert "Changed for this day only" in text(client.get(one))

    # A wrong time on one occurrence names the field and changes nothing.
    wrong = client.post(
        f"{one}edit/",
        {
            "title": "Tuesday visit",
            "start_date_day": str(_day(8).day),
            "start_date_month": str(_day(8).month),
            "start_date_year": str(_day(8).year),
            "start_time": "16:00",
            "end_time": "15:00",
            "location": "",
            "notes": "",
        },
    )
    assert "The end time must be after the start time" in error_summary(wrong)

    # Cancel the first occurrence only, then the whole series.
    assert "Cancel" in text(
        client.get(_url(circle, f"calendar/events/{event.pk}/occurrences/{keys[0]}/cancel/"))
    )
    client.post(_url(circle, f"calendar/events/{event.pk}/occurrences/{keys[0]}/cancel/"))
    assert _listed(client.get(agenda), "Tuesday visit") == 3
    assert (
        client.get(_url(circle, f"calendar/events/{event.pk}/occurrences/{keys[0]}/")).status_code
        == 404
    )
    client.post(_url(circle, f"calendar/events/{event.pk}/cancel/"))
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    assert _listed(client.get(agenda), "Tuesday visit") == 0


def test_only_the_organiser_or_a_coordinator_is_offered_changes(circle: Circle) -> None:
    event = add_event(circle.network, circle.professional, start=_at(2), end=_at(2, 11))
    family = signed_in(circle.family)
    page = text(family.get(_url(circle, f"calendar/events/{event.pk}/")))
    assert "Change this event" not in page
    assert "Are you going?" in page
    assert family.get(_url(circle, f"calendar/events/{event.pk}/edit/")).status_code == 404
    assert family.post(_url(circle, f"calendar/events/{event.pk}/cancel/")).status_code == 404
    assert CalendarEvent.objects.get().status == EventStatus.CONFIRMED
    # The coordinator may, though someone else organised it.
    assert "Change this event" in text(
        signed_in(circle.coordinator).get(_url(circle, f"calendar/events/{event.pk}/"))
    )


# --- Attendance -----------------------------------------------------------------------------


def test_the_organiser_invites_members_and_sees_who_is_coming(circle: Circle) -> None:
    event = add_event(circle.network, circle.coordinator, start=_at(2), end=_at(2, 11))
    organiser, family = signed_in(circle.coordinator), signed_in(circle.family)
    detail = _url(circle, f"calendar/events/{event.pk}/")

    invite = organiser.post(f"{detail}invite/", {"user_ids": [str(circle.family.pk)]})
    assert invite.status_code == 302
    assert (
        EventAttendance.objects.get(event=event, user=circle.family).response
        == AttendanceResponse.INVITED
    )
    assert "1 going, 0 maybe, 0 not going, 1 not answered yet" in text(organiser.get(detail))

    nobody = organiser.post(f"{detail}invite/", {})
    assert "Select at least one person to invite" in error_summary(nobody)
    assert (
        family.post(f"{detail}invite/", {"user_ids": [str(circle.professional.pk)]}).status_code
        == 404
    )

    answered = family.post(f"{detail}attendance/", {"response": AttendanceResponse.MAYBE})
    assert answered.status_code == 302
    page = text(organiser.get(detail))
    assert "1 going, 1 maybe, 0 not going" in page
    assert f"{circle.family} Maybe" in page
    assert "1 going, 1 maybe" in text(organiser.get(_url(circle, "calendar/")))
    assert "You: maybe" in text(family.get(_url(circle, "calendar/")))

    wrong = family.post(f"{detail}attendance/", {"response": "perhaps"})
    assert "Select whether you are going" in error_summary(wrong)


def test_only_people_who_may_see_an_event_can_be_invited_to_it(circle: Circle) -> None:
    event = add_event(
        circle.network,
        circle.coordinator,
        start=_at(2),
        end=_at(2, 11),
        visibility=Visibility.PROFESSIONALS,
    )
    client = signed_in(circle.coordinator)
    page = client.get(_url(circle, f"calendar/events/{event.pk}/")).content.decode()
    assert f'value="{circle.professional.pk}"' in page
    assert f'value="{circle.family.pk}"' not in page
    refused = client.post(
        _url(circle, f"calendar/events/{event.pk}/invite/"), {"user_ids": [str(circle.family.pk)]}
    )
    assert "Select people from the list" in error_summary(refused)
    assert not EventAttendance.objects.filter(user=circle.family).exists()


# --- The task board -------------------------------------------------------------------------


def _task(circle: Circle, title: str = "Collect the prescription") -> CareTask:
    return task_create(
        network=circle.network,
        viewer=viewer(circle.network, circle.coordinator),
        created_by=circle.coordinator,
        title=title,
        due_at=_at(3, 17),
    )


def test_members_claim_release_and_settle_tasks_on_the_board(circle: Circle) -> None:
    task = _task(circle)
    family, professional = signed_in(circle.family), signed_in(circle.professional)
    board = _url(circle, "tasks/")
    assert "Sign up for Collect the prescription" in text(family.get(board))

    claimed = family.post(_url(circle, f"tasks/{task.pk}/claim/"))
    assert claimed["Location"] == board
    page = text(family.get(board))
    assert "You signed up for 'Collect the prescription'" in page
    assert "You signed up for this" in page
    assert "Give back" in page
    assert f"{circle.family} signed up for this" in text(professional.get(board))
    assert "Sign up for Collect the prescription" not in text(professional.get(board))

    # Someone else who tries anyway is told, and nothing changes.
    professional.post(_url(circle, f"tasks/{task.pk}/claim/"))
    assert "Someone else has already signed up" in text(professional.get(board))
    assert CareTask.objects.get().claimed_by == circle.family
    # Nor may they give it back or mark it for the family member.
    assert professional.post(_url(circle, f"tasks/{task.pk}/release/")).status_code == 404

    family.post(_url(circle, f"tasks/{task.pk}/release/"))
    assert CareTask.objects.get().claimed_by is None
    family.post(_url(circle, f"tasks/{task.pk}/claim/"))
    family.post(_url(circle, f"tasks/{task.pk}/complete/"), {"outcome": TaskOutcome.DONE})
    settled = CareTask.objects.get()
    assert settled.outcome == TaskOutcome.DONE
    assert "Finished in the last 2 weeks" in text(family.get(board))


def test_a_task_added_through_the_form_and_a_wrong_one(circle: Circle) -> None:
    client = signed_in(circle.family)
    day = _day(4)
    typed = {
        "title": "A lift to the hospital",
        "due_date_day": str(day.day),
        "due_date_month": str(day.month),
        "due_date_year": str(day.year),
        "due_time": "",
        "notes": "",
        "visibility": Visibility.NETWORK,
    }
    wrong = client.post(_url(circle, "tasks/new/"), typed)
    assert "Enter the time it is due" in error_summary(wrong)
    assert _value(wrong, "title") == "A lift to the hospital"
    assert CareTask.objects.count() == 0

    client.post(_url(circle, "tasks/new/"), {**typed, "due_time": "2pm"})
    task = CareTask.objects.get()
    assert timezone.localtime(task.due_at).time() == datetime.time(14, 0)
    assert "A lift to the hospital" in text(
        signed_in(circle.coordinator).get(_url(circle, "tasks/"))
    )


# --- Reminders and the feed address ---------------------------------------------------------


def test_reminder_settings_are_saved_and_a_text_needs_a_mobile_number(circle: Circle) -> None:
    client = signed_in(circle.family)
    assert "You are reminded by e-mail, 1 day before." in text(client.get("/calendar/settings/"))

    client.post("/calendar/settings/", {"channel": "email", "minutes_before": "60"})
    assert list(ReminderPreference.objects.values_list("channel", "minutes_before")) == [
        ("email", 60)
    ]
    assert "You are reminded by e-mail, 1 hour before." in text(client.get("/calendar/settings/"))

    refused = client.post("/calendar/settings/", {"channel": "sms", "minutes_before": "60"})
    assert "Add your mobile number and confirm it with the code we text you" in error_summary(
        refused
    )
    assert list(ReminderPreference.objects.values_list("channel", "minutes_before")) == [
        ("email", 60)
    ]

    client.post("/calendar/settings/", {"channel": "none"})
    assert "You have turned reminders off." in text(client.get("/calendar/settings/"))


def test_the_feed_address_is_shown_once_and_stops_working_when_replaced_or_turned_off(
    circle: Circle,
) -> None:
    add_event(
        circle.network, circle.coordinator, title="Review at home", start=_at(2), end=_at(2, 11)
    )
    client = signed_in(circle.family)
    assert "You do not have a feed address." in text(client.get("/calendar/settings/"))

    client.post("/calendar/settings/feed/", {"action": "create"})
    shown = client.get("/calendar/settings/")
    address = re.search(r'id="feed-url"[^>]*value="([^"]+)"', shown.content.decode())
    assert address is not None
    path = "/" + address.group(1).split("/", 3)[3]
    assert path.startswith("/calendar/feeds/") and path.endswith(".ics")
    assert "Review at home" in Client().get(path).content.decode()
    # Shown once only: the page now says there is one, not what it is.
    again = client.get("/calendar/settings/").content.decode()
    assert path not in again
    assert "Make a new address" in text(client.get("/calendar/settings/"))

    client.post("/calendar/settings/feed/", {"action": "rotate"})
    assert Client().get(path).status_code == 404
    client.post("/calendar/settings/feed/", {"action": "revoke"})
    assert not CalendarFeedToken.objects.filter(
        user=circle.family, revoked_at__isnull=True
    ).exists()
    assert "You do not have a feed address." in text(client.get("/calendar/settings/"))


# --- The overview ---------------------------------------------------------------------------


def _long_established(network: Network) -> None:
    Network.objects.filter(pk=network.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=400)
    )


@override_settings(NO_CONTACT_DAYS=28)
def test_the_overview_warns_professionals_when_nobody_has_visited_and_stops_once_booked(
    circle: Circle,
) -> None:
    _long_established(circle.network)
    add_event(circle.network, circle.coordinator, start=_at(-40), end=_at(-40, 11))
    warning = "No professional visit has been held or booked for 40 days"
    professional, family = signed_in(circle.professional), signed_in(circle.family)

    assert warning in text(professional.get(_url(circle)))
    assert "No professional visit" not in text(family.get(_url(circle)))

    add_event(
        circle.network, circle.coordinator, title="Welfare visit", start=_at(5), end=_at(5, 11)
    )
    page = text(professional.get(_url(circle)))
    assert "No professional visit" not in page
    assert "Welfare visit" in page  # coming up


# --- Live refresh and the JSON address ------------------------------------------------------


def test_the_live_fragment_is_the_list_alone_and_the_json_says_what_is_wrong(
    circle: Circle,
) -> None:
    add_event(
        circle.network, circle.coordinator, title="Review at home", start=_at(2), end=_at(2, 11)
    )
    client = signed_in(circle.family)
    fragment = client.get(_url(circle, "calendar/?fragment=1")).content.decode()
    assert "Review at home" in fragment
    assert "<html" not in fragment

    wrong = client.get(_url(circle, "calendar/occurrences.json?start=2026-02-30&end=2026-01-01"))
    assert wrong.status_code == 400
    assert wrong.json() == {"errors": {"start": ["Give the first day as YYYY-MM-DD"]}}
    too_long = client.get(_url(circle, "calendar/occurrences.json?start=2026-01-01&end=2027-01-01"))
    assert too_long.json() == {"errors": {"end": ["Ask for at most 62 days at a time"]}}
    times = client.get(
        _url(circle, f"calendar/occurrences.json?start={_day(0)}&end={_day(7)}")
    ).json()
    assert times[0]["start"] == f"{_day(2).isoformat()}T10:00"
    assert times[0]["end"] == f"{_day(2).isoformat()}T11:00"


# --- Query counts ---------------------------------------------------------------------------


def _network_with_events(circle: Circle, count: int) -> None:
    """`count` events: one in three a weekly series, some with a changed occurrence."""
    standing = viewer(circle.network, circle.coordinator)
    for serial in range(count):
        day = serial % 27 + 1
        start = datetime.datetime.combine(_day(day), datetime.time(9 + serial % 8))
        event = add_event(
            circle.network,
            circle.coordinator,
            title=f"Event {serial}",
            start=start,
            end=start + datetime.timedelta(hours=1),
            rrule="FREQ=WEEKLY;COUNT=6" if serial % 3 == 0 else "",
        )
        if serial % 6 == 0:
            event_occurrence_update(
                event=event,
                viewer=standing,
                updated_by=circle.coordinator,
                occurrence=timezone.make_aware(start + datetime.timedelta(days=7)),
                title=f"Event {serial}, moved",
                start=start + datetime.timedelta(days=7, hours=1),
            )


def _queries(client: Client, url: str) -> int:
    client.get(url)  # sessions and caches warmed
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "page",
    [
        "calendar/",
        "calendar/?view=month",
        "calendar/?view=week",
        "occurrences.json",
        "",  # the overview's coming up and no-contact notice
    ],
)
def test_the_calendar_pages_cost_the_same_queries_for_10_or_200_events(page: str) -> None:
    counts = []
    for count in (10, 200):
        coordinator = staff_create()
        totp_enrol(coordinator)
        network = network_create(coordinator=coordinator)
        family = member_add(network, kind=MemberKind.FAMILY).user
        circle = Circle(
            network=network,
            agency=coordinator.staff_memberships.get().agency,
            coordinator=coordinator,
            professional=coordinator,
            family=family,
        )
        _network_with_events(circle, count)
        if page == "occurrences.json":
            url = _url(circle, f"calendar/occurrences.json?start={_day(0)}&end={_day(42)}")
        else:
            url = _url(circle, page)
        client = signed_in(circle.coordinator)
        shown = client.get(url)
        if page in ("calendar/", "occurrences.json"):
            assert shown.content.decode().count("Event ") >= count
        counts.append(_queries(client, url))
    assert counts[0] == counts[1]
