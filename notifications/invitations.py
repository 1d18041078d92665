"""Inviting someone to a network by e-mail: the invitation and its e-mail, stored together.

The e-mail says only that there is an invitation and links to it: never the person's name
or anything about them; the network is shown only after sign-in. It leaves through the
outbox like every other message, so the secret link is in the stored e-mail and never in
a task's arguments.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from agencies.models import Agency
from caregraph.models import Invitation, Network, Visibility
from caregraph.policy import Viewer
from caregraph.services.networks import invitation_record
from notifications.outbox import outbox_message_write

INVITATION_SUBJECT = "You have been invited to a care network on Caregraph"


def invitation_email_body(*, invitation: Invitation, token: str) -> str:
    link = settings.SITE_URL.rstrip("/") + reverse("invitation_accept", args=[token])
    return (
        "Hello,\n\n"
        "You have been invited to join a care network on Caregraph, where the people "
        "who support someone share a calendar, updates and who to contact.\n\n"
        f"To accept, open this link (it works until "
        f"{invitation.expires_at:%d %B %Y}):\n\n{link}\n\n"
        "If you did not expect this, you can ignore this e-mail.\n\nCaregraph\n"
    )


def invitation_create(
    *,
    network: Network,
    invited_by: User,
    viewer: Viewer,
    email: str,
    kind: str,
    relationship: str = "",
    agency: Agency | None = None,
    visibility: str = Visibility.NETWORK,
) -> tuple[Invitation, str]:
    """Invites someone by e-mail; returns the invitation and its secret token (sent once).

    Only a coordinator invites (`invitation_record` says who may be invited, and how). The
    invitation and its e-mail are stored in one transaction, and the e-mail is sent once
    that commits.
    """
    with transaction.atomic():
        invitation, token = invitation_record(
            network=network,
            invited_by=invited_by,
            viewer=viewer,
            email=email,
            kind=kind,
            relationship=relationship,
            agency=agency,
            visibility=visibility,
        )
        outbox_message_write(
            user_id=None,
            to_address=invitation.email,
            subject=INVITATION_SUBJECT,
            body=invitation_email_body(invitation=invitation, token=token),
            dedupe_key=f"invitation:{invitation.pk}",
        )
    return invitation, token
