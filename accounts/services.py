"""Writes about accounts."""

from allauth.account.models import EmailAddress
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from accounts.consumers import user_group_name
from accounts.models import User


@transaction.atomic
def user_create(
    *, email: str, password: str | None, display_name: str = "", email_verified: bool = False
) -> User:
    """Creates a user with one primary e-mail address.

    The address is lower-cased, so that the same person cannot hold two accounts that
    differ only in capitals. Unverified addresses are asked to verify at first sign-in.
    """
    user = User.objects.create_user(email, password, display_name=display_name)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    return user


def notice_publish(*, user_id: int, text: str) -> None:
    """Sends a short notice to every open socket of one user.

    The channel layer is only the doorbell: a notice that nobody is connected to hear is
    dropped, so it must never be the only record of anything.
    """
    channel_layer = get_channel_layer()
    if channel_layer is None:
        return
    async_to_sync(channel_layer.group_send)(
        user_group_name(user_id), {"type": "notice.message", "text": text}
    )
