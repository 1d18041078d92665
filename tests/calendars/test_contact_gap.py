"""The no-contact notice: days since a professional last visited, met or saw the person."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from calendars.models import EventKind
from calendars.selectors import network_contact_gap
from calendars.services.attendance import attendance_invite, attendance_respond
from caregraph.models import Network
from tests.calendars.conftest import Circle, add_event
from tests.networks import viewer

pytestmark = pytest.mark.django_db


def _days_ago(days: int, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour))


def _long_established(circle: Circle) -> None:
    Network.objects.filter(pk=circle.network.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=400)
    )
    circle.network.refresh_from_db()


@override_settings(NO_CONTACT_DAYS=28)
def test_a_recent_home_visit_by_a_professional_is_enough(circle: Circle) -> None:
    _long_established(circle)
    add_event(circle.network, circle.coordinator, start=_days_ago(10), end=_days_ago(10, 11))

    assert network_contact_gap(network=circle.network) is None


@override_settings(NO_CONTACT_DAYS=28)
def test_no_contact_for_longer_than_allowed_gives_the_days_since_the_last(circle: Circle) -> None:
    _long_established(circle)
    add_event(circle.network, circle.coordinator, start=_days_ago(40), end=_days_ago(40, 11))
    # Family visits and professional case conferences do not count as contact.
    add_event(circle.network, circle.family, start=_days_ago(3), end=_days_ago(3, 11))
    add_event(
        circle.network,
        circle.coordinator,
        kind=EventKind.CASE_CONFERENCE,
        start=_days_ago(2),
        end=_days_ago(2, 11),
    )

    assert network_contact_gap(network=circle.network) == 40


@override_settings(NO_CONTACT_DAYS=28)
def test_a_visit_booked_ahead_is_enough(circle: Circle) -> None:
    _long_established(circle)
    add_event(circle.network, circle.coordinator, start=_days_ago(-5), end=_days_ago(-5, 11))

    assert network_contact_gap(network=circle.network) is None


@override_settings(NO_CONTACT_DAYS=28)
def test_a_professional_going_to_a_family_arranged_appointment_counts(circle: Circle) -> None:
    _long_established(circle)
    event = add_event(
        circle.network,
        circle.family,
        kind=EventKind.APPOINTMENT,
        start=_days_ago(7),
        end=_days_ago(7, 11),
    )
    assert network_contact_gap(network=circle.network) == 400

    attendance_invite(
        event=event,
        viewer=viewer(circle.network, circle.family),
        invited_by=circle.family,
        users=[circle.professional],
    )
    attendance_respond(
        event=event,
        viewer=viewer(circle.network, circle.professional),
        user=circle.professional,
        response="going",
    )

    assert network_contact_gap(network=circle.network) is None


@override_settings(NO_CONTACT_DAYS=28)
def test_a_weekly_visit_series_counts_by_its_latest_occurrence(circle: Circle) -> None:
    _long_established(circle)
    add_event(
        circle.network,
        circle.coordinator,
        start=_days_ago(100),
        end=_days_ago(100, 11),
        rrule="FREQ=WEEKLY;COUNT=10",  # the last was 37 days ago
    )

    assert network_contact_gap(network=circle.network) == 37


@override_settings(NO_CONTACT_DAYS=28)
def test_a_new_network_is_not_flagged_yet(circle: Circle) -> None:
    assert network_contact_gap(network=circle.network) is None
