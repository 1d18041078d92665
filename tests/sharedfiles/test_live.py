"""Shared files on the live stream, over real sockets on a real server and Redis: each file
arrives, as it is shared, on the sockets of exactly those its visibility allows; a file
narrowed later is no longer replayed to those it was narrowed away from; a member removed is
cut off. The frames carry the title and type, never the bytes or where they are stored."""

from __future__ import annotations

import json
from contextlib import ExitStack

import pytest
from websockets.sync.client import ClientConnection

from caregraph.models import Visibility
from caregraph.services.networks import membership_end
from sharedfiles.services import file_visibility_set
from tests.networks import viewer
from tests.realtime.test_network_stream import assert_refused, frame, session_cookie, stream_open
from tests.sharedfiles.conftest import SEES, FilesWorld, marker, share, share_one_of_each

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

WATCHERS = ("family", "other_professional", "colleague")
LAST = "FileLAST"  # shared with the network after the rest: every socket reads up to it


def titles_until_last(socket: ClientConnection) -> set[str]:
    """The titles of the files the socket is told of, up to the last one shared."""
    titles: set[str] = set()
    while True:
        message = frame(socket)
        if message["type"] != "event" or message["kind"] != "file.shared":
            continue
        payload = message["payload"]
        assert set(payload) == {"object", "change", "file_id", "title", "kind", "size"}
        if payload["title"] == LAST:
            return titles
        titles.add(payload["title"])


def replayed_titles(socket: ClientConnection) -> set[str]:
    socket.send(json.dumps({"type": "resume", "after": 0}))
    titles: set[str] = set()
    while (message := frame(socket))["type"] != "resumed":
        if message["type"] == "event" and message["payload"].get("object") == "shared_file":
            titles.add(message["payload"]["title"])
    return titles


def test_files_reach_the_sockets_their_visibility_allows_and_follow_narrowing(
    asgi_server: str, world: FilesWorld
) -> None:
    network = world.network
    with ExitStack() as opened:
        sockets = {
            role: opened.enter_context(
                stream_open(asgi_server, network.pk, cookie=session_cookie(world[role]))
            )
            for role in WATCHERS
        }
        for socket in sockets.values():
            assert frame(socket)["type"] == "hello"
        files = share_one_of_each(world)
        share(world, title=LAST, visibility=Visibility.NETWORK)
        received = {role: titles_until_last(socket) for role, socket in sockets.items()}
        assert received == {
            role: {marker(v) for v in Visibility.values if role in SEES[v]} for role in WATCHERS
        }

        author = world["author"]
        file_visibility_set(
            shared_file=files[Visibility.NETWORK],
            viewer=viewer(network, author),
            changed_by=author,
            visibility=Visibility.PROFESSIONALS,
        )
        assert marker(Visibility.NETWORK) not in replayed_titles(sockets["family"])
        assert marker(Visibility.NETWORK) in replayed_titles(sockets["other_professional"])

        membership = network.memberships.get(user=world["family"], status="active")
        membership_end(membership=membership, ended_by=author, viewer=viewer(network, author))
        assert frame(sockets["family"]) == {"type": "revoked"}
        assert_refused(asgi_server, network.pk, cookie=session_cookie(world["family"]))
