"""How an API request proves who sent it with a token, and the two-factor duty at every use."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied

from api.models import ApiToken
from api.tokens import api_token_get
from caregraph.policy import (
    TwoFactorShortfall,
    credential_two_factor_shortfall,
    staff_memo_start,
)

REFUSED_UNKNOWN = "This token is not valid: ask for a new one"
REFUSED_EXPIRED = "This token has expired: ask for a new one"
REFUSED_MFA_NOT_SET_UP = (
    "Set up two-factor authentication first: sign in on the website and add an "
    "authenticator app, then ask for a new token with a code from it"
)
REFUSED_CODE_NOT_GIVEN = (
    "This token was issued without a code from your authenticator app, which your account "
    "now needs: ask for a new token with a code from it"
)


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, held to the same duties at every use as a web session.

    A token works for API_TOKEN_LIFETIME_DAYS after it was issued. Whoever must use two-factor
    sign-in (caregraph.policy) is refused while they have no authenticator app (403), and a
    token issued to them without a code from it stops working (401). Every API view uses
    this class, so no endpoint can forget the duty.
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        token = api_token_get(key=key)
        if token is None or not token.user.is_active:
            raise AuthenticationFailed(REFUSED_UNKNOWN)
        lifetime = timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)
        if token.created_at < timezone.now() - lifetime:
            raise AuthenticationFailed(REFUSED_EXPIRED)
        # The user object lives for this request only: it may remember its staff rows (and
        # its authenticator app, read with them) for the duty below and the views' standing.
        staff_memo_start(token.user)
        shortfall = credential_two_factor_shortfall(user=token.user, code_given=token.code_given)
        if shortfall is TwoFactorShortfall.NOT_SET_UP:
            raise PermissionDenied(REFUSED_MFA_NOT_SET_UP)
        if shortfall is TwoFactorShortfall.CODE_NOT_GIVEN:
            raise AuthenticationFailed(REFUSED_CODE_NOT_GIVEN)
        return token.user, token
