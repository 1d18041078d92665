"""Odd and hostile input on the sockets, against a real uvicorn: no 500, no traceback.

Found by probing: any /ws/ path without a route answered the handshake 500 with a
traceback in the log, and a frame of deeply nested JSON killed the consumer.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin

from tests import services
from tests.networks import network_create
from tests.realtime.test_network_stream import family_member, frame, session_cookie, stream_open

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

NESTED = "[" * 200_000 + "]" * 200_000


@pytest.fixture(scope="module")
def server(test_database_url: str) -> Iterator[services.Process]:
    process, base_url = services.asgi_server_start(services.child_env(test_database_url))
    process.base_url = base_url  # type: ignore[attr-defined]
    yield process
    process.stop()


@pytest.mark.parametrize("path", ["/ws/", "/ws/nowhere/", "/ws/networks/abc/", "/nothing"])
def test_a_socket_path_with_no_route_is_refused_cleanly(
    server: services.Process, path: str
) -> None:
    base_url: str = server.base_url  # type: ignore[attr-defined]
    host = urlparse(base_url).netloc

    with (
        pytest.raises(InvalidStatus) as refused,
        connect(f"ws://{host}{path}", origin=Origin(base_url), open_timeout=10),
    ):
        pass

    assert refused.value.response.status_code == 403
    assert "Traceback" not in server.output()
    assert "No route found" not in server.output()


def test_a_deeply_nested_frame_is_dropped_and_the_socket_lives_on(
    server: services.Process,
) -> None:
    network = network_create()
    base_url: str = server.base_url  # type: ignore[attr-defined]
    with stream_open(base_url, network.pk, cookie=session_cookie(family_member(network))) as socket:
        assert frame(socket)["type"] == "hello"
        socket.send(NESTED)
        socket.send('{"type": "resume", "after": ' + "[" * 5000 + "]" * 5000 + "}")
        socket.send('{"type": "ping"}')

        assert frame(socket) == {"type": "pong"}
    assert "Traceback" not in server.output()
    assert "RecursionError" not in server.output()
