"""What `celery beat` runs, and how often: the periodic sweeps and purges (CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import environ
from celery.schedules import crontab


def beat_schedule(env: environ.Env) -> dict[str, dict[str, Any]]:
    """The schedule; each sweep's interval can be set from the environment."""
    return {
        "session-clear-expired": {
            "task": "accounts.tasks.session_clear_expired_task",
            "schedule": timedelta(seconds=env.int("SESSION_CLEAR_INTERVAL_SECONDS", default=3600)),
        },
        "concern-escalate-due": {
            "task": "concerns.tasks.concern_escalate_due_task",
            "schedule": timedelta(seconds=env.int("ESCALATION_SWEEP_SECONDS", default=60)),
        },
        "outbox-sweep": {
            "task": "notifications.tasks.outbox_sweep_task",
            "schedule": timedelta(seconds=env.int("OUTBOX_SWEEP_SECONDS", default=30)),
        },
        "notification-digest": {
            "task": "notifications.tasks.notification_digest_send_task",
            "schedule": crontab(minute=0, hour=7),
        },
        "reminder-send-due": {
            "task": "calendars.tasks.reminder_send_due_task",
            "schedule": timedelta(seconds=env.int("REMINDER_SWEEP_SECONDS", default=60)),
        },
        "idempotency-keys-purge": {
            "task": "api.tasks.idempotency_key_purge_task",
            "schedule": crontab(minute=47, hour=2),
        },
        "sign-in-attempts-purge": {
            "task": "accounts.tasks.signin_attempts_purge_task",
            "schedule": crontab(minute=37, hour=3),
        },
    }
