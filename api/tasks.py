"""Periodic housekeeping for the API. Each task is safe to run twice."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from api.models import IdempotencyKey

IDEMPOTENCY_KEY_LIFETIME = timedelta(hours=24)
"""How long a retry is recognised: clients retry within minutes, so a day is generous."""


@shared_task
def idempotency_key_purge_task() -> int:
    """Forgets stored answers older than a day; returns how many went."""
    cutoff = timezone.now() - IDEMPOTENCY_KEY_LIFETIME
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
