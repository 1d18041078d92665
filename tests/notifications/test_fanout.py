"""A change writes one notification job in its transaction; its rows are written after."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caregraph.models import MemberKind
from caregraph.services.networks import membership_end
from notifications.fanout import notification_job_run
from notifications.models import Notification, NotificationJob, OutboxMessage
from tests.networks import member_add, viewer
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
    # The standing of everyone in the network is read once (four queries), however many.
    assert len(queries) <= 14


def test_a_concerns_request_reads_no_more_in_a_big_network_and_its_job_tells_who_may_see(
    scene: Scene, django_capture_on_commit_callbacks: Any
) -> None:
    """Who may open the concern is worked out by the job after commit, from the standing
    everyone has then: the request costs the same at 4 members as at 44."""

    def raise_and_count() -> tuple[list[str], list[Any]]:
        with (
            django_capture_on_commit_callbacks(execute=False) as callbacks,
            CaptureQueriesContext(connection) as queries,
        ):
            concern_raise_for_test(scene, severity="high")
        return [query["sql"] for query in queries.captured_queries], callbacks

    small, _ = raise_and_count()
    professionals = [member_add(scene.network, kind=MemberKind.PROFESSIONAL) for _ in range(20)]
    for _ in range(20):
        member_add(scene.network, kind=MemberKind.FAMILY, relationship="Cousin")
    NotificationJob.objects.all().delete()
    big, callbacks = raise_and_count()
    assert len(big) == len(small)
    whole_network = [  # the raiser's own standing is read; nobody else's
        sql for sql in big if 'FROM "caregraph_membership"' in sql and '"user_id" = ' not in sql
    ]
    assert not whole_network

    leaving = professionals[0]
    membership_end(
        membership=leaving,
        ended_by=scene.practitioner,
        viewer=viewer(scene.network, scene.practitioner),
    )
    for callback in callbacks:
        callback()

    told = dict(Notification.objects.values_list("user_id", "kind"))
    assert told == {
        scene.lead.pk: "concern.acknowledge",
        scene.colleague.pk: "concern.raised",
        **{member.user_id: "concern.raised" for member in professionals[1:]},
    }
