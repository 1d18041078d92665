"""The secret in each member's calendar feed address: made, replaced and revoked.

Only a hash of the token is stored, so a copy of the database cannot open anyone's feed.
A user has at most one live token: making a new one revokes the old at once.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from calendars.models import CalendarFeedToken

# How often the last use is written down: a calendar app polls every few minutes.
LAST_USED_PRECISION = datetime.timedelta(hours=1)
# Longer than any token made here (43 characters): anything longer is not looked up.
MAX_TOKEN_LENGTH = 100


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_token_create(*, user: User) -> str:
    """Gives the user a new feed token and returns it, the only time it is ever shown.

    Any token they had stops working at once: this is also how a token is rotated.
    """
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        feed_token_revoke(user=user)
        CalendarFeedToken.objects.create(user=user, token_hash=feed_token_hash(token))
    return token


def feed_token_rotate(*, user: User) -> str:
    """Replaces the user's feed token, for a feed address that may have leaked."""
    return feed_token_create(user=user)


def feed_token_revoke(*, user: User) -> int:
    """Stops the user's feed address working; returns how many tokens it revoked."""
    return CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def feed_token_note_use(*, token_id: int, last_used_at: datetime.datetime | None) -> None:
    """Notes that the token was used now, at most once within `LAST_USED_PRECISION`."""
    now = timezone.now()
    if last_used_at is None or last_used_at < now - LAST_USED_PRECISION:
        CalendarFeedToken.objects.filter(pk=token_id).update(last_used_at=now)
