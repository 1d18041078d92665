"""Escalation: an unacknowledged urgent concern goes to the lead agency's safeguarding leads
after an hour, a high one after 24 hours; once each, however often the job runs."""

from __future__ import annotations

import datetime
import threading
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection

from agencies.models import StaffRole
from caregraph.models import AuditEvent, MemberKind, NetworkEvent, NetworkEventKind, Visibility
from caregraph.services.networks import membership_end
from concerns.escalation import (
    concern_escalate_due,
    concern_escalation_due_ids,
    network_lead_agency_id,
)
from concerns.models import Concern, ConcernStatus, ConcernUpdate, ConcernUpdateKind
from concerns.services import concern_acknowledge, concern_review_start
from concerns.tasks import concern_escalate_due_task
from notifications.models import Delivery, Notification, NotificationPreference, OutboxMessage
from tests.concerns.helpers import DESCRIPTION, World, concern_raise_as, raised_at_set
from tests.factories import staff_create
from tests.networks import member_add, viewer

pytestmark = pytest.mark.django_db
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _escalation_settings(settings: Any) -> None:
    settings.CONCERN_ESCALATION_MINUTES = {"urgent": 60, "high": 24 * 60}


def escalated(concern: Concern) -> bool:
    return Concern.objects.get(pk=concern.pk).escalated_at is not None


@pytest.mark.parametrize(
    ("severity", "age", "escalates"),
    [
        ("urgent", 59 * MINUTE, False),
        ("urgent", 60 * MINUTE, True),
        ("urgent", 61 * MINUTE, True),
        ("high", 24 * 60 * MINUTE - MINUTE, False),
        ("high", 24 * 60 * MINUTE, True),
        ("high", 24 * 60 * MINUTE + MINUTE, True),
        ("medium", datetime.timedelta(days=30), False),
        ("low", datetime.timedelta(days=30), False),
    ],
)
def test_an_unacknowledged_concern_escalates_once_its_time_is_up(
    world: World, severity: str, age: datetime.timedelta, escalates: bool
) -> None:
    concern = concern_raise_as(world.practitioner_b, world.network, severity=severity)

    count = concern_escalate_due(now=concern.raised_at + age)

    assert count == int(escalates)
    assert escalated(concern) is escalates


def test_an_escalation_goes_to_the_lead_agencys_leads_and_is_recorded(
    world: World,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    concern = concern_raise_as(world.practitioner_b, world.network, severity="urgent")
    sequence = world.network.events.order_by("-sequence").first().sequence  # type: ignore[union-attr]
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        assert concern_escalate_due(now=concern.raised_at + 61 * MINUTE) == 1

    concern.refresh_from_db()
    # Agency A leads: its practitioner coordinates the network, although B raised it.
    assert concern.escalated_to_agency_id == world.agency_a.pk
    assert concern.status == ConcernStatus.OPEN
    (update,) = ConcernUpdate.objects.filter(concern=concern, kind=ConcernUpdateKind.ESCALATED)
    assert update.created_by is None
    assert world.agency_a.name in update.text and "1 hour" in update.text
    event = NetworkEvent.objects.get(network=world.network, sequence=sequence + 1)
    assert event.kind == NetworkEventKind.CONCERN_UPDATED
    assert event.visibility == Visibility.PROFESSIONALS
    assert AuditEvent.objects.filter(
        object_type="concern", object_id=str(concern.pk), actor__isnull=True
    ).exists()
    told = Notification.objects.filter(kind="concern.escalated")
    assert set(told.values_list("user_id", flat=True)) == {world.lead_a.pk}
    for text in told.values_list("text", flat=True):
        assert DESCRIPTION not in text
    (email,) = OutboxMessage.objects.filter(user=world.lead_a, dedupe_key__contains="escalated")
    assert DESCRIPTION not in email.body
    assert email.state == "sent"


def test_urgent_escalations_reach_leads_who_turned_emails_off_and_high_ones_do_not(
    world: World,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    for severity in ("urgent", "high"):
        NotificationPreference.objects.create(
            user=world.lead_a, severity=severity, delivery=Delivery.OFF
        )
    urgent = concern_raise_as(world.coordinator, world.network, severity="urgent")
    high = concern_raise_as(world.coordinator, world.network, severity="high")
    OutboxMessage.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):  # notifications go after commit
        concern_escalate_due(now=high.raised_at + datetime.timedelta(days=2))

    assert escalated(urgent) and escalated(high)
    in_app = Notification.objects.filter(user=world.lead_a, kind="concern.escalated")
    assert in_app.count() == 2
    emailed = OutboxMessage.objects.filter(user=world.lead_a)
    assert [m.dedupe_key for m in emailed] == [
        f"email:concern-{urgent.pk}-escalated:user-{world.lead_a.pk}"
    ]


@pytest.mark.parametrize("how", ["acknowledged", "under_review"])
def test_an_acknowledged_concern_never_escalates(world: World, how: str) -> None:
    concern = concern_raise_as(world.family, world.network, severity="urgent")
    standing = viewer(world.network, world.practitioner_b)
    if how == "acknowledged":
        concern_acknowledge(concern=concern, viewer=standing, acknowledged_by=world.practitioner_b)
    else:
        concern_review_start(concern=concern, viewer=standing, started_by=world.practitioner_b)

    assert concern_escalate_due(now=concern.raised_at + datetime.timedelta(days=7)) == 0
    assert not escalated(concern)


def test_running_twice_escalates_once(
    world: World,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    concern = concern_raise_as(world.coordinator, world.network, severity="urgent")
    later = concern.raised_at + 2 * 60 * MINUTE

    with django_capture_on_commit_callbacks(execute=True):  # notifications go after commit
        assert concern_escalate_due(now=later) == 1
        assert concern_escalate_due(now=later + MINUTE) == 0

    assert ConcernUpdate.objects.filter(kind=ConcernUpdateKind.ESCALATED).count() == 1
    assert Notification.objects.filter(kind="concern.escalated").count() == 1
    assert Concern.objects.get(pk=concern.pk).escalated_at == later


def test_a_worker_that_read_a_stale_list_escalates_nothing(world: World) -> None:
    """Two workers find the same due concern; the second claims nothing once the first did."""
    concern = concern_raise_as(world.coordinator, world.network, severity="urgent")
    later = concern.raised_at + 2 * 60 * MINUTE
    stale = concern_escalation_due_ids(now=later)
    assert stale == [concern.pk]

    assert concern_escalate_due(now=later) == 1
    with mock.patch("concerns.escalation.concern_escalation_due_ids", return_value=stale):
        assert concern_escalate_due(now=later) == 0

    assert ConcernUpdate.objects.filter(kind=ConcernUpdateKind.ESCALATED).count() == 1


def test_an_acknowledgement_that_lands_first_wins(world: World) -> None:
    concern = concern_raise_as(world.coordinator, world.network, severity="urgent")
    later = concern.raised_at + 2 * 60 * MINUTE
    stale = concern_escalation_due_ids(now=later)
    concern_acknowledge(
        concern=concern,
        viewer=viewer(world.network, world.practitioner_b),
        acknowledged_by=world.practitioner_b,
    )

    with mock.patch("concerns.escalation.concern_escalation_due_ids", return_value=stale):
        assert concern_escalate_due(now=later) == 0
    assert not escalated(concern)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_together_escalate_once() -> None:
    from tests.concerns.helpers import world_make

    world = world_make()
    concerns = [
        concern_raise_as(world.coordinator, world.network, severity="urgent") for _ in range(5)
    ]
    later = max(c.raised_at for c in concerns) + 2 * 60 * MINUTE
    start = threading.Barrier(2)
    counts: list[int] = []

    def worker() -> None:
        try:
            start.wait()
            counts.append(concern_escalate_due(now=later))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(counts) == 5
    assert ConcernUpdate.objects.filter(kind=ConcernUpdateKind.ESCALATED).count() == 5
    assert Notification.objects.filter(kind="concern.escalated").count() == 5


def test_the_lead_agency_is_the_earliest_active_coordinators(
    world: World,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    coordinator_b = member_add(
        world.network, kind=MemberKind.PROFESSIONAL, agency=world.agency_b, is_coordinator=True
    )
    assert network_lead_agency_id(network_id=world.network.pk) == world.agency_a.pk

    first = world.network.memberships.get(user=world.coordinator, status="active")
    membership_end(
        membership=first,
        ended_by=coordinator_b.user,
        viewer=viewer(world.network, coordinator_b.user),
    )

    assert network_lead_agency_id(network_id=world.network.pk) == world.agency_b.pk
    concern = concern_raise_as(world.practitioner_c, world.network, severity="urgent")
    with django_capture_on_commit_callbacks(execute=True):  # notifications go after commit
        concern_escalate_due(now=concern.raised_at + 61 * MINUTE)
    concern.refresh_from_db()
    assert concern.escalated_to_agency_id == world.agency_b.pk
    told = set(
        Notification.objects.filter(kind="concern.escalated").values_list("user_id", flat=True)
    )
    assert told == {world.lead_b.pk}


def test_an_agency_only_concern_goes_to_leads_who_may_open_it(
    world: World,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    concern = concern_raise_as(
        world.practitioner_b, world.network, severity="urgent", visibility=Visibility.AGENCY
    )

    with django_capture_on_commit_callbacks(execute=True):  # notifications go after commit
        concern_escalate_due(now=concern.raised_at + 61 * MINUTE)

    concern.refresh_from_db()
    assert concern.escalated_to_agency_id == world.agency_a.pk
    told = set(
        Notification.objects.filter(kind="concern.escalated").values_list("user_id", flat=True)
    )
    # Agency A's leads may not open a concern kept within agency B: B's leads are told.
    assert told == {world.lead_b.pk}


def test_the_periodic_job_escalates_what_is_due(world: World) -> None:
    concern = concern_raise_as(world.coordinator, world.network, severity="urgent")
    raised_at_set(concern, concern.raised_at - 2 * 60 * MINUTE)
    staff_create(role=StaffRole.SAFEGUARDING_LEAD)  # a lead elsewhere, never told

    result = concern_escalate_due_task.delay()

    assert result.get() == 1
    assert escalated(concern)
    schedule = settings.CELERY_BEAT_SCHEDULE["concern-escalate-due"]
    assert schedule["task"] == concern_escalate_due_task.name
