"""The calendar's REST API: occurrences in a range, series and single-occurrence changes,
attendance, tasks and the race to claim one, errors beside their field, query counts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calendars.models import CalendarEvent, CareTask, EventKind
from caregraph.models import Visibility
from tests.api.helpers import API, client_for, errors
from tests.calendars.conftest import Circle, add_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WEEKLY = {
    "title": "Weekly visit",
    "kind": EventKind.HOME_VISIT,
    "start": "2026-10-12T10:00:00",
    "end": "2026-10-12T11:00:00",
    "rrule": "FREQ=WEEKLY;COUNT=30",
}


def _events(circle: Circle) -> str:
    return f"{API}/networks/{circle.network.pk}/events/"


def _create(circle: Circle, user: Any = None, **changes: Any) -> dict[str, Any]:
    response = client_for(user or circle.coordinator).post(
        _events(circle), {**WEEKLY, **changes}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


def _listed(circle: Circle, user: Any, start: str, end: str) -> list[dict[str, Any]]:
    response = client_for(user).get(_events(circle), {"start": start, "end": end})
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_a_series_is_listed_occurrence_by_occurrence_at_local_ten_oclock(circle: Circle) -> None:
    created = _create(circle)

    listed = _listed(circle, circle.family, "2026-10-19", "2026-11-03")

    assert [(o["start"], o["occurrence"]) for o in listed] == [
        ("2026-10-19T10:00:00+01:00", "2026-10-19T10:00:00+01:00"),
        ("2026-10-26T10:00:00+00:00", "2026-10-26T10:00:00+00:00"),
        ("2026-11-02T10:00:00+00:00", "2026-11-02T10:00:00+00:00"),
    ]
    assert {o["event_id"] for o in listed} == {created["id"]}
    assert listed[0]["organiser"]["id"] == circle.coordinator.pk


def test_patch_with_an_occurrence_moves_only_that_one(circle: Circle) -> None:
    created = _create(circle)
    detail = f"{_events(circle)}{created['id']}/"

    response = client_for(circle.coordinator).patch(
        f"{detail}?occurrence=2026-10-26T10:00:00",
        {"start": "2026-10-27T15:30:00", "title": "Visit (Tuesday this week)"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["exceptions"][0]["occurrence"] == "2026-10-26T10:00:00+00:00"
    listed = _listed(circle, circle.family, "2026-10-19", "2026-11-03")
    assert [(o["start"], o["end"], o["title"]) for o in listed] == [
        ("2026-10-19T10:00:00+01:00", "2026-10-19T11:00:00+01:00", "Weekly visit"),
        ("2026-10-27T15:30:00+00:00", "2026-10-27T16:30:00+00:00", "Visit (Tuesday this week)"),
        ("2026-11-02T10:00:00+00:00", "2026-11-02T11:00:00+00:00", "Weekly visit"),
    ]


def test_patch_without_an_occurrence_changes_the_whole_series(circle: Circle) -> None:
    created = _create(circle)

    response = client_for(circle.coordinator).patch(
        f"{_events(circle)}{created['id']}/", {"start": "2026-10-12T09:30:00"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["end"] == "2026-10-12T10:30:00+01:00"  # kept its length
    listed = _listed(circle, circle.family, "2026-10-19", "2026-11-03")
    assert [o["start"] for o in listed] == [
        "2026-10-19T09:30:00+01:00",
        "2026-10-26T09:30:00+00:00",
        "2026-11-02T09:30:00+00:00",
    ]


def test_delete_with_an_occurrence_cancels_only_that_one(circle: Circle) -> None:
    created = _create(circle)
    detail = f"{_events(circle)}{created['id']}/"

    response = client_for(circle.coordinator).delete(f"{detail}?occurrence=2026-10-26T10:00:00Z")

    assert response.status_code == 204
    listed = _listed(circle, circle.family, "2026-10-19", "2026-11-03")
    assert [o["start"] for o in listed] == [
        "2026-10-19T10:00:00+01:00",
        "2026-11-02T10:00:00+00:00",
    ]
    assert client_for(circle.coordinator).delete(detail).status_code == 204
    assert client_for(circle.coordinator).get(detail).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        (
            {"start": "2027-03-28T01:30:00", "end": "2027-03-28T03:00:00", "rrule": ""},
            "start",
            "does not exist",
        ),
        ({"end": "2026-10-12T09:00:00"}, "end", "The end must be after the start"),
        ({"rrule": "FREQ=SECONDLY"}, "rrule", "daily, weekly, monthly or yearly"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=MO;COUNT=abc"}, "rrule", "COUNT must be a whole number"),
        ({"start": "next Tuesday"}, "start", "Datetime has wrong format"),
        ({"kind": "party"}, "kind", "not a valid choice"),
        ({"timezone": "Mars/Olympus"}, "timezone", "not a time zone we know"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_stored(
    circle: Circle, changes: dict[str, Any], field: str, says: str
) -> None:
    response = client_for(circle.coordinator).post(
        _events(circle), {**WEEKLY, **changes}, format="json"
    )

    assert response.status_code == 400
    assert list(errors(response)) == [field]
    assert says in errors(response)[field][0]
    assert CalendarEvent.objects.count() == 0


def test_an_occurrence_the_series_does_not_have_is_refused_beside_occurrence(
    circle: Circle,
) -> None:
    created = _create(circle)

    response = client_for(circle.coordinator).patch(
        f"{_events(circle)}{created['id']}/?occurrence=2026-10-27T10:00:00",
        {"title": "Moved"},
        format="json",
    )

    assert response.status_code == 400
    assert list(errors(response)) == ["occurrence"]


def test_what_a_member_may_not_see_is_absent_and_its_address_404(circle: Circle) -> None:
    conference = _create(
        circle,
        title="Case conference",
        kind=EventKind.CASE_CONFERENCE,
        visibility=Visibility.PROFESSIONALS,
        rrule="",
    )
    family = client_for(circle.family)

    assert _listed(circle, circle.family, "2026-10-12", "2026-10-13") == []
    assert family.get(f"{_events(circle)}{conference['id']}/").status_code == 404
    assert client_for(UserFactory.create()).get(_events(circle)).status_code == 404
    assert len(_listed(circle, circle.professional, "2026-10-12", "2026-10-13")) == 1


def test_a_member_who_is_not_the_organiser_cannot_change_an_event(circle: Circle) -> None:
    created = _create(circle)

    response = client_for(circle.family).patch(
        f"{_events(circle)}{created['id']}/", {"title": "Mine now"}, format="json"
    )

    assert response.status_code == 403


def test_the_organiser_invites_members_and_sees_who_is_coming(circle: Circle) -> None:
    created = _create(circle)
    attendance = f"{_events(circle)}{created['id']}/attendance/"

    invited = client_for(circle.coordinator).post(
        attendance, {"user_ids": [circle.family.pk, circle.professional.pk]}, format="json"
    )
    assert invited.status_code == 200, invited.json()
    client_for(circle.family).post(attendance, {"response": "going"}, format="json")
    client_for(circle.professional).post(attendance, {"response": "not_going"}, format="json")

    response = client_for(circle.coordinator).get(attendance)
    answers = {row["user"]["id"]: row["response"] for row in response.json()["results"]}
    assert answers == {
        circle.coordinator.pk: "going",
        circle.family.pk: "going",
        circle.professional.pk: "not_going",
    }


def test_nobody_can_be_invited_to_an_event_they_may_not_see(circle: Circle) -> None:
    conference = _create(circle, visibility=Visibility.PROFESSIONALS, rrule="")

    response = client_for(circle.coordinator).post(
        f"{_events(circle)}{conference['id']}/attendance/",
        {"user_ids": [circle.family.pk]},
        format="json",
    )

    assert response.status_code == 400
    assert list(errors(response)) == ["user_ids"]


def test_tasks_are_claimed_once_released_and_completed(circle: Circle) -> None:
    tasks = f"{API}/networks/{circle.network.pk}/tasks/"
    created = client_for(circle.coordinator).post(
        tasks,
        {"title": "Collect the prescription", "due_at": "2026-12-08T17:00:00"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["due_at"] == "2026-12-08T17:00:00+00:00"
    task = f"{tasks}{created.json()['id']}/"

    assert client_for(circle.family).post(f"{task}claim/").status_code == 200
    taken = client_for(circle.professional).post(f"{task}claim/")
    assert taken.status_code == 409
    assert errors(taken) == {"non_field_errors": ["Someone else has already signed up for this"]}
    open_tasks = client_for(circle.professional).get(tasks, {"state": "open"}).json()
    assert open_tasks["count"] == 0
    assert client_for(circle.family).post(f"{task}release/").status_code == 200
    assert client_for(circle.professional).post(f"{task}claim/").status_code == 200
    done = client_for(circle.professional).post(
        f"{task}complete/", {"outcome": "done"}, format="json"
    )
    assert done.status_code == 200
    assert done.json()["outcome"] == "done"


def test_a_task_due_in_the_missing_hour_is_refused_beside_due_at(circle: Circle) -> None:
    response = client_for(circle.family).post(
        f"{API}/networks/{circle.network.pk}/tasks/",
        {"title": "Lift to the hospital", "due_at": "2027-03-28T01:15:00"},
        format="json",
    )

    assert response.status_code == 400
    assert list(errors(response)) == ["due_at"]
    assert CareTask.objects.count() == 0


def test_a_retried_create_with_the_same_idempotency_key_makes_one_event(circle: Circle) -> None:
    client = client_for(circle.coordinator)
    first = client.post(_events(circle), WEEKLY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(_events(circle), WEEKLY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert CalendarEvent.objects.count() == 1


def test_a_range_longer_than_a_year_is_refused_beside_end(circle: Circle) -> None:
    response = client_for(circle.family).get(
        _events(circle), {"start": "2026-01-01", "end": "2027-06-01"}
    )

    assert response.status_code == 400
    assert list(errors(response)) == ["end"]


# --- Query counts: listing a month costs the same for 10 events or 100 ----------------------

# The viewer's standing (2); the events with their exceptions (2); one audit row (1).
MONTH_QUERIES = 2 + 2 + 1


@pytest.mark.parametrize("events", [10, 100])
def test_listing_a_month_runs_the_same_queries_however_many_events(
    circle: Circle, events: int
) -> None:
    for number in range(events):
        day = datetime.date(2026, 12, 1) + datetime.timedelta(days=number % 28)
        add_event(
            circle.network,
            circle.coordinator,
            title=f"Event {number}",
            start=datetime.datetime.combine(day, datetime.time(10)),
            end=datetime.datetime.combine(day, datetime.time(11)),
            rrule="FREQ=WEEKLY;COUNT=8" if number % 3 == 0 else "",
            visibility=Visibility.PROFESSIONALS if number % 5 == 0 else Visibility.NETWORK,
        )
    client = client_for(circle.family)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            _events(circle), {"start": "2026-12-01", "end": "2027-01-01", "page_size": "200"}
        )

    assert response.status_code == 200
    assert response.json()["count"] > events // 2
    assert len(queries) == MONTH_QUERIES, [query["sql"] for query in queries]
