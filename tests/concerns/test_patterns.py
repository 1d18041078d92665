"""Cumulative concerns: patterns across agencies, worked out as each concern arrives.

Defaults pinned here: 3 agencies, or 5 low concerns, within 30 days. The window includes its
start: a concern raised exactly 30 days before the new one counts; a second earlier, not.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caregraph.models import AuditEvent
from caregraph.policy import viewer_for
from concerns.models import AlertRule, Concern, CumulativeAlert
from concerns.patterns import concern_patterns_check
from concerns.services import concern_withdraw
from notifications.models import Notification, OutboxMessage
from tests.concerns.helpers import DESCRIPTION, World, concern_raise_as, raised_at_set

pytestmark = pytest.mark.django_db

WINDOW = datetime.timedelta(days=30)
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture(autouse=True)
def _pattern_settings(settings: Any) -> None:
    settings.PATTERN_AGENCIES = 3
    settings.PATTERN_WINDOW_DAYS = 30
    settings.PATTERN_LOW_CONCERNS = 5


@pytest.fixture
def now() -> datetime.datetime:
    """The moment the concern that completes a pattern is raised, to the second."""
    return timezone.now().replace(microsecond=0)


def earlier(world: World, user_name: str, at: datetime.datetime, **options: Any) -> Concern:
    """A concern raised at `at` (raised now, then moved back: its own check sees nothing)."""
    concern = concern_raise_as(getattr(world, user_name), world.network, **options)
    raised_at_set(concern, at)
    return concern


def alerts(world: World, rule: str = AlertRule.AGENCIES_IN_WINDOW) -> list[CumulativeAlert]:
    return list(CumulativeAlert.objects.filter(network=world.network, rule=rule))


# --- Concerns from several agencies ---------------------------------------------------------


def test_concerns_from_three_agencies_within_the_window_raise_an_alert_for_the_leads(
    world: World,
    now: datetime.datetime,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    first = earlier(world, "coordinator", now - datetime.timedelta(days=20))
    second = earlier(world, "practitioner_b", now - datetime.timedelta(days=3))

    with django_capture_on_commit_callbacks(execute=True):  # notifications go after commit
        third = concern_raise_as(world.practitioner_c, world.network, at=now)

    (alert,) = alerts(world)
    assert set(alert.concerns.all()) == {first, second, third}
    assert alert.summary == "Concerns from 3 agencies within 30 days"
    assert alert.window_end == now
    assert alert.window_start == now - WINDOW
    told = Notification.objects.filter(kind="concern.pattern")
    assert set(told.values_list("user_id", flat=True)) == {world.lead_a.pk, world.lead_b.pk}
    for text in told.values_list("text", flat=True):
        assert DESCRIPTION not in text
    for body in OutboxMessage.objects.values_list("body", flat=True):
        assert DESCRIPTION not in body
    assert AuditEvent.objects.filter(object_type="cumulative_alert", object_id=alert.pk).exists()


def test_two_agencies_raise_no_alert_however_many_concerns(
    world: World,
    now: datetime.datetime,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    earlier(world, "coordinator", now - datetime.timedelta(days=2))
    earlier(world, "coordinator", now - datetime.timedelta(days=1))
    earlier(world, "practitioner_b", now - datetime.timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):  # notifications go after commit
        concern_raise_as(world.practitioner_b, world.network, at=now)

    assert alerts(world) == []
    assert not Notification.objects.filter(kind="concern.pattern").exists()


@pytest.mark.parametrize(
    ("first_raised", "alerted"),
    [(WINDOW, True), (WINDOW + SECOND, False), (WINDOW - SECOND, True)],
    ids=["exactly-at-the-start-counts", "a-second-before-does-not", "a-second-after-counts"],
)
def test_the_window_includes_its_start(
    world: World, now: datetime.datetime, first_raised: datetime.timedelta, alerted: bool
) -> None:
    earlier(world, "coordinator", now - first_raised)
    earlier(world, "practitioner_b", now - datetime.timedelta(days=1))

    concern_raise_as(world.practitioner_c, world.network, at=now)

    assert bool(alerts(world)) is alerted


def test_concerns_raised_after_the_new_one_do_not_count(
    world: World, now: datetime.datetime
) -> None:
    earlier(world, "coordinator", now + SECOND)
    earlier(world, "practitioner_b", now - SECOND)

    concern_raise_as(world.practitioner_c, world.network, at=now)

    assert alerts(world) == []


def test_a_withdrawn_concern_does_not_count_but_a_closed_one_does(
    world: World, now: datetime.datetime
) -> None:
    withdrawn = earlier(world, "coordinator", now - datetime.timedelta(days=1))
    concern_withdraw(
        concern=withdrawn,
        viewer=viewer_for(user=world.coordinator, network=world.network),  # type: ignore[arg-type]
        withdrawn_by=world.coordinator,
        reason="Raised on the wrong person",
    )
    earlier(world, "practitioner_b", now - datetime.timedelta(days=1))

    concern_raise_as(world.practitioner_c, world.network, at=now)
    assert alerts(world) == []

    closed = earlier(world, "coordinator", now - datetime.timedelta(days=1))
    Concern.objects.filter(pk=closed.pk).update(status="closed")
    concern_raise_as(world.practitioner_c, world.network, at=now)
    assert len(alerts(world)) == 1


def test_family_concerns_bring_no_agency(world: World, now: datetime.datetime) -> None:
    earlier(world, "coordinator", now - datetime.timedelta(days=1))
    earlier(world, "practitioner_b", now - datetime.timedelta(days=1))

    concern_raise_as(world.family, world.network, at=now)

    assert alerts(world) == []


def test_a_new_concern_joins_the_open_alert_and_a_new_one_follows_acknowledgement(
    world: World, now: datetime.datetime
) -> None:
    earlier(world, "coordinator", now - datetime.timedelta(days=3))
    earlier(world, "practitioner_b", now - datetime.timedelta(days=2))
    concern_raise_as(world.practitioner_c, world.network, at=now - datetime.timedelta(days=1))
    told_before = Notification.objects.filter(kind="concern.pattern").count()

    fourth = concern_raise_as(world.practitioner_b, world.network, at=now)

    (alert,) = alerts(world)
    assert alert.concerns.count() == 4
    assert fourth in alert.concerns.all()
    assert alert.window_end == now
    assert Notification.objects.filter(kind="concern.pattern").count() == told_before

    CumulativeAlert.objects.filter(pk=alert.pk).update(
        acknowledged_at=now, acknowledged_by=world.lead_a
    )
    fifth = concern_raise_as(world.coordinator, world.network, at=now + SECOND)

    assert len(alerts(world)) == 2
    newest = CumulativeAlert.objects.get(network=world.network, acknowledged_at__isnull=True)
    assert fifth in newest.concerns.all()


def test_the_check_reads_the_networks_concerns_once(world: World, now: datetime.datetime) -> None:
    earlier(world, "coordinator", now - datetime.timedelta(days=1))
    earlier(world, "practitioner_b", now - datetime.timedelta(days=1))
    concern = earlier(world, "practitioner_c", now)
    CumulativeAlert.objects.all().delete()
    Concern.objects.filter(author_agency=world.agency_a).update(status="withdrawn")

    with CaptureQueriesContext(connection) as queries:
        assert concern_patterns_check(concern=concern) == []

    reads = [q["sql"] for q in queries.captured_queries if 'FROM "concerns_concern"' in q["sql"]]
    assert len(reads) == 1
    assert '"network_id"' in reads[0] and '"raised_at" >=' in reads[0]


# --- Low concerns adding up -----------------------------------------------------------------


def test_five_low_concerns_within_the_window_raise_an_alert_and_four_do_not(
    world: World, now: datetime.datetime
) -> None:
    for days in (29, 20, 10):
        earlier(world, "family", now - datetime.timedelta(days=days), severity="low")
    earlier(world, "family", now - datetime.timedelta(days=2), severity="medium")

    concern_raise_as(world.family, world.network, severity="low", at=now)
    assert alerts(world, AlertRule.LOW_CONCERNS_ACCUMULATE) == []

    concern_raise_as(world.family, world.network, severity="low", at=now + SECOND)
    (alert,) = alerts(world, AlertRule.LOW_CONCERNS_ACCUMULATE)
    assert alert.concerns.count() == 5
    assert alert.summary == "5 low concerns within 30 days"
    assert alerts(world) == []  # family concerns bring no agencies


@pytest.mark.parametrize(("first_raised", "alerted"), [(WINDOW, True), (WINDOW + SECOND, False)])
def test_low_concerns_use_the_same_window(
    world: World, now: datetime.datetime, first_raised: datetime.timedelta, alerted: bool
) -> None:
    earlier(world, "coordinator", now - first_raised, severity="low")
    for days in (3, 2, 1):
        earlier(world, "coordinator", now - datetime.timedelta(days=days), severity="low")

    concern_raise_as(world.coordinator, world.network, severity="low", at=now)

    assert bool(alerts(world, AlertRule.LOW_CONCERNS_ACCUMULATE)) is alerted


def test_a_concern_about_someone_else_never_counts(world: World, now: datetime.datetime) -> None:
    from tests.networks import member_add, network_create

    other = network_create(coordinator=world.coordinator, agency=world.agency_a)
    member_add(other, user=world.practitioner_b, kind="professional", agency=world.agency_b)
    earlier(world, "coordinator", now - datetime.timedelta(days=1))
    elsewhere = concern_raise_as(world.practitioner_b, other)
    raised_at_set(elsewhere, now - datetime.timedelta(days=1))

    concern_raise_as(world.practitioner_c, world.network, at=now)

    assert CumulativeAlert.objects.count() == 0
