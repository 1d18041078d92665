"""Tasks people sign up for: claim, release, done or not done, and the race to claim."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections

from accounts.models import User
from calendars.models import CareTask, TaskOutcome
from calendars.selectors import task_list_visible_to, task_open_list_visible_to
from calendars.services.tasks import (
    TaskTaken,
    task_claim,
    task_complete,
    task_create,
    task_release,
)
from caregraph.models import MemberKind, Network, NetworkEventKind, Visibility
from tests.calendars.conftest import Circle, utc
from tests.networks import member_add, viewer


def _task(network: Network, user: User, **fields: object) -> CareTask:
    values: dict[str, object] = {
        "title": "Collect the prescription",
        "due_at": datetime.datetime(2026, 12, 8, 17, 0),
    }
    values.update(fields)
    return task_create(
        network=network,
        viewer=viewer(network, user),
        created_by=user,
        **values,  # type: ignore[arg-type]
    )


@pytest.mark.django_db
def test_a_member_claims_an_open_task_and_it_is_no_longer_open(circle: Circle) -> None:
    task = _task(circle.network, circle.coordinator)
    family = viewer(circle.network, circle.family)
    assert list(task_open_list_visible_to(viewer=family)) == [task]

    claimed = task_claim(task=task, viewer=family, claimed_by=circle.family)

    assert claimed.claimed_by == circle.family
    assert list(task_open_list_visible_to(viewer=family)) == []
    logged = circle.network.events.order_by("-sequence").first()
    assert logged is not None
    assert logged.kind == NetworkEventKind.EVENT_CHANGED
    assert logged.payload["object"] == "care_task"
    assert logged.payload["change"] == "claimed"


@pytest.mark.django_db
def test_a_second_claim_is_told_someone_got_there_first(circle: Circle) -> None:
    task = _task(circle.network, circle.coordinator)
    task_claim(task=task, viewer=viewer(circle.network, circle.family), claimed_by=circle.family)

    with pytest.raises(TaskTaken):
        task_claim(
            task=task,
            viewer=viewer(circle.network, circle.professional),
            claimed_by=circle.professional,
        )

    task.refresh_from_db()
    assert task.claimed_by == circle.family


@pytest.mark.django_db
def test_a_released_task_is_open_again_for_someone_else(circle: Circle) -> None:
    task = _task(circle.network, circle.coordinator)
    family = viewer(circle.network, circle.family)
    task = task_claim(task=task, viewer=family, claimed_by=circle.family)

    task_release(task=task, viewer=family, released_by=circle.family)
    task = task_claim(
        task=task,
        viewer=viewer(circle.network, circle.professional),
        claimed_by=circle.professional,
    )

    assert task.claimed_by == circle.professional


@pytest.mark.django_db
def test_only_the_holder_or_a_coordinator_may_give_a_task_back(circle: Circle) -> None:
    task = _task(circle.network, circle.coordinator)
    task = task_claim(
        task=task, viewer=viewer(circle.network, circle.family), claimed_by=circle.family
    )

    with pytest.raises(PermissionDenied):
        task_release(
            task=task,
            viewer=viewer(circle.network, circle.professional),
            released_by=circle.professional,
        )


@pytest.mark.django_db
def test_a_task_marked_not_done_cannot_be_claimed_or_marked_again(circle: Circle) -> None:
    task = _task(circle.network, circle.coordinator)
    family = viewer(circle.network, circle.family)
    task = task_claim(task=task, viewer=family, claimed_by=circle.family)

    task = task_complete(
        task=task, viewer=family, completed_by=circle.family, outcome=TaskOutcome.NOT_DONE
    )

    assert task.outcome == TaskOutcome.NOT_DONE
    with pytest.raises(ValidationError) as refused:
        task_complete(task=task, viewer=family, completed_by=circle.family, outcome="done")
    assert list(refused.value.message_dict) == ["outcome"]
    task_release_refused = pytest.raises(ValidationError)
    with task_release_refused:
        task_release(task=task, viewer=family, released_by=circle.family)


@pytest.mark.django_db
def test_a_due_time_in_the_missing_spring_hour_is_refused_and_nothing_is_stored(
    circle: Circle,
) -> None:
    with pytest.raises(ValidationError) as refused:
        _task(circle.network, circle.family, due_at=datetime.datetime(2027, 3, 28, 1, 30))

    assert list(refused.value.message_dict) == ["due_at"]
    assert CareTask.objects.count() == 0


@pytest.mark.django_db
def test_family_do_not_see_a_professionals_only_task(circle: Circle) -> None:
    _task(circle.network, circle.coordinator, visibility=Visibility.PROFESSIONALS)

    assert list(task_list_visible_to(viewer=viewer(circle.network, circle.family))) == []
    assert len(task_list_visible_to(viewer=viewer(circle.network, circle.professional))) == 1


@pytest.mark.django_db
def test_a_due_time_is_stored_as_the_instant_it_names(circle: Circle) -> None:
    task = _task(circle.network, circle.family, due_at=datetime.datetime(2027, 4, 6, 9, 0))

    assert task.due_at == utc(2027, 4, 6, 8, 0)  # 09:00 BST


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_members_claiming_at_the_same_moment_exactly_one_wins(circle: Circle) -> None:
    """Both read the task as open before either writes: the conditional UPDATE decides."""
    task = _task(circle.network, circle.coordinator)
    second = member_add(circle.network, kind=MemberKind.FRIEND).user
    claimants = [circle.family, second]
    standings = [viewer(circle.network, user) for user in claimants]
    both_ready = threading.Barrier(2, timeout=20)
    outcomes: dict[int, str] = {}
    errors: list[BaseException] = []

    def claim(index: int) -> None:
        try:
            seen = CareTask.objects.get(pk=task.pk)  # each thread: its own connection
            assert seen.claimed_by_id is None
            both_ready.wait()
            task_claim(task=seen, viewer=standings[index], claimed_by=claimants[index])
            outcomes[index] = "won"
        except TaskTaken:
            outcomes[index] = "taken"
        except BaseException as error:
            errors.append(error)
            both_ready.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(index,)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert sorted(outcomes.values()) == ["taken", "won"]
    winner = claimants[next(index for index, outcome in outcomes.items() if outcome == "won")]
    task.refresh_from_db()
    assert task.claimed_by_id == winner.pk
    claims_logged = circle.network.events.filter(payload__change="claimed").count()
    assert claims_logged == 1
