"""What the live stream replays, generated: every role x visibility, over real sockets.

The attack: an event shared with the whole network and then made professionals-only
vanished from the family's lists and feed, but `{"type": "resume", "after": 0}` on the
socket still replayed its title and time to them. The log now follows each record's
current visibility. Each scenario of `tests.caregraph.channels` is replayed from 0 to a
socket of every role, and the markers received must be exactly what the design allows.
"""

from __future__ import annotations

import json

import pytest
from websockets.sync.client import ClientConnection

from tests.caregraph.channels import (
    ROLES,
    SCENARIOS,
    ChannelWorld,
    channel_world_build,
    expected,
    has_access,
    markers_in,
)
from tests.realtime.test_network_stream import (
    assert_refused,
    frame,
    session_cookie,
    stream_open,
)

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
KINDS = ("Inv", "Con", "Evt", "Mem")


def replayed_markers(world: ChannelWorld, socket: ClientConnection) -> set[str]:
    """Resumes from the start of the log and reads every event up to "resumed"."""
    socket.send(json.dumps({"type": "resume", "after": 0}))
    found: set[str] = set()
    while True:
        message = frame(socket)
        if message["type"] == "resumed":
            return found
        assert message["type"] == "event"
        found |= markers_in(json.dumps(message))
        concern_id = message["payload"].get("concern_id")
        if concern_id is not None and ("concern", concern_id) in world.ids:
            found.add(world.ids[("concern", concern_id)])


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_replay_from_the_start_follows_every_records_current_visibility(
    asgi_server: str, scenario: str
) -> None:
    world = channel_world_build()
    SCENARIOS[scenario](world)
    seen: dict[str, set[str] | str] = {}
    for role in ROLES:
        cookie = session_cookie(world.user(role))
        if not has_access(world, role):
            assert_refused(asgi_server, world.network.pk, cookie=cookie)
            seen[role] = "404"
            continue
        with stream_open(asgi_server, world.network.pk, cookie=cookie) as socket:
            assert frame(socket)["type"] == "hello"
            seen[role] = replayed_markers(world, socket)
    assert seen == {role: expected(world, role, KINDS) for role in ROLES}


def test_an_event_made_professionals_only_is_not_replayed_to_the_family(
    asgi_server: str,
) -> None:
    """The attack as it was made: shared with everyone, narrowed, then resumed from 0."""
    from tests.caregraph.channels import records_rotate

    world = channel_world_build()
    family = session_cookie(world.user("family"))
    with stream_open(asgi_server, world.network.pk, cookie=family) as socket:
        frame(socket)
        assert "EvtNETWORK" in replayed_markers(world, socket)

    records_rotate(world)  # network → professionals, among the rest

    with stream_open(asgi_server, world.network.pk, cookie=family) as socket:
        frame(socket)
        after = replayed_markers(world, socket)
    assert "EvtNETWORK" not in after
    assert "InvNETWORK" not in after and "MemNETWORK" not in after
    assert "EvtRESTRICTED" in after  # restricted → network: widened, now replayed
