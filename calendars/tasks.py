"""The calendar's periodic work: reminders coming due."""

from __future__ import annotations

from celery import shared_task

from calendars.services.reminders import reminders_send_due, reminders_top_up


@shared_task
def reminder_send_due_task() -> int:
    """Schedules reminders for occurrences coming into range, then writes the due ones to
    the outbox. Safe to run twice, or in two workers at once: each reminder is claimed by a
    conditional update and each outbox message has a unique key. Returns how many it wrote."""
    reminders_top_up()
    return len(reminders_send_due())
