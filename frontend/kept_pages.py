"""Whole network pages kept for the viewer who asks for them again unchanged.

A person's overview, the concerns list, the chronology and the month are read far more
often than the network changes: each look re-read a dozen small things and rendered the
GOV.UK layout, the section navigation and the lists through Django's templates (about 20 ms
of a 22 ms page). Kept here, the page is rendered once for one state of what it shows, and
afterwards answered from that rendering while the state is the same.

What decides "the same state" is read on every request, in one statement
(`page_state`), beside the access check and the audit row that every request still makes:

- the network's last event sequence, its id and creation time, today and the time zone,
  and the viewer's exact audiences (`frontend.fragments.fragment_key`): every change made
  through the services (a concern, a member, an involvement, an event, an answer to an
  invitation, an update, a message, a file) appends an event;
- what shows on a page but changes without a network event: the viewer's unread
  notifications and how far they have read each thread here, requests to join, the
  person's details, identifiers and relationships, and the work contacts of the members;
- the viewer's standing in full (membership, agencies, reviewing agencies) and their staff
  roles, and the page's path with its query string.

The key includes the viewer's own audience, so one user's kept page never reaches another.
A page with a message to show once (after a change) is rendered, never kept. The form
token is not kept: each answer carries the request's own. Changes made outside the
services (an agency renamed in the admin site) show within `KEPT_SECONDS`, as on the kept
lists (`frontend.fragments`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.contrib.messages import get_messages
from django.core.cache import cache as shared_cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

from agencies.models import StaffMembership
from caregraph.models import (
    Identifier,
    JoinRequest,
    Membership,
    Network,
    Person,
    PersonRelationship,
)
from caregraph.policy import Viewer, staff_rows
from frontend.fragments import FRAGMENT_SECONDS, RECENT, fragment_key
from messaging.models import Thread, ThreadReadState
from notifications.models import Notification

KEPT_SECONDS = FRAGMENT_SECONDS
# The form token's place in a kept page. It cannot come from anything a user wrote: every
# value on a page is escaped, and escaping turns `<` into `&lt;`.
TOKEN_MARK = "<csrf-token>"  # noqa: S105  # nosec B105 (a place-holder, not a secret)
TOKEN_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
# Headers a kept answer must not repeat: cookies are the request's own.
NOT_KEPT_HEADERS = {"set-cookie", "content-length"}


@dataclass(frozen=True)
class KeptPage:
    content: str
    headers: tuple[tuple[str, str], ...]
    status: int


def _names(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]


# What every network page shows: the layout's unread notifications and the sections'
# unread messages. Pages name what else they show (`kept_page(..., shows=...)`).
LAYOUT = ("notifications", "reading")
RECORD = ("join_requests", "person", "identifiers", "relationships")
CONTACTS = ("work_contacts",)


# Each part, written with the models' table names and, where rows are joined up, the
# database's aggregate (`_state_sql`). Values are parameters.
STATE_PARTS = {
    "notifications": "SELECT COUNT(*) FROM {notification} "
    "WHERE user_id = %(user)s AND read_at IS NULL",
    "reading": "SELECT CAST(COALESCE(SUM(rs.last_read_message_id), 0) AS TEXT) || ':' || "
    "CAST(COUNT(*) AS TEXT) FROM {read_state} rs JOIN {thread} t ON t.id = rs.thread_id "
    "WHERE t.network_id = %(network)s AND rs.user_id = %(user)s",
    "join_requests": "SELECT CAST(COUNT(*) AS TEXT) || ':' || CAST(COALESCE(MAX(id), 0) AS TEXT) "
    "FROM {join_request} WHERE network_id = %(network)s AND status = 'pending'",
    "person": "SELECT given_name || '|' || family_name || '|' || "
    "COALESCE(CAST(date_of_birth AS TEXT), '') || '|' || address || '|' || postcode || '|' || "
    "COALESCE(CAST(merged_into_id AS TEXT), '') FROM {person} WHERE id = %(person)s",
    "identifiers": "SELECT {agg}(system || ':' || value || ':' || "
    "COALESCE(CAST(agency_id AS TEXT), ''), ','{by_id}) "
    "FROM {identifier} WHERE person_id = %(person)s",
    "relationships": "SELECT {agg}(r.kind || ':' || p.given_name || ' ' || p.family_name, "
    "','{by_r_id}) FROM {relationship} r JOIN {person} p ON p.id = r.relative_id "
    "WHERE r.person_id = %(person)s",
    "work_contacts": "SELECT {agg}(CAST(s.id AS TEXT) || ':' || s.work_phone || ':' || "
    "s.work_email || ':' || CAST(s.is_active AS TEXT), ','{by_s_id}) "
    "FROM {staff} s JOIN {membership} m ON m.user_id = s.user_id AND m.agency_id = s.agency_id "
    "WHERE m.network_id = %(network)s AND m.status = 'active'",
}


@cache
def _state_sql(vendor: str, parts: tuple[str, ...]) -> str:
    """One statement of the parts named, each read by index: see the module's docstring."""
    ordered = vendor == "postgresql"  # SQLite: no ORDER BY in aggregates before 3.44
    names = {
        "notification": _names(Notification),
        "read_state": _names(ThreadReadState),
        "thread": _names(Thread),
        "join_request": _names(JoinRequest),
        "person": _names(Person),
        "identifier": _names(Identifier),
        "relationship": _names(PersonRelationship),
        "staff": _names(StaffMembership),
        "membership": _names(Membership),
        "agg": "string_agg" if ordered else "group_concat",
        "by_id": " ORDER BY id" if ordered else "",
        "by_r_id": " ORDER BY r.id" if ordered else "",
        "by_s_id": " ORDER BY s.id" if ordered else "",
    }
    selected = [STATE_PARTS[part] for part in parts]
    return "SELECT " + ",\n".join("(" + part.format(**names) + ")" for part in selected)


def page_state(*, network: Network, viewer: Viewer, parts: tuple[str, ...]) -> tuple[object, ...]:
    """What a network page shows that can change without a network event, for this viewer,
    in one round trip: `parts` names which (see `_state_sql`)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _state_sql(connection.vendor, parts),
            {"user": viewer.user_id, "network": network.pk, "person": network.person_id},
        )
        row = cursor.fetchone()
    return tuple(row or ())


def _standing(viewer: Viewer) -> tuple[object, ...]:
    membership = viewer.membership
    member = (
        (
            membership.pk,
            membership.kind,
            membership.is_coordinator,
            membership.agency_id,
            membership.visibility,
            membership.relationship,
        )
        if membership is not None
        else None
    )
    return (
        member,
        sorted(viewer.agency_ids),
        sorted(viewer.reviewing_lead_agency_ids),
    )


def kept_page(
    request: HttpRequest,
    name: str,
    *,
    network: Network,
    viewer: Viewer,
    render: Callable[[], HttpResponse],
    shows: tuple[str, ...] = (),
) -> HttpResponse:
    """The page as `render()` makes it, or as it made it before for the same viewer and the
    same state. `shows` names what the page shows beyond the layout and the network's
    records (`RECORD`: the person's; `CONTACTS`: members' work contacts). Call it after the
    access check and the audit of the view."""
    if request.method != "GET" or len(get_messages(request)):  # type: ignore[arg-type]
        return render()
    vary = (
        request.get_full_path(),
        page_state(network=network, viewer=viewer, parts=LAYOUT + shows),
        _standing(viewer),
        tuple(staff_rows(request.user)),
    )
    key = fragment_key(f"page:{name}", network=network, viewer=viewer, vary=vary)
    kept = RECENT.get(key)
    if kept is None:
        kept = shared_cache.get(key)
        if kept is None:
            response = render()
            found = _keepable(response)
            if found is not None:
                shared_cache.set(key, found, KEPT_SECONDS)
                RECENT.set(key, found, KEPT_SECONDS)
            return response
        RECENT.set(key, kept, KEPT_SECONDS)
    assert isinstance(kept, KeptPage)
    content = kept.content
    if TOKEN_MARK in content:
        content = content.replace(TOKEN_MARK, get_token(request))
    response = HttpResponse(content, status=kept.status)
    for header, value in kept.headers:
        response[header] = value
    return response


def _keepable(response: HttpResponse) -> KeptPage | None:
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    if not response.get("Content-Type", "").startswith("text/html"):
        return None
    content = TOKEN_FIELD.sub(rf"\g<1>{TOKEN_MARK}\g<2>", response.content.decode())
    headers = tuple(
        (header, value)
        for header, value in response.items()
        if header.lower() not in NOT_KEPT_HEADERS
    )
    return KeptPage(content=content, headers=headers, status=response.status_code)
