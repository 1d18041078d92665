"""Real Celery worker and beat processes for the outbox tests, on a private queue."""

from __future__ import annotations

import os
import re
import signal
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from kombu import pools as kombu_pools

from config.celery import app as celery_app
from tests import services


class Celery:
    """Starts workers and a beat that share one private queue, broker and mail server."""

    def __init__(
        self, *, database_url: str, broker_url: str, email_url: str, lease_seconds: int, tmp: Path
    ) -> None:
        self.queue = f"test-outbox-{uuid.uuid4().hex[:8]}"
        self.env = services.child_env(
            database_url,
            DJANGO_SETTINGS_MODULE="tests.notifications.worker_settings",
            REDIS_URL=broker_url,
            CELERY_BROKER_URL=broker_url,
            EMAIL_URL=email_url,
            OUTBOX_LEASE_SECONDS=str(lease_seconds),
            CAREGRAPH_TEST_QUEUE=self.queue,
            CAREGRAPH_TEST_BEAT_SCHEDULE=str(tmp / "celerybeat-schedule"),
        )
        self.broker_url = broker_url
        self.processes: list[services.Process] = []
        self.beats: list[services.Process] = []

    def worker_start(self, name: str, *, supervised: bool = False) -> services.Process:
        """A worker; `supervised` runs it as the Procfile does, under config.supervise."""
        return self._start(
            [
                "worker",
                "--pool",
                "solo",  # the task runs in this very process, so killing it kills the send
                "--queues",
                self.queue,
                "--hostname",
                f"{name}-{self.queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "INFO",
            ],
            name,
            supervised=supervised,
        )

    def beat_start(self) -> services.Process:
        beat = self._start(["beat", "--loglevel", "INFO"], "beat")
        self.beats.append(beat)
        return beat

    def _start(self, args: list[str], name: str, *, supervised: bool = False) -> services.Process:
        supervisor = [sys.executable, "-m", "config.supervise"] if supervised else []
        process = services.Process(
            [*supervisor, sys.executable, "-m", "celery", "-A", "config", *args],
            self.env,
            name=f"{self.queue}-{name}",
        )
        self.processes.append(process)
        return process

    def stop(self, *, redis_url: str) -> None:
        """Stops beat first, so that no task is queued for workers that have gone."""
        for process in [*self.beats, *self.processes]:
            process.stop()
        redis.Redis.from_url(redis_url).delete(
            self.queue, f"_kombu.binding.{self.queue}", f"_kombu.binding_permanent.{self.queue}"
        )


def kill(process: services.Process) -> None:
    """SIGKILL: no cleanup, no goodbye to the mail server, no acknowledgement to the broker."""
    os.kill(process.popen.pid, signal.SIGKILL)
    process.popen.wait(10)


def supervised_children(process: services.Process) -> list[int]:
    """The pids a supervisor has started, in order, read from what it printed."""
    return [int(pid) for pid in re.findall(r"supervise: started pid (\d+)", process.output())]


@contextmanager
def app_broker(url: str, *, queue: str) -> Iterator[None]:
    """Points this process's Celery producer at another broker and queue for a while."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_default_queue, conf.task_always_eager
    os.environ.pop("CELERY_BROKER_URL", None)  # it would win over the configuration

    def reset_pools() -> None:
        # Celery keeps its producer connections for the broker it first met; forget them,
        # and kombu's process-wide pools too, or a later test acquires from a closed one.
        kombu_pools.reset()
        celery_app._pool = None  # type: ignore[attr-defined]
        celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]

    conf["broker_url"], conf.task_default_queue, conf.task_always_eager = url, queue, False
    reset_pools()
    try:
        yield
    finally:
        conf["broker_url"], conf.task_default_queue, conf.task_always_eager = saved
        reset_pools()
