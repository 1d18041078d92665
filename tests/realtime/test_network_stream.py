"""A network's live event stream, `/ws/networks/<id>/`, on real server processes and Redis.

Every assertion is on the frames a browser would receive. Concerns are raised in this test
process (or through another server's HTTP API), never in the server holding the socket, so
each event crosses the Redis channel layer to arrive.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any
from urllib.parse import urlparse

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from accounts.models import User
from api.tokens import api_token_issue
from caregraph.models import MemberKind, Membership, Network, Severity, Visibility
from concerns.models import Concern, ConcernCategory
from concerns.services import concern_raise
from tests import services
from tests.factories import UserFactory, totp_enrol
from tests.networks import coordinator_of, member_add, network_create, viewer

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

QUIET_SECONDS = 1.0
IDLE_SECONDS = 12.0

Frame = dict[str, Any]
# Opens a user's socket on a network (on the given server, else the shared one); its hello.
StreamOpener = Callable[..., tuple[ClientConnection, Frame]]


# --- helpers ------------------------------------------------------------------------------


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def stream_open(base_url: str, network_id: int, *, cookie: str = "") -> ClientConnection:
    host = urlparse(base_url).netloc
    return connect(
        f"ws://{host}/ws/networks/{network_id}/",
        origin=Origin(base_url),
        additional_headers={"Cookie": cookie} if cookie else None,
        open_timeout=10,
    )


def frame(socket: ClientConnection, timeout: float = 10) -> Frame:
    """The next frame that says something: heartbeats (every 20 s or so) are passed over."""
    deadline = time.monotonic() + timeout
    while True:
        received = json.loads(socket.recv(timeout=max(0.01, deadline - time.monotonic())))
        if received.get("type") != "heartbeat":
            return received


def assert_quiet(socket: ClientConnection, seconds: float = QUIET_SECONDS) -> None:
    """Nothing arrives on the socket for a while but heartbeats."""
    with pytest.raises(TimeoutError):
        received = frame(socket, timeout=seconds)
        pytest.fail(f"unexpected frame: {received!r}")


@pytest.fixture
def stream(asgi_server: str) -> Iterator[StreamOpener]:
    """Opens a member's socket and reads its hello; every socket is closed at the end."""
    with ExitStack() as sockets:

        def open_for(
            user: User, network: Network, base_url: str = asgi_server
        ) -> tuple[ClientConnection, Frame]:
            socket = sockets.enter_context(
                stream_open(base_url, network.pk, cookie=session_cookie(user))
            )
            hello = frame(socket)
            assert hello["type"] == "hello"
            return socket, hello

        yield open_for


def assert_refused(base_url: str, network_id: int, *, cookie: str = "") -> None:
    """The handshake is refused with 403, before any frame."""
    with pytest.raises(InvalidStatus) as refused, stream_open(base_url, network_id, cookie=cookie):
        pass
    assert refused.value.response.status_code == 403


def professional_member(network: Network) -> User:
    user = member_add(network, kind=MemberKind.PROFESSIONAL).user
    totp_enrol(user)  # staff sockets are refused without two-factor sign-in
    return user


def family_member(network: Network) -> User:
    return member_add(network, kind=MemberKind.FAMILY, relationship="Aunt").user


def concern_raise_as(
    user: User, network: Network, *, visibility: str = Visibility.PROFESSIONALS
) -> Concern:
    return concern_raise(
        network=network,
        viewer=viewer(network, user),
        raised_by=user,
        category=ConcernCategory.NEGLECT,
        severity=Severity.MEDIUM,
        description="Not collected from school again.",
        visibility=visibility,
    )


def network_with_coordinator() -> tuple[Network, User]:
    network = network_create()
    coordinator = coordinator_of(network)
    totp_enrol(coordinator)
    return network, coordinator


def api_token(user: User) -> str:
    return api_token_issue(user=user, code_given=True)


def api_call(
    base_url: str, method: str, path: str, token: str, body: dict[str, Any] | None = None
) -> int:
    request = urllib.request.Request(  # noqa: S310
        f"{base_url}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
        return int(response.status)


# --- who may open the stream ----------------------------------------------------------------


def test_an_anonymous_socket_is_refused(asgi_server: str) -> None:
    network, _ = network_with_coordinator()
    assert_refused(asgi_server, network.pk)


def test_someone_outside_the_network_is_refused_as_if_it_did_not_exist(
    stream: StreamOpener, asgi_server: str
) -> None:
    network, coordinator = network_with_coordinator()
    cookie = session_cookie(UserFactory.create())

    assert_refused(asgi_server, network.pk, cookie=cookie)
    assert_refused(asgi_server, network.pk + 1000, cookie=cookie)
    # The same address lets a member in.
    _socket, hello = stream(coordinator, network)
    assert hello["network_id"] == network.pk


def test_staff_without_two_factor_are_refused(asgi_server: str) -> None:
    network, _ = network_with_coordinator()
    professional = member_add(network, kind=MemberKind.PROFESSIONAL).user
    assert_refused(asgi_server, network.pk, cookie=session_cookie(professional))


def test_a_member_is_greeted_with_the_network_and_its_latest_sequence(stream: StreamOpener) -> None:
    network, coordinator = network_with_coordinator()
    concern_raise_as(coordinator, network)
    network.refresh_from_db()
    assert network.last_sequence > 0

    _socket, hello = stream(coordinator, network)

    assert hello == {
        "type": "hello",
        "network_id": network.pk,
        "last_sequence": network.last_sequence,
    }


def test_a_ping_is_answered(stream: StreamOpener) -> None:
    network, coordinator = network_with_coordinator()
    socket, _ = stream(coordinator, network)
    socket.send(json.dumps({"type": "ping"}))
    assert frame(socket) == {"type": "pong"}


# --- live events ------------------------------------------------------------------------------


def test_a_professional_receives_a_concern_as_it_is_raised(stream: StreamOpener) -> None:
    network, coordinator = network_with_coordinator()
    colleague = professional_member(network)
    socket, hello = stream(colleague, network)

    concern = concern_raise_as(coordinator, network)

    event = frame(socket)
    assert event["type"] == "event"
    assert event["kind"] == "concern.raised"
    assert event["sequence"] == hello["last_sequence"] + 1
    assert event["payload"]["concern_id"] == concern.pk
    assert event["payload"]["severity"] == "medium"
    assert "description" not in event["payload"]


def test_a_family_member_never_receives_a_professionals_only_concern(stream: StreamOpener) -> None:
    network, coordinator = network_with_coordinator()
    aunt = family_member(network)
    family_socket, _ = stream(aunt, network)
    professional_socket, _ = stream(coordinator, network)

    hidden = concern_raise_as(coordinator, network, visibility=Visibility.PROFESSIONALS)
    # The professional's socket proves the event was published.
    hidden_event = frame(professional_socket)
    assert hidden_event["payload"]["concern_id"] == hidden.pk
    assert_quiet(family_socket)
    shared = concern_raise_as(coordinator, network, visibility=Visibility.NETWORK)

    # The very next frame the family member receives is the shared one.
    event = frame(family_socket)
    assert event["type"] == "event"
    assert event["payload"]["concern_id"] == shared.pk
    assert event["sequence"] == hidden_event["sequence"] + 1
    assert frame(professional_socket)["payload"]["concern_id"] == shared.pk
    assert_quiet(family_socket)


def test_a_socket_left_idle_keeps_receiving(stream: StreamOpener) -> None:
    """Longer than the channel layer's 5-second blocking read on Redis: with redis-py 8's
    default 5-second socket timeout the read timed out and the socket was dropped."""
    network, coordinator = network_with_coordinator()
    socket, _ = stream(coordinator, network)

    assert_quiet(socket, seconds=IDLE_SECONDS)
    concern = concern_raise_as(coordinator, network)

    assert frame(socket)["payload"]["concern_id"] == concern.pk
    socket.send(json.dumps({"type": "ping"}))
    assert frame(socket) == {"type": "pong"}


def test_without_redis_a_socket_receives_what_its_own_process_does(settings: Any) -> None:
    """The embedded default (`make run`): no Redis, so the process's hub is fed in-process."""
    settings.REDIS_URL = ""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    network, coordinator = network_with_coordinator()
    cookie = session_cookie(coordinator)

    async def scenario() -> Frame:
        from config.asgi import application

        communicator = WebsocketCommunicator(
            application,
            f"/ws/networks/{network.pk}/",
            headers=[(b"cookie", cookie.encode()), (b"origin", b"http://testserver")],
        )
        connected, _ = await communicator.connect()
        assert connected
        assert (await communicator.receive_json_from())["type"] == "hello"
        concern = await database_sync_to_async(concern_raise_as)(coordinator, network)
        event: Frame = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return {"event": event, "concern_id": concern.pk}

    outcome = async_to_sync(scenario)()

    assert outcome["event"]["payload"]["concern_id"] == outcome["concern_id"]


# --- resuming ---------------------------------------------------------------------------------


def test_a_client_that_reconnects_receives_exactly_what_it_missed_in_order(
    stream: StreamOpener,
) -> None:
    network, coordinator = network_with_coordinator()
    colleague = professional_member(network)
    socket, hello = stream(colleague, network)
    last_seen = hello["last_sequence"]
    socket.close()

    missed = [concern_raise_as(coordinator, network) for _ in range(3)]

    socket, hello = stream(colleague, network)
    assert hello["last_sequence"] == last_seen + 3
    socket.send(json.dumps({"type": "resume", "after": last_seen}))
    replayed = [frame(socket) for _ in range(3)]
    assert [event["payload"]["concern_id"] for event in replayed] == [c.pk for c in missed]
    assert [event["sequence"] for event in replayed] == [
        last_seen + 1,
        last_seen + 2,
        last_seen + 3,
    ]
    assert {event["kind"] for event in replayed} == {"concern.raised"}
    assert frame(socket) == {"type": "resumed", "last_sequence": last_seen + 3}
    assert_quiet(socket)

    # Live again: the next concern arrives once, after the replay.
    latest = concern_raise_as(coordinator, network)
    event = frame(socket)
    assert (event["sequence"], event["payload"]["concern_id"]) == (last_seen + 4, latest.pk)
    assert_quiet(socket)


def test_replay_leaves_out_what_a_family_member_may_not_see(stream: StreamOpener) -> None:
    network, coordinator = network_with_coordinator()
    aunt = family_member(network)
    socket, hello = stream(aunt, network)
    last_seen = hello["last_sequence"]
    socket.close()

    concern_raise_as(coordinator, network, visibility=Visibility.PROFESSIONALS)
    shared = concern_raise_as(coordinator, network, visibility=Visibility.NETWORK)
    concern_raise_as(coordinator, network, visibility=Visibility.AGENCY)
    concern_raise_as(coordinator, network, visibility=Visibility.RESTRICTED)

    socket, _ = stream(aunt, network)
    socket.send(json.dumps({"type": "resume", "after": last_seen}))
    event = frame(socket)
    assert (event["sequence"], event["payload"]["concern_id"]) == (last_seen + 2, shared.pk)
    assert frame(socket) == {"type": "resumed", "last_sequence": last_seen + 4}
    assert_quiet(socket)


def test_events_during_a_resume_are_neither_lost_nor_repeated(stream: StreamOpener) -> None:
    network, coordinator = network_with_coordinator()
    colleague = professional_member(network)
    socket, hello = stream(colleague, network)
    start = hello["last_sequence"]

    # Live events arrive before the client asks to resume from further back.
    live = [concern_raise_as(coordinator, network) for _ in range(2)]
    assert [frame(socket)["sequence"] for _ in live] == [start + 1, start + 2]
    socket.send(json.dumps({"type": "resume", "after": start - 1}))
    later = concern_raise_as(coordinator, network)

    frames = []
    while True:
        received = frame(socket)
        frames.append(received)
        if received["type"] == "event" and received["payload"].get("concern_id") == later.pk:
            break
    sequences = [f["sequence"] for f in frames if f["type"] == "event"]
    # The one event before `start` is replayed; the two already sent are not sent again.
    assert sorted(sequences) == [start, start + 3]
    assert len(sequences) == len(set(sequences))
    assert_quiet(socket)


# --- removal --------------------------------------------------------------------------------


def test_a_removed_member_is_cut_off_at_once(stream: StreamOpener, asgi_server: str) -> None:
    network, coordinator = network_with_coordinator()
    aunt = family_member(network)
    membership = Membership.objects.get(network=network, user=aunt, status="active")
    socket, _ = stream(aunt, network)
    coordinator_socket, _ = stream(coordinator, network)

    removed_at = time.monotonic()
    status = api_call(
        asgi_server,
        "DELETE",
        f"/api/v1/networks/{network.pk}/members/{membership.pk}/",
        api_token(coordinator),
    )
    assert status == 204

    # Not even the news of their own removal: the first frame is the revocation.
    assert frame(socket, timeout=5) == {"type": "revoked"}
    with pytest.raises(ConnectionClosed) as closed:
        socket.recv(timeout=5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
    assert time.monotonic() - removed_at < 5
    # Everyone else is told who left.
    assert frame(coordinator_socket)["kind"] == "member.left"

    concern_raise_as(coordinator, network, visibility=Visibility.NETWORK)
    assert frame(coordinator_socket)["kind"] == "concern.raised"
    assert_refused(asgi_server, network.pk, cookie=session_cookie(aunt))


# --- several server processes ---------------------------------------------------------------


@pytest.fixture
def two_servers(test_database_url: str) -> Iterator[tuple[str, str]]:
    """Two separate uvicorn processes, A and B, sharing the test database and Redis."""
    env = services.child_env(test_database_url)
    server_a, url_a = services.asgi_server_start(env)
    try:
        server_b, url_b = services.asgi_server_start(env)
    except BaseException:
        server_a.stop()
        raise
    yield url_a, url_b
    server_a.stop()
    server_b.stop()


def concern_raise_through(base_url: str, user: User, network: Network) -> None:
    """Raises a professionals-only concern through a server's HTTP API."""
    status = api_call(
        base_url,
        "POST",
        f"/api/v1/networks/{network.pk}/concerns/",
        api_token(user),
        {
            "category": ConcernCategory.NEGLECT,
            "severity": Severity.MEDIUM,
            "description": "Not collected from school again.",
            "visibility": Visibility.PROFESSIONALS,
        },
    )
    assert status == 201


def test_a_socket_on_one_server_receives_what_is_done_through_another(
    stream: StreamOpener, two_servers: tuple[str, str]
) -> None:
    url_a, url_b = two_servers
    network, coordinator = network_with_coordinator()
    colleague = professional_member(network)
    aunt = family_member(network)
    aunt_membership = Membership.objects.get(network=network, user=aunt, status="active")
    on_a, hello = stream(colleague, network, url_a)
    aunt_on_a, _ = stream(aunt, network, url_a)
    on_b, _ = stream(colleague, network, url_b)

    concern_raise_through(url_b, coordinator, network)

    raised = Concern.objects.get(network=network)
    for socket in (on_a, on_b):
        event = frame(socket)
        assert (event["kind"], event["sequence"]) == ("concern.raised", hello["last_sequence"] + 1)
        assert event["payload"]["concern_id"] == raised.pk
    assert_quiet(aunt_on_a)

    # A removal through B's API closes the member's socket on A and tells the others there.
    status = api_call(
        url_b,
        "DELETE",
        f"/api/v1/networks/{network.pk}/members/{aunt_membership.pk}/",
        api_token(coordinator),
    )
    assert status == 204
    assert frame(aunt_on_a, timeout=5) == {"type": "revoked"}
    with pytest.raises(ConnectionClosed) as closed:
        aunt_on_a.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    left = frame(on_a)
    assert (left["kind"], left["payload"]["membership_id"]) == ("member.left", aunt_membership.pk)
