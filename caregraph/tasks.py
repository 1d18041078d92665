"""Background jobs of the care graph. Each takes ids and is safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from caregraph.models import Invitation


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def invitation_send_task(invitation_id: int, token: str) -> None:
    """E-mails an invitation. It names nobody: the network is shown only after sign-in."""
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is None or invitation.accepted_at or invitation.revoked_at:
        return
    link = settings.SITE_URL.rstrip("/") + reverse("invitation_accept", args=[token])
    send_mail(
        subject="You have been invited to a care network on Caregraph",
        message=(
            "Hello,\n\n"
            "You have been invited to join a care network on Caregraph, where the people "
            "who support someone share a calendar, updates and who to contact.\n\n"
            f"To accept, open this link (it works until "
            f"{invitation.expires_at:%d %B %Y}):\n\n{link}\n\n"
            "If you did not expect this, you can ignore this e-mail.\n\nCaregraph\n"
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )
