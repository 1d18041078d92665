"""A feed's version is known before it is built: 304 for an app holding it, a new body
once anything in it or the member's standing changes, and never another member's copy."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from calendars.services.events import event_occurrence_cancel
from calendars.services.feed_tokens import feed_token_create
from caregraph.models import MemberKind, Visibility
from caregraph.services.networks import membership_end
from tests.calendars.conftest import Circle, add_event
from tests.networks import member_add, network_create, viewer

pytestmark = pytest.mark.django_db


def url(token: str) -> str:
    return f"/calendar/feeds/{token}.ics"


def test_an_unchanged_feed_is_not_modified_by_etag_or_by_date(circle: Circle) -> None:
    add_event(circle.network, circle.coordinator)
    token = feed_token_create(user=circle.family)
    client = Client()
    first = client.get(url(token))
    assert first.status_code == 200 and first["Last-Modified"]

    by_etag = client.get(url(token), HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = client.get(url(token), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    again = client.get(url(token))

    assert by_etag.status_code == by_date.status_code == 304
    assert by_etag.content == by_date.content == b""
    assert by_etag["ETag"] == first["ETag"]
    assert again.status_code == 200 and again.content == first.content


def test_a_cancelled_occurrence_is_a_new_version(circle: Circle) -> None:
    event = add_event(circle.network, circle.coordinator, rrule="FREQ=WEEKLY;COUNT=4")
    token = feed_token_create(user=circle.family)
    client = Client()
    first = client.get(url(token))

    event_occurrence_cancel(
        event=event,
        viewer=viewer(circle.network, circle.coordinator),
        cancelled_by=circle.coordinator,
        occurrence=event.start + datetime.timedelta(weeks=1),
    )
    changed = client.get(url(token), HTTP_IF_NONE_MATCH=first["ETag"])

    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert b"EXDATE" in changed.content and b"EXDATE" not in first.content


def test_a_member_who_left_is_never_told_their_old_copy_still_holds(circle: Circle) -> None:
    other = network_create(given_name="Sam", family_name="Jones")
    membership = member_add(other, kind=MemberKind.FAMILY, user=circle.family)
    add_event(other, membership.user, title="Visit in the second network")
    token = feed_token_create(user=circle.family)
    client = Client()
    first = client.get(url(token))
    assert b"second network" in first.content

    membership_end(
        membership=membership, ended_by=circle.family, viewer=viewer(other, circle.family)
    )
    by_etag = client.get(url(token), HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = client.get(url(token), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert by_etag.status_code == by_date.status_code == 200
    assert b"second network" not in by_etag.content
    assert b"second network" not in by_date.content


def test_members_who_see_different_things_never_share_a_version(circle: Circle) -> None:
    add_event(circle.network, circle.coordinator, title="Home visit")
    add_event(
        circle.network,
        circle.coordinator,
        title="Strategy meeting",
        visibility=Visibility.PROFESSIONALS,
    )
    family = Client().get(url(feed_token_create(user=circle.family)))
    professional_token = feed_token_create(user=circle.professional)

    answer = Client().get(url(professional_token), HTTP_IF_NONE_MATCH=family["ETag"])

    assert b"Strategy meeting" not in family.content
    assert answer.status_code == 200
    assert answer["ETag"] != family["ETag"]
    assert b"Strategy meeting" in answer.content


def test_an_unchanged_feed_is_answered_without_reading_its_events(circle: Circle) -> None:
    token = feed_token_create(user=circle.family)
    counts: list[int] = []
    for events in (1, 30):
        while circle.network.calendar_events.count() < events:
            add_event(circle.network, circle.coordinator)
        client = Client()
        first = client.get(url(token))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(token), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        counts.append(len(queries))
    assert counts[0] == counts[1]
