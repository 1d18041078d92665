"""How long a signed-in session lasts: the rule every way in (pages, API, sockets) asks."""

import time

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

SESSION_STARTED_KEY = "caregraph_started_at"
SESSION_SEEN_KEY = "caregraph_seen_at"
# Write the last-seen time at most this often, so reads do not each save the session.
SEEN_RESOLUTION_SECONDS = 60


def session_is_expired(*, session: SessionBase, now: float | None = None) -> bool:
    """A session ends after SESSION_IDLE_SECONDS unused or SESSION_ABSOLUTE_SECONDS in all."""
    now = time.time() if now is None else now
    started = session.get(SESSION_STARTED_KEY)
    seen = session.get(SESSION_SEEN_KEY)
    if started is None or seen is None:
        return False
    return (
        now - seen > settings.SESSION_IDLE_SECONDS
        or now - started > settings.SESSION_ABSOLUTE_SECONDS
    )


def session_seen(*, session: SessionBase, now: float) -> None:
    """Notes that the session was used now (at most every SEEN_RESOLUTION_SECONDS)."""
    session.setdefault(SESSION_STARTED_KEY, now)
    if now - session.get(SESSION_SEEN_KEY, 0) > SEEN_RESOLUTION_SECONDS:
        session[SESSION_SEEN_KEY] = now
