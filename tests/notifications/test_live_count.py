"""The unread count reaches the user's open pages over `/ws/notices/`, across processes."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from accounts.models import User
from caregraph.models import Visibility
from notifications.services import notification_mark_all_read
from tests.notifications.conftest import Scene, concern_raise_for_test

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def notice_socket(base_url: str, user: User) -> ClientConnection:
    client = Client()
    client.force_login(user)
    return connect(
        f"{base_url.replace('http://', 'ws://')}/ws/notices/",
        origin=Origin(base_url),
        additional_headers={"Cookie": f"sessionid={client.cookies['sessionid'].value}"},
        open_timeout=10,
    )


def next_unread(socket: ClientConnection) -> int:
    message = json.loads(socket.recv(timeout=10))
    assert message["type"] == "notice", message
    body = json.loads(message["text"])
    assert body["kind"] == "notifications.unread"
    return int(body["unread"])


def test_a_relative_sees_the_unread_count_rise_and_fall_live(
    asgi_server: str, scene: Scene
) -> None:
    with notice_socket(asgi_server, scene.relative) as socket:
        assert json.loads(socket.recv(timeout=10))["type"] == "hello"

        concern_raise_for_test(scene, visibility=Visibility.NETWORK)
        assert next_unread(socket) == 1
        concern_raise_for_test(scene, visibility=Visibility.NETWORK)
        assert next_unread(socket) == 2

        notification_mark_all_read(user=scene.relative)
        assert next_unread(socket) == 0


def test_nobody_is_told_of_a_concern_they_may_not_see(asgi_server: str, scene: Scene) -> None:
    with notice_socket(asgi_server, scene.relative) as socket:
        assert json.loads(socket.recv(timeout=10))["type"] == "hello"

        concern_raise_for_test(scene, visibility=Visibility.PROFESSIONALS)

        with pytest.raises(TimeoutError):
            socket.recv(timeout=1.5)
