"""Long repeated lists of a page rendered in Python from plain rows.

The person overview shows every member and every open involvement. Rendered through an
included template, each row cost some twenty template nodes (2,700 for 200 members and 50
involvements), about half of the page's time. Here each row is one `format_html`: the same
GOV.UK markup as `frontend/members/_list.html` and `frontend/involvement/_card.html` (with no
actions), every value escaped. Those templates stay for the pages with actions; change the
markup in both places.

`fragment_cached` keeps such a rendered list in the cache, keyed so that it is only ever
reused for the same state of the same network (its last event sequence: every change to a
member, an involvement or a shared record appends an event) and for a viewer in exactly the
same audiences (which include the viewer's own, so one user's fragment never reaches
another, and one audience's never another audience). Changes made outside the services'
events (a display name or an agency renamed in the admin site, a merge) show within
`FRAGMENT_SECONDS`.
"""

from __future__ import annotations

import datetime
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, cast

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from caregraph.models import MemberKind, Network, Visibility
from caregraph.policy import Viewer

Row = Mapping[str, Any]
Cached = TypeVar("Cached")

KIND_LABELS = dict(MemberKind.choices)
VISIBILITY_LABELS = dict(Visibility.choices)
EMPTY = mark_safe("")  # nosec B308 B703
FRAGMENT_SECONDS = 120
RECENT_FRAGMENTS = 256  # kept in each process as well (see `_RecentFragments`)


def fragment_key(
    name: str, *, network: Network, viewer: Viewer, vary: tuple[object, ...] = ()
) -> str:
    """The cache key of one rendered fragment: the network (its id and creation time, so a
    key never outlives the row it names), its last event sequence, today (what is open or
    past changes at midnight), the viewer's audiences, the time zone times are shown in, and
    what else the fragment depends on (`vary`: the filters and page asked for)."""
    audiences = "|".join(sorted(viewer.audiences))
    varying = repr((timezone.get_current_timezone_name(), *vary))
    digest = hashlib.sha256(f"{audiences}#{varying}".encode()).hexdigest()[:40]
    created = network.created_at.timestamp() if network.created_at else 0
    return (
        f"fragment:{name}:{network.pk}:{created}:{network.last_sequence}:"
        f"{timezone.localdate().isoformat()}:{digest}"
    )


class _RecentFragments:
    """The fragments this process used last, in front of the shared cache: the same keys,
    so the same guarantees, without a round trip to Redis and unpickling 100 KB of HTML for
    a page read again and again. Bounded in number, each kept no longer than in Redis."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.kept: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> object | None:
        with self.lock:
            found = self.kept.get(key)
            if found is None:
                return None
            if found[0] < time.monotonic():
                del self.kept[key]
                return None
            self.kept.move_to_end(key)
            return found[1]

    def set(self, key: str, value: object, seconds: float) -> None:
        with self.lock:
            self.kept[key] = (time.monotonic() + seconds, value)
            self.kept.move_to_end(key)
            while len(self.kept) > self.size:
                self.kept.popitem(last=False)


RECENT = _RecentFragments(size=RECENT_FRAGMENTS)


def fragment_cached(
    name: str,
    *,
    network: Network,
    viewer: Viewer,
    render: Callable[[], Cached],
    vary: tuple[object, ...] = (),
) -> Cached:
    """The fragment from this process's recent ones or the cache, or `render()`ed (reading
    what it shows) and kept in both."""
    key = fragment_key(name, network=network, viewer=viewer, vary=vary)
    found = RECENT.get(key)
    if found is None:
        found = cache.get(key)
        if found is None:
            found = render()
            cache.set(key, found, FRAGMENT_SECONDS)
        RECENT.set(key, found, FRAGMENT_SECONDS)
    return cast(Cached, found)


def _user_label(user_id: int | None, display_name: str | None) -> str:
    """What `str(User)` says: the display name, or "User n"."""
    return display_name or f"User {user_id}"


def _long_date(day: datetime.date) -> str:
    return date_format(day, "j F Y")


def _member_row(member: Row, *, viewer: Viewer, network_id: int) -> SafeString:
    is_you = member["user_id"] == viewer.user_id
    kind = str(KIND_LABELS.get(member["kind"], member["kind"]))
    details = [
        format_html("{}{}", kind, f": {member['relationship']}" if member["relationship"] else "")
    ]
    if member["agency_id"]:
        details.append(format_html("<br>{}", member["agency__name"]))
    if viewer.is_professional and member["visibility"] != Visibility.NETWORK:
        label = str(VISIBILITY_LABELS.get(member["visibility"], "")).lower()
        details.append(
            format_html(
                '<br><strong class="govuk-tag govuk-tag--grey">Known to: {}</strong>', label
            )
        )
    if is_you and member["kind"] == MemberKind.PROFESSIONAL:
        url = reverse("membership_visibility", args=[network_id, member["pk"]])
        details.append(
            format_html(
                '<br><a class="govuk-link" href="{}">Change who can know you are here</a>', url
            )
        )
    coordinator = (
        mark_safe('<strong class="govuk-tag govuk-tag--blue app-tag-after">Coordinator</strong>')  # nosec B308 B703
        if member["is_coordinator"]
        else EMPTY
    )
    return format_html(
        '<div class="govuk-summary-list__row govuk-summary-list__row--no-actions">'
        '<dt class="govuk-summary-list__key">{}{} {}</dt>'
        '<dd class="govuk-summary-list__value">{}</dd></div>\n',
        _user_label(member["user_id"], member["user__display_name"]),
        " (you)" if is_you else "",
        coordinator,
        mark_safe("\n".join(details)),  # noqa: S308 (each part escaped above)  # nosec B308 B703
    )


def member_list_html(members: Iterable[Row], *, viewer: Viewer, network_id: int) -> SafeString:
    """The members as a GOV.UK summary list without actions (see `frontend/members/_list.html`)."""
    rows = mark_safe(  # noqa: S308 (each row escaped)  # nosec B308 B703
        "".join(_member_row(member, viewer=viewer, network_id=network_id) for member in members)
    )
    return format_html('<dl class="govuk-summary-list">\n{}</dl>', rows)


def _summary_row(key: str, value: SafeString | str) -> SafeString:
    return format_html(
        '<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{}</dt>'
        '<dd class="govuk-summary-list__value">{}</dd></div>',
        key,
        value,
    )


def _contact(involvement: Row) -> SafeString | str:
    name, phone, email = (
        involvement["contact_name"],
        involvement["contact_phone"],
        involvement["contact_email"],
    )
    if not (name or phone or email):
        return "Not recorded"
    items = []
    if name:
        items.append(format_html("<li>{}</li>", name))
    if phone:
        items.append(
            format_html(
                '<li><a class="govuk-link" href="tel:{}">{}</a></li>', phone.replace(" ", ""), phone
            )
        )
    if email:
        items.append(
            format_html(
                '<li><a class="govuk-link app-break-word" href="mailto:{}">{}</a></li>',
                email,
                email,
            )
        )
    return format_html(
        '<ul class="govuk-list govuk-!-margin-bottom-0">{}</ul>',
        mark_safe("".join(items)),  # noqa: S308 (each item escaped)  # nosec B308 B703
    )


def _involvement_card(involvement: Row, *, viewer: Viewer) -> SafeString:
    lead = (
        _user_label(
            involvement["lead_professional_id"], involvement["lead_professional__display_name"]
        )
        if involvement["lead_professional_id"]
        else "Not recorded"
    )
    dates = f"From {_long_date(involvement['started_on'])}"
    if involvement["ended_on"]:
        dates += f" to {_long_date(involvement['ended_on'])}"
    rows = [
        _summary_row("Lead professional", lead),
        _summary_row("Contact", _contact(involvement)),
        _summary_row("Dates", dates),
    ]
    if viewer.is_professional:
        visibility = str(VISIBILITY_LABELS.get(involvement["visibility"], ""))
        rows.append(_summary_row("Who can see this", visibility))
    return format_html(
        '<div class="govuk-summary-card"><div class="govuk-summary-card__title-wrapper">'
        '<h3 class="govuk-summary-card__title">{}: {}</h3></div>'
        '<div class="govuk-summary-card__content"><dl class="govuk-summary-list">{}</dl>'
        "</div></div>\n",
        involvement["agency__name"],
        involvement["service"],
        mark_safe("".join(rows)),  # noqa: S308 (each row escaped)  # nosec B308 B703
    )


def involvement_cards_html(involvements: Iterable[Row], *, viewer: Viewer) -> SafeString:
    """Each involvement as a GOV.UK summary card without actions
    (see `frontend/involvement/_card.html`)."""
    return format_html_join(
        "", "{}", ((_involvement_card(i, viewer=viewer),) for i in involvements)
    )
