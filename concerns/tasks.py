"""Background jobs of concerns. Each is safe to run twice, and on several workers at once."""

from celery import shared_task

from concerns.escalation import concern_escalate_due


@shared_task
def concern_escalate_due_task() -> int:
    """Run by Celery beat (``concern-escalate-due``): escalates what is due, once each."""
    return concern_escalate_due()
