"""What the live stream's sockets receive of messages, on a real server process and Redis:
a message's event reaches its thread's readers and no other socket, a reviewing safeguarding
lead's included. Messages are sent in this test process, so each event crosses Redis."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from websockets.sync.client import ClientConnection

from accounts.models import User
from messaging.models import ThreadAudience
from tests.messaging.conftest import SECRET_WORDS, circle_make
from tests.realtime.test_network_stream import assert_quiet, frame, session_cookie, stream_open

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sockets() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


def opened(stack: ExitStack, base_url: str, user: User, network_id: int) -> ClientConnection:
    socket = stack.enter_context(stream_open(base_url, network_id, cookie=session_cookie(user)))
    assert frame(socket)["type"] == "hello"
    return socket


def test_a_message_is_pushed_to_its_readers_and_nobody_else(
    asgi_server: str, sockets: ExitStack
) -> None:
    circle = circle_make()
    network_id = circle.network.pk
    chosen, other, lead = (
        opened(sockets, asgi_server, user, network_id)
        for user in (circle.chosen, circle.other, circle.lead)
    )

    private = circle.start(audience=ThreadAudience.CHOSEN)
    received = frame(chosen)
    assert received["type"] == "event" and received["kind"] == "message.posted"
    assert received["payload"]["thread_id"] == private.pk
    assert SECRET_WORDS not in str(received)
    assert_quiet(other)
    assert_quiet(lead)

    everyone = circle.start(audience=ThreadAudience.NETWORK)
    for socket in (chosen, other):
        received = frame(socket)
        assert received["kind"] == "message.posted"
        assert received["payload"]["thread_id"] == everyone.pk
    assert_quiet(lead)
