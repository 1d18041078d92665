"""Two-factor sign-in: who must use it, and whether a credential meets that duty."""

from __future__ import annotations

from enum import Enum

from allauth.mfa.models import Authenticator
from django.contrib.sessions.backends.base import SessionBase

from accounts.two_factor import session_code_given
from caregraph.policy.audiences import AnyUser
from caregraph.policy.standing import authenticator_memo, user_is_agency_staff

# =============================================================================================
# Two-factor sign-in: who must use it, and whether a credential meets that duty.
#
# Every way in asks here each time it is used: a page or an API call on a web session
# (config.middleware), an API token (api.authentication) and a WebSocket, which rides on
# the session (caregraph.consumers, notifications.consumers). A credential is checked when it is
# used, not only when it was issued, so a user who becomes agency staff, or whose
# authenticator app is removed, is held to the duty at their next request.
#
# =============================================================================================


class TwoFactorShortfall(Enum):
    """Why a credential falls short of the two-factor duty."""

    # The user must use two-factor sign-in but has no authenticator app.
    NOT_SET_UP = "not_set_up"
    # The user has one, but this credential was made without a code from it: a web session
    # signed in before the app was added elsewhere, or an API token issued without a code.
    CODE_NOT_GIVEN = "code_not_given"


def user_must_use_two_factor(*, user: AnyUser) -> bool:
    """Agency staff and site operators must use an authenticator app; family may choose to."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return True
    return user_is_agency_staff(user=user)


def user_has_authenticator(*, user: AnyUser) -> bool:
    """Whether the user has an authenticator app (TOTP) to give codes from."""
    if not user.is_authenticated:
        return False
    memo = authenticator_memo(user)
    if memo is not None:
        return memo
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def credential_two_factor_shortfall(
    *, user: AnyUser, code_given: bool
) -> TwoFactorShortfall | None:
    """What keeps a credential from meeting the two-factor duty; None when it meets it.

    `code_given` says whether the credential was made with a code from the user's
    authenticator app (or a recovery code): the sign-in or confirmation of a web session, or
    the request that issued an API token. Whoever must use two-factor sign-in needs both an
    authenticator app now and a credential made with its code. Everyone else meets the duty
    with any credential.
    """
    if not user_must_use_two_factor(user=user):
        return None
    if not user_has_authenticator(user=user):
        return TwoFactorShortfall.NOT_SET_UP
    if not code_given:
        return TwoFactorShortfall.CODE_NOT_GIVEN
    return None


def session_two_factor_shortfall(
    *, user: AnyUser, session: SessionBase
) -> TwoFactorShortfall | None:
    """The policy's two-factor duty, asked for a web session: pages, API calls and sockets."""
    return credential_two_factor_shortfall(
        user=user, code_given=session_code_given(session=session)
    )
