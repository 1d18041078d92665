"""What a member's feed is made of, summed up before it is built: its ETag, when it last
changed, and the bodies already built for it.

Calendar apps poll a feed every few minutes and it rarely changes. Its version is a hash of
everything its bytes depend on: whom it is for and what they may see in each network (their
audiences there), and of the events they may see, their number, ids, sequences and newest
change (every change to an event or one of its occurrences raises its sequence and its
`updated_at`; one gone lowers the count and the sum of ids), and of their changed
occurrences; the site's address, the year (the VTIMEZONEs span from it) and the format. Two
grouped queries answer it, without reading the events. They run only when the feed's stamp
is new (`calendars.feed_stamps`); a stamp seen before answers from the version found for it.
Access is checked first: only a live token's holder has a version, and what they may see now
is part of it.
"""

from __future__ import annotations

import datetime
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.utils import timezone

from calendars.models import CalendarEvent, EventException, EventStatus
from calendars.selectors import FeedContents

# Raised whenever the way a feed is written changes, so no app keeps an old copy.
FEED_FORMAT = 1
# Feed bodies kept in memory by each process, in bytes, across every feed it serves.
BODIES_CACHED_BYTES = 32 * 1024 * 1024
# How long the moment a member's feed last changed is remembered.
CHANGED_AT_SECONDS = 30 * 24 * 3600


def feed_version(*, user_id: int, contents: FeedContents) -> str:
    """The feed's strong ETag (quoted), from two grouped queries; nothing is built.

    Events (and their changed occurrences) are summed up by network, visibility, author and
    author agency, and a group counts when the user's standing there may see records of that
    visibility and author (`Viewer.may_see`, the policy's own test, the same as the filter
    the feed is read with): a change the user may not see changes nothing they are told.
    """
    viewers = contents.viewers
    groups = ("network_id", "visibility", "created_by_id", "author_agency_id")
    events = (
        CalendarEvent.objects.filter(network_id__in=list(viewers), status=EventStatus.CONFIRMED)
        .order_by()
        .values_list(*groups)
        .annotate(Count("pk"), Sum("pk"), Sum("sequence"), Max("updated_at"))
    )
    changed = (
        EventException.objects.filter(
            event__network_id__in=list(viewers), event__status=EventStatus.CONFIRMED
        )
        .order_by()
        .values_list(*(f"event__{group}" for group in groups))
        .annotate(Count("pk"), Sum("pk"), Max("updated_at"))
    )

    def seen(rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        return sorted(
            (
                row
                for row in rows
                if viewers[row[0]].may_see(
                    visibility=row[1], author_id=row[2], author_agency_id=row[3]
                )
            ),
            key=repr,
        )

    parts = (
        FEED_FORMAT,
        user_id,
        settings.SITE_URL,
        timezone.localdate().year,
        sorted(
            (network_id, sorted(standing.audiences)) for network_id, standing in viewers.items()
        ),
        seen(events),
        seen(changed),
    )
    return '"' + hashlib.sha256(repr(parts).encode()).hexdigest()[:40] + '"'


def feed_changed_at(*, user_id: int, version: str) -> datetime.datetime | None:
    """When this user's feed became this version (to the second), for Last-Modified; None
    when that cannot be told (the cache is away), so that If-Modified-Since never answers
    304 for a feed that may have changed."""
    key = f"calendar-feed-changed:{user_id}"
    known = cache.get(key)
    if isinstance(known, tuple) and len(known) == 2 and known[0] == version:
        return datetime.datetime.fromtimestamp(known[1], tz=datetime.UTC)
    now = int(timezone.now().timestamp())
    if isinstance(known, tuple) and len(known) == 2 and isinstance(known[1], int):
        # Later than the version before, even within its second: an app holding that one
        # must not be told this one is not newer.
        now = max(now, known[1] + 1)
    cache.set(key, (version, now), CHANGED_AT_SECONDS)
    if cache.get(key) != (version, now):
        return None  # not remembered: next time could not tell it from a change
    return datetime.datetime.fromtimestamp(now, tz=datetime.UTC)


class _Bodies:
    """Built feeds by version, least recently used first out, within a byte budget."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self.entries: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, version: str) -> bytes | None:
        with self.lock:
            found = self.entries.get(version)
            if found is not None:
                self.entries.move_to_end(version)
            return found

    def put(self, version: str, body: bytes) -> None:
        if len(body) > self.budget:
            return
        with self.lock:
            old = self.entries.pop(version, None)
            if old is not None:
                self.used -= len(old)
            self.entries[version] = body
            self.used += len(body)
            while self.used > self.budget:
                _version, dropped = self.entries.popitem(last=False)
                self.used -= len(dropped)


feed_bodies = _Bodies(BODIES_CACHED_BYTES)
