"""The Celery application: Redis as broker when REDIS_URL is set, a local folder otherwise."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("caregraph")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

for folder in (app.conf.broker_transport_options or {}).values():
    # The embedded file broker needs its folders before the worker or a producer starts.
    if isinstance(folder, str) and folder.startswith("/"):
        Path(folder).mkdir(parents=True, exist_ok=True)
