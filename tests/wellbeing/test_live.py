"""What the live stream sends of wellbeing updates, over real sockets on a real server: each
role receives exactly the updates its visibility allows, as they are posted and when it
resumes from the start of the log, as written, after every update is narrowed or widened,
and after a member is removed (whose socket is then refused).
"""

from __future__ import annotations

import json
import re
from contextlib import ExitStack

import pytest
from websockets.sync.client import ClientConnection

from caregraph.models import Visibility
from tests.realtime.test_network_stream import assert_refused, frame, session_cookie, stream_open
from tests.wellbeing.world import (
    ROLES,
    World,
    expected,
    family_removed,
    has_access,
    markers_in,
    may_see,
    updates_rotate,
    viewer,
    world_build,
)
from wellbeing.services import wellbeing_update_post

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
SENTINEL = "Everyone hears this last"
NOW = re.compile(r"Now(?:NETWORK|PROFESSIONALS|AGENCY|RESTRICTED)")


def replayed(socket: ClientConnection) -> set[str]:
    socket.send(json.dumps({"type": "resume", "after": 0}))
    found: set[str] = set()
    while (message := frame(socket))["type"] != "resumed":
        assert message["type"] == "event"
        found |= markers_in(json.dumps(message))
    return found


def received_until_sentinel(socket: ClientConnection) -> set[str]:
    found: set[str] = set()
    while True:
        message = frame(socket)
        assert message["type"] == "event", message
        if message["payload"].get("text") == SENTINEL:
            return found
        found |= set(NOW.findall(json.dumps(message)))
        found |= markers_in(json.dumps(message))


def replay_matrix(world: World, asgi_server: str) -> dict[str, set[str] | str]:
    seen: dict[str, set[str] | str] = {}
    for role in ROLES:
        cookie = session_cookie(world.user(role))
        if not has_access(world, role):
            assert_refused(asgi_server, world.network.pk, cookie=cookie)
            seen[role] = "404"
            continue
        with stream_open(asgi_server, world.network.pk, cookie=cookie) as socket:
            assert frame(socket)["type"] == "hello"
            seen[role] = replayed(socket)
    return seen


def test_updates_reach_exactly_the_sockets_allowed_live_and_on_replay(asgi_server: str) -> None:
    world = world_build(photos=False)
    author = world.user("author")

    # Live: every role's socket is open while the author posts one update of each visibility.
    with ExitStack() as stack:
        sockets = {}
        for role in ROLES:
            if has_access(world, role):
                socket = stack.enter_context(
                    stream_open(
                        asgi_server, world.network.pk, cookie=session_cookie(world.user(role))
                    )
                )
                assert frame(socket)["type"] == "hello"
                sockets[role] = socket
        for visibility in Visibility.values:
            wellbeing_update_post(
                network=world.network,
                viewer=viewer(world.network, author),
                posted_by=author,
                text=f"Posted Now{visibility.upper()}",
                visibility=visibility,
            )
        wellbeing_update_post(
            network=world.network,
            viewer=viewer(world.network, author),
            posted_by=author,
            text=SENTINEL,
        )
        live = {role: received_until_sentinel(socket) for role, socket in sockets.items()}
    assert live == {
        role: {f"Now{v.upper()}" for v in Visibility.values if may_see(role, v)} for role in sockets
    }

    # Replayed from the start of the log, following each update's current visibility.
    assert replay_matrix(world, asgi_server) == {role: expected(world, role) for role in ROLES}
    updates_rotate(world)
    assert replay_matrix(world, asgi_server) == {role: expected(world, role) for role in ROLES}
    family_removed(world)
    assert replay_matrix(world, asgi_server) == {role: expected(world, role) for role in ROLES}
