"""API tokens: issued, found and revoked. Only a hash of each key is stored."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from accounts.models import User
from api.models import ApiToken


def api_token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_issue(*, user: User, code_given: bool) -> str:
    """A new token for the user, returned this once only; any token they had stops working.

    `code_given` records whether the request that asked for it gave a code from the user's
    authenticator app, which the two-factor duty asks of staff at every use.
    """
    key = secrets.token_hex(20)
    with transaction.atomic():
        ApiToken.objects.filter(user=user).delete()
        ApiToken.objects.create(user=user, key_hash=api_token_hash(key), code_given=code_given)
    return key


def api_token_revoke(*, user: User) -> None:
    ApiToken.objects.filter(user=user).delete()


def api_token_get(*, key: str) -> ApiToken | None:
    """The token with this key, and its user, or None when there is none."""
    return ApiToken.objects.select_related("user").filter(key_hash=api_token_hash(key)).first()
