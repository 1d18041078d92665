"""iCalendar feeds: only what the member may see, from networks they are in, RFC 5545 that
calendar apps read and expand to the right instants, and a revoked address that is gone."""

from __future__ import annotations

import datetime

import icalendar
import pytest
import recurring_ical_events
from django.test import Client

from accounts.models import User
from calendars.feeds import component_ics, event_components
from calendars.models import CalendarEvent, EventKind
from calendars.services.events import event_occurrence_cancel, event_occurrence_update
from calendars.services.feed_tokens import feed_token_create, feed_token_revoke, feed_token_rotate
from caregraph.models import MemberKind, MembershipStatus, Visibility
from caregraph.services.networks import membership_end
from tests.calendars.conftest import Circle, add_event, utc
from tests.factories import UserFactory, totp_enrol
from tests.networks import member_add, network_create, viewer

pytestmark = pytest.mark.django_db

CASE_CONFERENCE = "Initial child protection conference"


def _feed(token: str) -> bytes:
    response = Client().get(f"/calendar/feeds/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response.content


def _summaries(body: bytes) -> set[str]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(component["SUMMARY"]) for component in calendar.walk("VEVENT")}


def _case_conference(circle: Circle) -> None:
    add_event(
        circle.network,
        circle.coordinator,
        title=CASE_CONFERENCE,
        kind=EventKind.CASE_CONFERENCE,
        visibility=Visibility.PROFESSIONALS,
    )


def test_a_family_feed_never_holds_a_professionals_only_event(circle: Circle) -> None:
    add_event(circle.network, circle.coordinator, title="Home visit")
    _case_conference(circle)

    family_feed = _feed(feed_token_create(user=circle.family))
    professional_feed = _feed(feed_token_create(user=circle.professional))

    assert _summaries(family_feed) == {"Home visit"}
    assert CASE_CONFERENCE.encode() not in family_feed
    assert _summaries(professional_feed) == {"Home visit", CASE_CONFERENCE}


def test_a_feed_holds_nothing_from_a_network_the_member_has_left(circle: Circle) -> None:
    other = network_create(given_name="Sam", family_name="Jones")
    membership = member_add(other, kind=MemberKind.FAMILY, user=circle.family)
    add_event(circle.network, circle.coordinator, title="Visit in the first network")
    add_event(other, membership.user, title="Visit in the second network")
    token = feed_token_create(user=circle.family)
    assert _summaries(_feed(token)) == {"Visit in the first network", "Visit in the second network"}

    membership_end(
        membership=membership, ended_by=circle.family, viewer=viewer(other, circle.family)
    )

    body = _feed(token)
    assert _summaries(body) == {"Visit in the first network"}
    assert b"second network" not in body


def test_a_feed_spans_all_the_members_networks(circle: Circle) -> None:
    other = network_create(coordinator=circle.coordinator, agency=circle.agency)
    add_event(circle.network, circle.coordinator, title="First")
    add_event(other, circle.coordinator, title="Second")

    assert _summaries(_feed(feed_token_create(user=circle.coordinator))) == {"First", "Second"}


def test_a_feed_never_holds_concerns_or_notes(circle: Circle) -> None:
    from concerns.services import concern_raise

    concern_raise(
        network=circle.network,
        viewer=viewer(circle.network, circle.coordinator),
        raised_by=circle.coordinator,
        category="neglect",
        severity="high",
        description="Unwashed clothes three days running",
        visibility=Visibility.NETWORK,
    )
    add_event(circle.network, circle.coordinator, notes="Ask about the unwashed clothes")

    body = _feed(feed_token_create(user=circle.coordinator))

    assert b"nwashed" not in body
    assert _summaries(body) == {"Home visit"}


def test_a_revoked_or_replaced_or_unknown_address_answers_404(circle: Circle) -> None:
    revoked = feed_token_create(user=circle.family)
    feed_token_revoke(user=circle.family)
    replaced = feed_token_create(user=circle.family)
    current = feed_token_rotate(user=circle.family)
    client = Client()

    for token in (revoked, replaced, "not-a-token"):
        assert client.get(f"/calendar/feeds/{token}.ics").status_code == 404
    assert client.get(f"/calendar/feeds/{current}.ics").status_code == 200


def test_a_deactivated_account_has_no_feed(circle: Circle) -> None:
    token = feed_token_create(user=circle.family)
    User.objects.filter(pk=circle.family.pk).update(is_active=False)

    assert Client().get(f"/calendar/feeds/{token}.ics").status_code == 404


def test_calendar_apps_expand_a_series_to_the_right_instants_across_the_clock_change(
    circle: Circle,
) -> None:
    event = add_event(
        circle.network,
        circle.coordinator,
        start=datetime.datetime(2026, 10, 12, 10, 0),
        end=datetime.datetime(2026, 10, 12, 11, 0),
        rrule="FREQ=WEEKLY;UNTIL=20270405T235959Z",
    )
    coordinator = viewer(circle.network, circle.coordinator)
    event_occurrence_cancel(
        event=event,
        viewer=coordinator,
        cancelled_by=circle.coordinator,
        occurrence=datetime.datetime(2026, 11, 9, 10, 0),
    )
    event_occurrence_update(
        event=event,
        viewer=coordinator,
        updated_by=circle.coordinator,
        occurrence=datetime.datetime(2026, 11, 2, 10, 0),
        start=datetime.datetime(2026, 11, 3, 15, 0),
        title="Moved visit",
    )

    calendar = icalendar.Calendar.from_ical(_feed(feed_token_create(user=circle.family)))
    autumn = recurring_ical_events.of(calendar).between(utc(2026, 10, 12), utc(2026, 11, 17))
    spring = recurring_ical_events.of(calendar).between(utc(2027, 3, 20), utc(2027, 4, 10))

    def instants(components):  # type: ignore[no-untyped-def]
        return [
            (component["DTSTART"].dt.astimezone(datetime.UTC), str(component["SUMMARY"]))
            for component in sorted(components, key=lambda c: c["DTSTART"].dt)
        ]

    assert instants(autumn) == [
        (utc(2026, 10, 12, 9), "Home visit"),
        (utc(2026, 10, 19, 9), "Home visit"),
        (utc(2026, 10, 26, 10), "Home visit"),
        (utc(2026, 11, 3, 15), "Moved visit"),
        (utc(2026, 11, 16, 10), "Home visit"),
    ]
    assert instants(spring) == [
        (utc(2027, 3, 22, 10), "Home visit"),
        (utc(2027, 3, 29, 9), "Home visit"),
        (utc(2027, 4, 5, 9), "Home visit"),
    ]
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/London"


def test_lines_are_folded_and_text_is_escaped(circle: Circle) -> None:
    title = "Lift to the hospital, then lunch; bring the blue bag\nand the repeat prescription"
    location = "Royal Victoria Infirmary, Queen Victoria Road, Newcastle upon Tyne NE1 4LP"
    add_event(circle.network, circle.family, title=title, location=location)

    body = _feed(feed_token_create(user=circle.family))

    lines = body.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines), "long lines are folded"
    unfolded = body.replace(b"\r\n ", b"")
    assert b"SUMMARY:Lift to the hospital\\, then lunch\\; bring the blue bag\\nand" in unfolded
    [component] = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(component["SUMMARY"]) == title
    assert str(component["LOCATION"]) == location


def test_events_are_written_exactly_as_the_library_writes_them(circle: Circle) -> None:
    # Lines of every length around the fold, escapes and multi-byte characters at it.
    for length in range(40, 60):
        add_event(
            circle.network,
            circle.coordinator,
            title=("Café; visit, " * 9)[:length] + "é\\,",
            location="Ward 3" + "é" * (length - 30),
            rrule="FREQ=WEEKLY;COUNT=3" if length % 2 else "",
        )
    components = [
        component
        for event in CalendarEvent.objects.filter(network=circle.network)
        for component in event_components(event)
    ]
    assert [component_ics(each) for each in components] == [each.to_ical() for each in components]


def test_an_all_day_event_is_a_date_in_the_feed(circle: Circle) -> None:
    add_event(
        circle.network,
        circle.family,
        title="Respite weekend",
        start=datetime.date(2026, 12, 12),
        end=datetime.date(2026, 12, 13),
        all_day=True,
    )

    body = _feed(feed_token_create(user=circle.family))

    assert b"DTSTART;VALUE=DATE:20261212" in body
    assert b"DTEND;VALUE=DATE:20261214" in body


def test_one_event_downloads_as_ics_for_those_who_may_see_it(circle: Circle) -> None:
    visit = add_event(circle.network, circle.coordinator, title="Home visit")
    _case_conference(circle)
    conference = CalendarEvent.objects.get(title=CASE_CONFERENCE)
    stranger = UserFactory.create()
    client = Client()

    assert client.get(f"/calendar/events/{visit.pk}.ics").status_code == 302  # sign in first
    client.force_login(circle.family)
    response = client.get(f"/calendar/events/{visit.pk}.ics")
    assert response.status_code == 200
    assert _summaries(response.content) == {"Home visit"}
    assert client.get(f"/calendar/events/{conference.pk}.ics").status_code == 404
    client.force_login(stranger)
    assert client.get(f"/calendar/events/{visit.pk}.ics").status_code == 404
    totp_enrol(circle.professional)
    client.force_login(circle.professional)
    assert client.get(f"/calendar/events/{conference.pk}.ics").status_code == 200


def test_a_left_member_cannot_download_an_event_either(circle: Circle) -> None:
    visit = add_event(circle.network, circle.coordinator)
    membership = circle.network.memberships.get(user=circle.family, status=MembershipStatus.ACTIVE)
    membership_end(
        membership=membership, ended_by=circle.family, viewer=viewer(circle.network, circle.family)
    )
    client = Client()
    client.force_login(circle.family)

    assert client.get(f"/calendar/events/{visit.pk}.ics").status_code == 404


def test_fetching_a_feed_is_in_the_persons_audit_trail(circle: Circle) -> None:
    from caregraph.models import AuditEvent

    add_event(circle.network, circle.coordinator)
    _feed(feed_token_create(user=circle.family))

    audited = AuditEvent.objects.filter(object_type="calendar_feed", network=circle.network)
    assert list(audited.values_list("actor_id", "channel")) == [(circle.family.pk, "feed")]


def test_a_calendar_app_polling_an_unchanged_feed_is_told_not_modified(circle: Circle) -> None:
    add_event(circle.network, circle.coordinator)
    token = feed_token_create(user=circle.family)
    client = Client()
    first = client.get(f"/calendar/feeds/{token}.ics")

    unchanged = client.get(f"/calendar/feeds/{token}.ics", HTTP_IF_NONE_MATCH=first["ETag"])
    add_event(circle.network, circle.coordinator, title="Something new")
    changed = client.get(f"/calendar/feeds/{token}.ics", HTTP_IF_NONE_MATCH=first["ETag"])

    assert unchanged.status_code == 304
    assert changed.status_code == 200
    assert b"Something new" in changed.content
    assert "no-cache" in first["Cache-Control"] and "private" in first["Cache-Control"]


def test_a_changed_event_is_never_served_from_an_old_copy(circle: Circle) -> None:
    event = add_event(circle.network, circle.coordinator, title="Home visit")
    token = feed_token_create(user=circle.family)
    assert _summaries(_feed(token)) == {"Home visit"}

    from calendars.services.events import event_update

    event_update(
        event=event,
        viewer=viewer(circle.network, circle.coordinator),
        updated_by=circle.coordinator,
        title="Home visit, now at the family centre",
        kind=event.kind,
        start=event.start,
        end=event.end,
        all_day=False,
        timezone_name=event.timezone,
        location="Family centre",
        notes="",
        visibility=Visibility.NETWORK,
        rrule="",
    )

    body = _feed(token)
    assert _summaries(body) == {"Home visit, now at the family centre"}
    assert b"Family centre" in body


def test_an_event_narrowed_to_professionals_leaves_the_family_feed(circle: Circle) -> None:
    event = add_event(circle.network, circle.coordinator, title="Strategy meeting")
    token = feed_token_create(user=circle.family)
    assert _summaries(_feed(token)) == {"Strategy meeting"}

    from calendars.services.events import event_update

    event_update(
        event=event,
        viewer=viewer(circle.network, circle.coordinator),
        updated_by=circle.coordinator,
        title=event.title,
        kind=event.kind,
        start=event.start,
        end=event.end,
        all_day=False,
        timezone_name=event.timezone,
        location="",
        notes="",
        visibility=Visibility.PROFESSIONALS,
        rrule="",
    )

    assert b"Strategy meeting" not in _feed(token)
