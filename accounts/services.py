"""Writes about accounts."""

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
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


def user_sms_number(user: User) -> str:
    """The number texts go to: the user's mobile in E.164, once they have proved it by
    typing back a code (`notifications.phone`); empty otherwise."""
    if not user.phone or user.phone_verified_at is None:
        return ""
    return str(user.phone.as_e164)


DISPLAY_NAME_MAX = 150


def user_display_name_change(*, user: User, display_name: str) -> User:
    """Sets the name other members see. It must say something: an empty name would leave
    members seeing "User 12" beside what this user wrote."""
    name = " ".join(display_name.split())
    if not name:
        raise ValidationError({"display_name": ["Enter your name"]})
    if len(name) > DISPLAY_NAME_MAX:
        raise ValidationError(
            {"display_name": [f"Your name must be {DISPLAY_NAME_MAX} characters or fewer"]}
        )
    user.display_name = name
    user.save(update_fields=["display_name"])
    return user
