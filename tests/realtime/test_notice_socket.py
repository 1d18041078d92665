"""The WebSocket wiring on a real server process and a real Redis channel layer."""

import json
from urllib.parse import urlparse

import pytest
from django.test import Client
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from caregraph.realtime import notice_publish
from tests.factories import UserFactory, staff_create

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def session_cookie(user) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def open_socket(base_url: str, *, cookie: str = "", origin: str | None = None) -> ClientConnection:
    host = urlparse(base_url).netloc
    return connect(
        f"ws://{host}/ws/notices/",
        origin=Origin(origin or base_url),
        additional_headers={"Cookie": cookie} if cookie else None,
        open_timeout=10,
    )


def receive(socket: ClientConnection, timeout: float = 10) -> dict:
    return json.loads(socket.recv(timeout=timeout))


def test_an_anonymous_socket_is_refused(asgi_server: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        open_socket(asgi_server)
    assert refused.value.response.status_code == 403


def test_a_socket_from_another_site_is_refused(asgi_server: str) -> None:
    user = UserFactory.create()
    with pytest.raises(InvalidStatus) as refused:
        open_socket(asgi_server, cookie=session_cookie(user), origin="https://evil.example")
    assert refused.value.response.status_code == 403


def test_staff_who_have_not_set_up_two_factor_are_refused(asgi_server: str) -> None:
    user = staff_create()
    with pytest.raises(InvalidStatus):
        open_socket(asgi_server, cookie=session_cookie(user))


def test_a_signed_in_socket_receives_a_message_sent_from_another_process(
    asgi_server: str,
) -> None:
    alice, bob = UserFactory.create(), UserFactory.create()
    with (
        open_socket(asgi_server, cookie=session_cookie(alice)) as alice_socket,
        open_socket(asgi_server, cookie=session_cookie(bob)) as bob_socket,
    ):
        assert receive(alice_socket) == {"type": "hello", "user_id": alice.pk}
        assert receive(bob_socket) == {"type": "hello", "user_id": bob.pk}

        # This test process is not the server: the message crosses Redis to reach it.
        notice_publish(user_id=alice.pk, text="Something needs your attention")

        assert receive(alice_socket) == {
            "type": "notice",
            "text": "Something needs your attention",
        }
        with pytest.raises(TimeoutError):
            bob_socket.recv(timeout=1)
