"""Embedded mode: the same worker and periodic jobs run locally, with no Redis at all."""

import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from tests import services

pytestmark = pytest.mark.django_db(transaction=True)


def test_beat_and_worker_run_periodic_jobs_without_redis(
    test_database_url: str, tmp_path: Path
) -> None:
    store = SessionStore()
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )
    env = services.child_env(
        test_database_url,
        REDIS_URL="",
        CELERY_BROKER_URL="",
        CAREGRAPH_VAR_DIR=str(tmp_path),
        SESSION_CLEAR_INTERVAL_SECONDS="1",
    )
    env.pop("CELERY_BROKER_URL")
    process = services.Process(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--beat",
            "--pool",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
        ],
        env,
        name="celery-embedded",
    )
    try:
        services.wait_until(
            lambda: not Session.objects.filter(session_key=store.session_key).exists(),
            timeout=40,
            what="the embedded beat and worker to clear the expired session",
        )
        assert "transport:   filesystem://" in process.output()
    finally:
        process.stop()
