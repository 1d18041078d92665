"""A change writes one notification job in its transaction; its rows are written after."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caregraph.models import MemberKind
from notifications.fanout import notification_job_run
from notifications.models import Notification, NotificationJob, OutboxMessage
from tests.networks import member_add
from tests.notifications.conftest import Scene, concern_raise_for_test, scene_make

pytestmark = pytest.mark.django_db


def test_raising_a_concern_writes_one_job_and_its_rows_after_commit(
    scene: Scene, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        concern_raise_for_test(scene)

    (job,) = NotificationJob.objects.all()
    assert job.done_at is None
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()
    for callback in callbacks:
        callback()

    job.refresh_from_db()
    assert job.done_at is not None
    told = set(Notification.objects.values_list("user_id", flat=True))
    assert told == {scene.colleague.pk, scene.lead.pk}
    assert OutboxMessage.objects.count() == 2


def test_a_job_run_twice_tells_nobody_twice(
    scene: Scene, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        concern_raise_for_test(scene)
    (job,) = NotificationJob.objects.all()
    before = (Notification.objects.count(), OutboxMessage.objects.count())

    assert notification_job_run(job_id=job.pk) == 0
    NotificationJob.objects.filter(pk=job.pk).update(done_at=None)  # as if the mark was lost
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_job_run(job_id=job.pk) == 0

    assert (Notification.objects.count(), OutboxMessage.objects.count()) == before


@pytest.mark.parametrize("members", [5, 60])
def test_a_job_costs_the_same_queries_however_many_are_told(
    members: int, django_capture_on_commit_callbacks: Any
) -> None:
    scene = scene_make()
    for _ in range(members):
        member_add(scene.network, kind=MemberKind.PROFESSIONAL)
    with django_capture_on_commit_callbacks(execute=False):
        concern_raise_for_test(scene)
    (job,) = NotificationJob.objects.all()

    with CaptureQueriesContext(connection) as queries:
        told = notification_job_run(job_id=job.pk)

    assert told == members + 2
    assert len(queries) <= 12
