"""Events and series: the clock changes, one occurrence against the whole series, bad input,
and what each change leaves in the audit trail and the network's event log."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from calendars.models import CalendarEvent, EventException, EventKind
from calendars.selectors import event_occurrence_list_visible_to
from calendars.services.events import (
    event_cancel,
    event_occurrence_cancel,
    event_occurrence_update,
    event_update,
)
from caregraph.models import AuditEvent, NetworkEvent, NetworkEventKind, Visibility
from tests.calendars.conftest import Circle, add_event, london, utc
from tests.networks import viewer

pytestmark = pytest.mark.django_db

# Mondays from 12 October 2026 to 5 April 2027: across both clock changes.
WEEKLY_ACROSS_CLOCK_CHANGES = "FREQ=WEEKLY;UNTIL=20270405T235959Z"


def _weekly_visit(circle: Circle, **fields: object) -> CalendarEvent:
    return add_event(
        circle.network,
        circle.coordinator,
        start=datetime.datetime(2026, 10, 12, 10, 0),
        end=datetime.datetime(2026, 10, 12, 11, 0),
        rrule=WEEKLY_ACROSS_CLOCK_CHANGES,
        **fields,  # type: ignore[arg-type]
    )


def _starts(circle: Circle, user, after, before):  # type: ignore[no-untyped-def]
    occurrences = event_occurrence_list_visible_to(
        viewer=viewer(circle.network, user), after=after, before=before
    )
    return [occurrence.start for occurrence in occurrences]


# --- The clock changes ----------------------------------------------------------------------


def test_a_weekly_ten_oclock_visit_stays_at_ten_local_across_the_october_change(
    circle: Circle,
) -> None:
    _weekly_visit(circle)

    starts = _starts(circle, circle.family, utc(2026, 10, 12), utc(2026, 11, 3))

    assert starts == [
        utc(2026, 10, 12, 9, 0),  # BST: 10:00 local is 09:00 UTC
        utc(2026, 10, 19, 9, 0),
        utc(2026, 10, 26, 10, 0),  # the clocks went back on the 25th: GMT
        utc(2026, 11, 2, 10, 0),
    ]
    assert {start.astimezone(london(2026, 1, 1).tzinfo).hour for start in starts} == {10}


def test_a_weekly_ten_oclock_visit_stays_at_ten_local_across_the_march_change(
    circle: Circle,
) -> None:
    _weekly_visit(circle)

    starts = _starts(circle, circle.family, utc(2027, 3, 15), utc(2027, 4, 6))

    assert starts == [
        utc(2027, 3, 15, 10, 0),  # GMT
        utc(2027, 3, 22, 10, 0),
        utc(2027, 3, 29, 9, 0),  # the clocks went forward on the 28th: BST
        utc(2027, 4, 5, 9, 0),
    ]


def test_a_series_ends_where_its_until_says(circle: Circle) -> None:
    _weekly_visit(circle)

    assert _starts(circle, circle.family, utc(2027, 4, 6), utc(2027, 6, 1)) == []


def test_an_ambiguous_autumn_time_is_the_first_of_the_two(circle: Circle) -> None:
    event = add_event(
        circle.network,
        circle.coordinator,
        start=datetime.datetime(2026, 10, 25, 1, 30),
        end=datetime.datetime(2026, 10, 25, 2, 30),
    )

    # 01:30 happens twice that night; the first is still summer time, 00:30 UTC.
    assert event.start == utc(2026, 10, 25, 0, 30)
    assert event.end == utc(2026, 10, 25, 2, 30)


# --- Bad input: a clear error beside the field, and nothing stored --------------------------


def _nothing_stored(circle: Circle) -> None:
    assert CalendarEvent.objects.count() == 0
    assert not NetworkEvent.objects.filter(
        network=circle.network, kind=NetworkEventKind.EVENT_SCHEDULED
    ).exists()


def test_a_time_inside_the_missing_spring_hour_is_refused(circle: Circle) -> None:
    with pytest.raises(ValidationError) as refused:
        add_event(
            circle.network,
            circle.coordinator,
            start=datetime.datetime(2027, 3, 28, 1, 30),
            end=datetime.datetime(2027, 3, 28, 3, 0),
        )

    assert list(refused.value.message_dict) == ["start"]
    message = refused.value.message_dict["start"][0]
    assert "01:30 on 28 March 2027 does not exist" in message
    assert "from 01:00 to 02:00" in message
    _nothing_stored(circle)


def test_an_end_before_the_start_is_refused(circle: Circle) -> None:
    with pytest.raises(ValidationError) as refused:
        add_event(
            circle.network,
            circle.coordinator,
            start=datetime.datetime(2026, 12, 7, 10, 0),
            end=datetime.datetime(2026, 12, 7, 9, 0),
        )

    assert refused.value.message_dict == {"end": ["The end must be after the start"]}
    _nothing_stored(circle)


@pytest.mark.parametrize(
    ("rrule", "says"),
    [
        ("FREQ=SECONDLY", "daily, weekly, monthly or yearly"),
        ("FREQ=WEEKLY;BYDAY=XX", "'XX' is not a day"),
        ("INTERVAL=2", "Say how often it repeats"),
        ("FREQ=WEEKLY;COUNT=100000", "from 1 to 1000"),
        ("FREQ=DAILY;UNTIL=20400101", "at most 10 years"),
        ("FREQ=WEEKLY;COUNT=2;UNTIL=20270101", "not both"),
        ("FREQ=WEEKLY;BYHOUR=3", "BYHOUR is not supported"),
        ("FREQ=WEEKLY;BYDAY=TU", "not one of the days this rule repeats on"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "not one of the days"),
        ("garbage", "not a part of a repeat rule"),
    ],
)
def test_an_invalid_repeat_rule_is_refused_in_plain_words(
    circle: Circle, rrule: str, says: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        add_event(circle.network, circle.coordinator, rrule=rrule)  # 7 Dec 2026 is a Monday

    assert list(refused.value.message_dict) == ["rrule"]
    assert says in refused.value.message_dict["rrule"][0]
    _nothing_stored(circle)


def test_every_mistake_is_reported_at_once(circle: Circle) -> None:
    with pytest.raises(ValidationError) as refused:
        add_event(
            circle.network,
            circle.coordinator,
            title=" ",
            start=datetime.datetime(2027, 3, 28, 1, 30),
            end=datetime.datetime(2027, 3, 28, 1, 45),
        )

    assert set(refused.value.message_dict) == {"title", "start", "end"}


def test_family_cannot_make_an_event_professionals_only(circle: Circle) -> None:
    with pytest.raises(ValidationError) as refused:
        add_event(circle.network, circle.family, visibility=Visibility.PROFESSIONALS)

    assert list(refused.value.message_dict) == ["visibility"]


# --- One occurrence against the whole series -----------------------------------------------


def test_moving_one_occurrence_leaves_the_others_where_they_were(circle: Circle) -> None:
    event = _weekly_visit(circle)

    event_occurrence_update(
        event=event,
        viewer=viewer(circle.network, circle.coordinator),
        updated_by=circle.coordinator,
        occurrence=datetime.datetime(2026, 11, 2, 10, 0),
        start=datetime.datetime(2026, 11, 3, 14, 0),
        title="Visit, moved to Tuesday",
    )

    occurrences = event_occurrence_list_visible_to(
        viewer=viewer(circle.network, circle.family),
        after=utc(2026, 10, 26),
        before=utc(2026, 11, 17),
    )
    assert [(o.start, o.end, o.title) for o in occurrences] == [
        (utc(2026, 10, 26, 10), utc(2026, 10, 26, 11), "Home visit"),
        (utc(2026, 11, 3, 14), utc(2026, 11, 3, 15), "Visit, moved to Tuesday"),
        (utc(2026, 11, 9, 10), utc(2026, 11, 9, 11), "Home visit"),
        (utc(2026, 11, 16, 10), utc(2026, 11, 16, 11), "Home visit"),
    ]
    assert occurrences[1].original_start == utc(2026, 11, 2, 10)


def test_an_occurrence_moved_out_of_the_range_leaves_it_and_one_moved_in_joins_it(
    circle: Circle,
) -> None:
    event = _weekly_visit(circle)
    event_occurrence_update(
        event=event,
        viewer=viewer(circle.network, circle.coordinator),
        updated_by=circle.coordinator,
        occurrence=utc(2026, 11, 30, 10),
        start=datetime.datetime(2027, 1, 20, 12, 0),
    )

    november = _starts(circle, circle.family, utc(2026, 11, 23), utc(2026, 12, 1))
    january_20 = _starts(circle, circle.family, utc(2027, 1, 20), utc(2027, 1, 21))

    assert november == [utc(2026, 11, 23, 10)]
    assert january_20 == [utc(2027, 1, 20, 12)]


def test_changing_the_series_reaches_every_occurrence_but_keeps_one_moved_alone(
    circle: Circle,
) -> None:
    event = _weekly_visit(circle)
    coordinator = viewer(circle.network, circle.coordinator)
    event_occurrence_update(
        event=event,
        viewer=coordinator,
        updated_by=circle.coordinator,
        occurrence=datetime.datetime(2026, 11, 2, 10, 0),
        location="The family centre",
    )

    event_update(
        event=event,
        viewer=coordinator,
        updated_by=circle.coordinator,
        title="Weekly visit",
        kind=EventKind.HOME_VISIT,
        start=datetime.datetime(2026, 10, 12, 11, 0),
        end=None,
        all_day=False,
        timezone_name="Europe/London",
        location="Home",
        notes="",
        visibility=Visibility.NETWORK,
        rrule=WEEKLY_ACROSS_CLOCK_CHANGES,
    )

    occurrences = event_occurrence_list_visible_to(
        viewer=viewer(circle.network, circle.family),
        after=utc(2026, 10, 26),
        before=utc(2026, 11, 10),
    )
    assert [(o.start, o.title, o.location) for o in occurrences] == [
        (utc(2026, 10, 26, 11), "Weekly visit", "Home"),
        # The occurrence changed alone keeps its own place, on the same day, at the new time.
        (utc(2026, 11, 2, 11), "Weekly visit", "The family centre"),
        (utc(2026, 11, 9, 11), "Weekly visit", "Home"),
    ]
    assert occurrences[0].end == utc(2026, 10, 26, 12)  # it kept its hour's length
    event.refresh_from_db()
    assert event.sequence == 2


def test_cancelling_one_occurrence_leaves_the_rest(circle: Circle) -> None:
    event = _weekly_visit(circle)

    event_occurrence_cancel(
        event=event,
        viewer=viewer(circle.network, circle.coordinator),
        cancelled_by=circle.coordinator,
        occurrence=datetime.datetime(2026, 11, 9, 10, 0),
    )

    assert _starts(circle, circle.family, utc(2026, 11, 2), utc(2026, 11, 24)) == [
        utc(2026, 11, 2, 10),
        utc(2026, 11, 16, 10),
        utc(2026, 11, 23, 10),
    ]


def test_an_occurrence_that_the_series_does_not_have_is_refused(circle: Circle) -> None:
    event = _weekly_visit(circle)

    with pytest.raises(ValidationError) as refused:
        event_occurrence_cancel(
            event=event,
            viewer=viewer(circle.network, circle.coordinator),
            cancelled_by=circle.coordinator,
            occurrence=datetime.datetime(2026, 11, 10, 10, 0),  # a Tuesday
        )

    assert refused.value.message_dict == {
        "occurrence": ["This series does not happen at 10:00 on 10 November 2026"]
    }
    assert EventException.objects.count() == 0


def test_moving_an_occurrence_into_the_missing_spring_hour_is_refused(circle: Circle) -> None:
    event = _weekly_visit(circle)

    with pytest.raises(ValidationError) as refused:
        event_occurrence_update(
            event=event,
            viewer=viewer(circle.network, circle.coordinator),
            updated_by=circle.coordinator,
            occurrence=datetime.datetime(2027, 3, 29, 10, 0),
            start=datetime.datetime(2027, 3, 28, 1, 15),
        )

    assert list(refused.value.message_dict) == ["start"]
    assert EventException.objects.count() == 0


def test_cancelling_the_whole_series_empties_the_calendar(circle: Circle) -> None:
    event = _weekly_visit(circle)

    event_cancel(
        event=event,
        viewer=viewer(circle.network, circle.coordinator),
        cancelled_by=circle.coordinator,
    )

    assert _starts(circle, circle.coordinator, utc(2026, 10, 1), utc(2027, 5, 1)) == []


def test_only_the_organiser_or_a_coordinator_may_change_an_event(circle: Circle) -> None:
    event = add_event(circle.network, circle.professional)

    with pytest.raises(PermissionDenied):
        event_cancel(
            event=event, viewer=viewer(circle.network, circle.family), cancelled_by=circle.family
        )
    event_cancel(
        event=event,
        viewer=viewer(circle.network, circle.coordinator),
        cancelled_by=circle.coordinator,
    )


# --- Who sees it, and the log ---------------------------------------------------------------


def test_a_professionals_only_case_conference_is_absent_for_family(circle: Circle) -> None:
    add_event(
        circle.network,
        circle.coordinator,
        title="Case conference",
        kind=EventKind.CASE_CONFERENCE,
        visibility=Visibility.PROFESSIONALS,
    )
    window = (utc(2026, 12, 7), utc(2026, 12, 8))

    assert _starts(circle, circle.family, *window) == []
    assert _starts(circle, circle.professional, *window) == [utc(2026, 12, 7, 10)]


def test_each_change_is_logged_with_the_events_visibility_and_audited(circle: Circle) -> None:
    before = circle.network.events.count()
    event = add_event(
        circle.network,
        circle.coordinator,
        title="Case conference",
        kind=EventKind.CASE_CONFERENCE,
        visibility=Visibility.PROFESSIONALS,
    )
    event_cancel(
        event=event,
        viewer=viewer(circle.network, circle.coordinator),
        cancelled_by=circle.coordinator,
    )

    logged = list(circle.network.events.order_by("sequence")[before:])
    assert [(e.kind, e.visibility, e.payload["change"]) for e in logged] == [
        (NetworkEventKind.EVENT_SCHEDULED, Visibility.PROFESSIONALS, "created"),
        (NetworkEventKind.EVENT_CHANGED, Visibility.PROFESSIONALS, "cancelled"),
    ]
    assert logged[0].payload["event_id"] == event.pk
    assert logged[0].created_by_id == circle.coordinator.pk
    assert logged[0].author_agency_id == circle.agency.pk
    audited = AuditEvent.objects.filter(object_type="calendar_event", object_id=str(event.pk))
    assert audited.count() == 2


def test_a_new_event_is_published_after_commit_to_those_who_may_see_it(
    circle: Circle,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    from unittest import mock

    with (
        mock.patch("caregraph.services.events.network_event_publish") as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        add_event(circle.network, circle.family, title="Lunch at Gran's")

    from caregraph.hub import envelope_read

    envelope = envelope_read(publish.call_args.kwargs["wire"])
    published = NetworkEvent.objects.get(network=circle.network, sequence=envelope["sequence"])
    assert published.kind == NetworkEventKind.EVENT_SCHEDULED
    assert published.visibility == Visibility.NETWORK
    assert json.loads(envelope["frame"])["payload"]["title"] == "Lunch at Gran's"
    assert envelope["audiences"] == ["everyone"]  # shared with the network: everyone in it


def test_an_all_day_event_runs_from_its_first_to_its_last_day(circle: Circle) -> None:
    event = add_event(
        circle.network,
        circle.family,
        title="Respite weekend",
        kind=EventKind.OTHER,
        start=datetime.date(2027, 3, 27),
        end=datetime.date(2027, 3, 28),
        all_day=True,
    )

    assert event.start == london(2027, 3, 27)
    assert event.end == london(2027, 3, 29)  # midnight after the last day, as iCalendar says
    assert event.end - event.start == datetime.timedelta(days=2, hours=-1)  # the lost hour
