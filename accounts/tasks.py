"""Periodic housekeeping for sign-in. Each task is safe to run twice."""

from axes.models import AccessAttempt
from celery import shared_task
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task
def session_clear_expired_task() -> int:
    """Deletes sessions past their expiry date; returns how many went."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task
def signin_attempts_purge_task() -> int:
    """Forgets failed sign-in attempts older than the lockout cool-off period."""
    cutoff = timezone.now() - settings.AXES_COOLOFF_TIME
    deleted, _ = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()
    return deleted
