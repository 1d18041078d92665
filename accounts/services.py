"""Writes about accounts."""

from allauth.account.models import EmailAddress
from django.db import transaction

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
