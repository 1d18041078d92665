"""Text messages through GOV.UK Notify. The relay calls this for outbox messages on the
"sms" channel; nothing else sends a text."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from notifications_python_client.notifications import NotificationsAPIClient


def sms_send(*, to: str, body: str, reference: str) -> None:
    """Sends one text through Notify's template whose only content is ((body)).

    `reference` is ours (the outbox message's), so Notify's records can be matched to it.
    Notify's errors (HTTPError, with the status) are left to raise for the relay to retry.
    """
    if not settings.NOTIFY_API_KEY or not settings.NOTIFY_SMS_TEMPLATE_ID:
        raise ImproperlyConfigured("NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID are needed for texts")
    NotificationsAPIClient(settings.NOTIFY_API_KEY).send_sms_notification(
        phone_number=to,
        template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
        personalisation={"body": body},
        reference=reference,
    )
