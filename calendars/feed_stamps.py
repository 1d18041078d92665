"""A feed's stamp: one query that tells whether anything a feed is made of may have changed.

Calendar apps poll a feed every few minutes and it rarely changes, so an unchanged feed must
cost one cheap lookup. The stamp is read with the token in a single SQL statement, and it
is a hash of everything the feed's bytes and its holder's access depend on:

- the token: live (not revoked) and its user active, or no row at all (the feed is 404);
- the user's standing inputs, as `caregraph.policy.standing.viewers_for_user` reads them:
  their active staff rows (agency, role), their active memberships (each row's id, network,
  kind, agency, coordinator), and, for a safeguarding lead, the networks their agencies are
  involved in today (open involvement, or an active member acting for the agency);
- per network they see, its last event sequence (`Network.last_sequence`): every change to
  an event or one of its occurrences is recorded through `network_change_record`, which
  appends a network event and so raises it (as does every change of membership, involvement
  or visibility made through the services). The events themselves are not read.

Memberships, staff rows and involvements are read as they are, so a membership ended, a
professional's agency left or an involvement closed changes the stamp even when written
without the services (a data fix). A merge, and its undoing, move events between networks
without a network event, so the number of merges and the latest merge and undo are in every
stamp too: they are rare, and after one every feed is worked out again once.

The stamp is not the ETag: it changes for things the user may not see (a professionals-only
event, for a relative). It only keys what a full computation found for the same inputs (the
exact version, when it last changed, the networks to audit), remembered by each process.
A stamp seen before means nothing the feed depends on has changed since, so that answer still
holds; any other stamp goes the long way (the policy, the exact version) again.

Whoever changes what `viewers_for_user` or `FeedContents.events` read must change the query
below with it (tests/calendars/test_feed_stamps.py checks each input).
"""

from __future__ import annotations

import datetime
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max
from django.utils import timezone

from accounts.models import User
from agencies.models import Involvement, StaffMembership, StaffRole
from calendars.models import CalendarFeedToken
from caregraph.models import Membership, MembershipStatus, Merge, Network
from caregraph.policy.standing import involvement_open_now

# Raised whenever the stamp's inputs change, so no process keeps an answer made from others.
STAMP_FORMAT = 1
# Stamps remembered by each process (one per live feed polled; a few hundred bytes each).
KNOWN_STAMPS = 20_000

_LEAD_AGENCIES = f"""
    SELECT s.agency_id FROM {StaffMembership._meta.db_table} s
    WHERE s.user_id = t.user_id AND s.is_active AND s.role = %(lead)s
"""  # nosec B608  # table names from the models; every value a parameter
# Plain correlated subqueries, no CTEs: a third of the planning and running time.
_STAMP_SQL = f"""
SELECT t.id, t.user_id, t.last_used_at,
    ARRAY(
        SELECT s.agency_id || ':' || s.role FROM {StaffMembership._meta.db_table} s
        WHERE s.user_id = t.user_id AND s.is_active ORDER BY 1
    ),
    ARRAY(
        SELECT ROW(m.id, m.network_id, m.kind, m.agency_id, m.is_coordinator, n.last_sequence)::text
        FROM {Membership._meta.db_table} m JOIN {Network._meta.db_table} n ON n.id = m.network_id
        WHERE m.user_id = t.user_id AND m.status = %(active)s ORDER BY m.id
    ),
    CASE WHEN EXISTS ({_LEAD_AGENCIES}) THEN ARRAY(
        SELECT ROW(r.network_id, r.agency_id, n.last_sequence)::text
        FROM (
            SELECT i.network_id, i.agency_id FROM {Involvement._meta.db_table} i
            WHERE i.agency_id IN ({_LEAD_AGENCIES})
              AND (i.ended_on IS NULL OR i.ended_on >= %(today)s)
            UNION
            SELECT m.network_id, m.agency_id FROM {Membership._meta.db_table} m
            WHERE m.agency_id IN ({_LEAD_AGENCIES}) AND m.status = %(active)s
        ) r JOIN {Network._meta.db_table} n ON n.id = r.network_id
        ORDER BY 1
    ) END,
    (SELECT concat_ws(',', count(*), max(id), max(undone_at)) FROM {Merge._meta.db_table})
FROM {CalendarFeedToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id
WHERE t.token_hash = %(hash)s AND t.revoked_at IS NULL AND u.is_active
"""  # nosec B608  # table names from the models; every value a parameter


# On PostgreSQL the query runs as a PL/pgSQL function, whose plan each database session
# keeps: planning the statement was most of a poll's time in the database (0.35 of 0.45 ms).
# A function, not a prepared statement: PgBouncer's transaction mode (`DATABASE_PGBOUNCER`)
# cannot keep those. Its migration (calendars 0003) holds a copy of `stamp_function_sql()`;
# a change to the query needs a new STAMP_FORMAT and a migration creating the new function
# (tests/calendars/test_feed_stamps.py compares the two).
STAMP_FUNCTION = f"caregraph_feed_stamp_{STAMP_FORMAT}"
_FUNCTION_PARAMETERS = {
    "%(hash)s": "p_hash",
    "%(active)s": "p_active",
    "%(lead)s": "p_lead",
    "%(today)s": "p_today",
}


def stamp_function_body() -> str:
    body = _STAMP_SQL
    for placeholder, name in _FUNCTION_PARAMETERS.items():
        body = body.replace(placeholder, name)
    return f"\nBEGIN\nRETURN QUERY {body.strip()};\nEND\n"


def stamp_function_sql() -> str:
    """The statement that makes the function (see `STAMP_FUNCTION`)."""
    return (
        f"CREATE OR REPLACE FUNCTION {STAMP_FUNCTION}"
        "(p_hash text, p_active text, p_lead text, p_today date) RETURNS TABLE ("
        "out_token bigint, out_user bigint, out_used timestamptz, out_staff text[], "
        "out_memberships text[], out_reviewed text[], out_merges text) "
        f"LANGUAGE plpgsql STABLE AS $stamp${stamp_function_body()}$stamp$"
    )


@dataclass(frozen=True)
class FeedStamp:
    """A live token's user, when the token was last used, and the stamp of their feed."""

    token_id: int
    user_id: int
    last_used_at: datetime.datetime | None
    key: str


def feed_stamp(*, token_hash: str) -> FeedStamp | None:
    """The stamp of the feed at this token, in one query; None when the token is unknown,
    revoked or its user deactivated (nothing else is read then)."""
    today = timezone.localdate()
    if connection.vendor != "postgresql":
        row = _stamp_row_portable(token_hash=token_hash, today=today)
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT * FROM {STAMP_FUNCTION}(%(hash)s, %(active)s, %(lead)s, %(today)s)",  # nosec B608
                {
                    "hash": token_hash,
                    "active": MembershipStatus.ACTIVE.value,
                    "lead": StaffRole.SAFEGUARDING_LEAD.value,
                    "today": today,
                },
            )
            row = cursor.fetchone()
    if row is None:
        return None
    token_id, user_id, last_used_at, *standing = row
    # Besides the database: the site's address, the day (open involvements, and the year
    # the VTIMEZONEs start from) and the format. The token's own hash, too: row ids can be
    # used again (SQLite), a secret is not.
    parts = (
        STAMP_FORMAT,
        settings.SITE_URL,
        today.isoformat(),
        token_hash,
        token_id,
        user_id,
        standing,
    )
    key = hashlib.sha256(repr(parts).encode()).hexdigest()
    return FeedStamp(token_id=token_id, user_id=user_id, last_used_at=last_used_at, key=key)


def _stamp_row_portable(*, token_hash: str, today: datetime.date) -> tuple[Any, ...] | None:
    """The same inputs as `_STAMP_SQL`, read with the ORM in a few queries: for SQLite (a
    development machine), where the query above does not run."""
    token = (
        CalendarFeedToken.objects.filter(
            token_hash=token_hash, revoked_at__isnull=True, user__is_active=True
        )
        .values_list("pk", "user_id", "last_used_at")
        .first()
    )
    if token is None:
        return None
    staff = list(
        StaffMembership.objects.filter(user_id=token[1], is_active=True)
        .order_by("agency_id", "role")
        .values_list("agency_id", "role")
    )
    members = list(
        Membership.objects.filter(user_id=token[1], status=MembershipStatus.ACTIVE)
        .order_by("pk")
        .values_list("pk", "network_id", "kind", "agency_id", "is_coordinator")
    )
    leads = [agency_id for agency_id, role in staff if role == StaffRole.SAFEGUARDING_LEAD]
    reviewed = sorted(
        set(
            Involvement.objects.filter(agency_id__in=leads)
            .filter(involvement_open_now(today=today))
            .values_list("network_id", "agency_id")
        )
        | set(
            Membership.objects.filter(
                agency_id__in=leads, status=MembershipStatus.ACTIVE
            ).values_list("network_id", "agency_id")
        )
    )
    network_ids = {row[1] for row in members} | {row[0] for row in reviewed}
    sequences = sorted(
        Network.objects.filter(pk__in=network_ids).values_list("pk", "last_sequence")
    )
    merges = Merge.objects.aggregate(Count("pk"), Max("pk"), Max("undone_at"))
    return (*token, staff, members, reviewed, sequences, sorted(merges.items()))


@dataclass(frozen=True)
class KnownFeed:
    """What the long way found for one stamp: the exact version (the ETag), when the feed
    became that version, and the networks a fetch of it is audited in."""

    version: str
    changed_at: datetime.datetime | None
    networks: tuple[Network, ...]


class _Known:
    """Feeds known by stamp in this process, least recently used first out."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[str, KnownFeed] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> KnownFeed | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: str, known: KnownFeed) -> None:
        with self.lock:
            self.entries[key] = known
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


feeds_known = _Known(KNOWN_STAMPS)
