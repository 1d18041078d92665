"""Settings for the Celery worker and beat processes that the outbox tests start.

The project's own settings, with what a test needs to see a failure within seconds: a
private queue (so nothing else consumes its tasks), a lease of a few seconds, and a sweep
every second that leaves no grace to the after-commit send.
"""

import os

from config.settings import *  # noqa: F403

OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", "300"))
OUTBOX_SWEEP_GRACE_SECONDS = 0
OUTBOX_SMTP_TIMEOUT_SECONDS = 30

CELERY_TASK_DEFAULT_QUEUE = os.environ["CAREGRAPH_TEST_QUEUE"]
CELERY_BEAT_SCHEDULE_FILENAME = os.environ["CAREGRAPH_TEST_BEAT_SCHEDULE"]
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "notifications.tasks.outbox_sweep_task", "schedule": 1.0},
}
