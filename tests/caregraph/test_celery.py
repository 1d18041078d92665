"""Background jobs: queued after commit, run by a separate worker process over real Redis."""

import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from accounts.tasks import session_clear_expired_task
from config.celery import app as celery_app
from tests import services

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(test_database_url: str) -> Iterator[str]:
    """A real Celery worker process on its own queue; yields the queue name."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    process = services.Process(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
        ],
        services.child_env(test_database_url),
        name=f"celery-{queue}",
    )
    celery_app.conf.task_always_eager = False
    yield queue
    process.stop()


def expired_session() -> str:
    store = SessionStore()
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )
    return str(store.session_key)


def test_a_task_queued_after_commit_runs_in_a_separate_worker(worker: str) -> None:
    with transaction.atomic():
        key = expired_session()
        transaction.on_commit(lambda: session_clear_expired_task.apply_async(queue=worker))

    services.wait_until(
        lambda: not Session.objects.filter(session_key=key).exists(),
        timeout=30,
        what="the worker to clear the expired session",
    )


def test_a_rolled_back_change_queues_nothing(settings) -> None:  # type: ignore[no-untyped-def]
    queue = f"test-idle-{uuid.uuid4().hex[:8]}"  # no worker listens: messages stay put
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    celery_app.conf.task_always_eager = False
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            transaction.on_commit(lambda: session_clear_expired_task.apply_async(queue=queue))
            raise RuntimeError("the change failed")
        assert broker.llen(queue) == 0

        with transaction.atomic():
            transaction.on_commit(lambda: session_clear_expired_task.apply_async(queue=queue))
        assert broker.llen(queue) == 1
    finally:
        broker.delete(queue)
