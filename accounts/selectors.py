"""Reads about accounts: who must use two-factor authentication, and whether they do."""

from allauth.mfa.models import Authenticator
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser


def user_requires_mfa(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Agency staff and site operators must use an authenticator app; family may choose to."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return True
    from caregraph.policy import user_is_agency_staff

    return user_is_agency_staff(user=user)


def user_has_mfa(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def user_mfa_missing(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    """True when the user must set up an authenticator app before doing anything else."""
    return user_requires_mfa(user=user) and not user_has_mfa(user=user)
