"""Who sees what on every derived channel, generated: every role x visibility x channel, as
written, after every record is narrowed or widened, after a member leaves and after an
involvement ends. What a user receives is exactly what the design's table allows.

The channels the first matrix (`test_policy_matrix`) did not look at are the ones that
leaked: members, the map, the chronology, the audit trail, notifications and e-mail. The
live stream's replay is the same matrix over real sockets, in `tests/realtime`.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from accounts.models import User
from tests.caregraph.channels import (
    AUDIT_READERS,
    ROLES,
    SCENARIOS,
    ChannelWorld,
    api_markers,
    channel_world_build,
    concern_history_markers,
    email_markers,
    expected,
    feed_markers,
    has_access,
    notification_markers,
    page_markers,
)

pytestmark = pytest.mark.django_db

Reader = Callable[[ChannelWorld, User], "set[str] | str"]


def _audit_expected(world: ChannelWorld, role: str, kinds: tuple[str, ...], refused: str):  # type: ignore[no-untyped-def]
    if not has_access(world, role):
        return "404"
    if role not in AUDIT_READERS:
        return refused
    return expected(world, role, kinds)


# channel: (how it is read, which kinds of record it shows, how the expectation is made)
CHANNELS: dict[str, tuple[Reader, tuple[str, ...], Callable[..., object]]] = {
    "members_api": (
        lambda w, u: api_markers(w, u, "members/"),
        ("Mem",),
        expected,
    ),
    "members_page": (
        lambda w, u: page_markers(w, u, "/networks/{network}/members/"),
        ("Mem",),
        expected,
    ),
    "overview_page": (
        lambda w, u: page_markers(w, u, "/networks/{network}/"),
        ("Mem", "Inv"),
        expected,
    ),
    "map_page": (
        lambda w, u: page_markers(w, u, "/networks/{network}/map/"),
        ("Mem", "Inv"),
        expected,
    ),
    "chronology_page": (
        lambda w, u: page_markers(w, u, "/networks/{network}/chronology/"),
        ("Mem", "Inv", "Con"),
        expected,
    ),
    "involvement_api": (
        lambda w, u: api_markers(w, u, "involvements/"),
        ("Inv",),
        expected,
    ),
    "concerns_api": (
        lambda w, u: api_markers(w, u, "concerns/"),
        ("Con",),
        expected,
    ),
    "events_page": (
        lambda w, u: page_markers(w, u, "/networks/{network}/calendar/"),
        ("Evt",),
        expected,
    ),
    "concern_history_api": (
        concern_history_markers,
        ("Not",),
        expected,
    ),
    "audit_api": (
        lambda w, u: api_markers(w, u, "audit/"),
        ("Mem", "Inv", "Con", "Evt"),
        lambda w, role, kinds: _audit_expected(w, role, kinds, "refused"),
    ),
    "audit_page": (
        lambda w, u: page_markers(w, u, "/networks/{network}/audit/"),
        # The page's summaries name events and members (the rest is checked by the API).
        ("Mem", "Evt"),
        lambda w, role, kinds: _audit_expected(w, role, kinds, "404"),
    ),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("channel", list(CHANNELS))
def test_every_role_receives_exactly_what_the_policy_allows(channel: str, scenario: str) -> None:
    world = channel_world_build()
    SCENARIOS[scenario](world)
    read, kinds, expect = CHANNELS[channel]
    seen = {}
    for role in ROLES:
        found = read(world, world.user(role))
        # A channel shows only its kinds; anything else it shows is checked by another.
        seen[role] = found if isinstance(found, str) else {m for m in found if m[:3] in kinds}
    assert seen == {role: expect(world, role, kinds) for role in ROLES}


def test_the_calendar_feed_holds_only_what_each_role_may_see() -> None:
    world = channel_world_build()
    for scenario in ("narrowed_and_widened", "after_a_member_left", "after_an_involvement_ended"):
        SCENARIOS[scenario](world)
        for role in ROLES:
            want = expected(world, role, ("Evt",))
            got = feed_markers(world, world.user(role))
            assert got == (set() if want == "404" else want), (scenario, role)


def test_notifications_and_emails_reach_exactly_those_who_may_open_the_concern() -> None:
    """Raising a concern tells everyone who may open it, and nobody else, by any route;
    the author is not told of their own. Whatever else anyone is told of (the notes added
    under concerns) is about a concern they may open."""
    world = channel_world_build()
    for role in ROLES:
        user = world.user(role)
        shown = expected(world, role, ("Con",))
        may_open = set() if isinstance(shown, str) else shown
        raised = set() if role == "author" else may_open
        assert notification_markers(world, user, ("concern.raised",)) == raised, role
        assert notification_markers(world, user) <= may_open, role
        assert email_markers(world, user) <= may_open, role
        assert not {m for m in email_markers(world, user) if not m.startswith("Con")}, role


def test_the_matrix_covers_every_role_kind_and_visibility() -> None:
    # A guard against the matrix quietly shrinking: each kind of record has, for every
    # visibility, someone who sees it and someone who does not.
    world = channel_world_build()
    for name in world.visibility_of:
        outcomes = {
            name in seen
            for role in ROLES
            if isinstance(seen := expected(world, role, (name[:3],)), set)
        }
        assert outcomes == {True, False} or world.visibility_of[name] == "network", name
    assert len(CHANNELS) * len(SCENARIOS) == 44
