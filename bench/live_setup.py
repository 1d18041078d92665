"""What `bench.live_fanout` sets up: its throwaway database, members signed in, servers
started as the Procfile starts them, the baseline relay, and the calls it times.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import User
    from caregraph.models import Network
    from tests.services import Process

# The one authentication backend whose sessions the socket's AuthMiddleware reloads.
SESSION_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def asgi_server_start(env: dict[str, str]) -> tuple[Process, str]:
    """One uvicorn process serving the application with the Procfile's socket options
    (no per-message deflate); it and its base URL."""
    from tests import services

    port = services.free_port()
    process = services.Process(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-access-log",
            "--no-server-header",
            "--ws-per-message-deflate",
            "false",
            "--backlog",
            "4096",
        ],
        env,
        name=f"uvicorn-{port}",
    )
    base_url = f"http://127.0.0.1:{port}"
    services.wait_for_http(f"{base_url}/healthz", process)
    return process, base_url


@contextlib.contextmanager
def throwaway_database(name: str = "bench_live") -> Iterator[None]:
    """A fresh, migrated database of its own for the run (`<name>_<database>`); dropped
    afterwards."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        bench_name = str(settings.VAR_DIR / f"{name}.sqlite3")
    else:
        bench_name = f"{name}_{old_name}"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = bench_name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def member_sessions_create(users: list[User]) -> list[str]:
    """A signed-in session per user, made in bulk; returns their Cookie headers."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    store = SessionStore()
    expires = timezone.now() + datetime.timedelta(days=1)
    sessions = [
        Session(
            session_key=secrets.token_hex(16),
            session_data=store.encode(
                {
                    SESSION_KEY: str(user.pk),
                    BACKEND_SESSION_KEY: SESSION_BACKEND,
                    HASH_SESSION_KEY: user.get_session_auth_hash(),
                }
            ),
            expire_date=expires,
        )
        for user in users
    ]
    Session.objects.bulk_create(sessions, batch_size=1000)
    return [f"sessionid={session.session_key}" for session in sessions]


def family_members_add(network: Network, *, members: int, prefix: str) -> list[User]:
    """`members` family members of the network, made in bulk, not through `membership_add`:
    a bench needs hundreds quickly and their joining is not what is measured."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from caregraph.models import MemberKind, Membership

    password = make_password(secrets.token_hex(8))
    users = User.objects.bulk_create(
        [
            User(
                email=f"{prefix}-{network.pk}-{number}@example.org",
                display_name=f"Member {network.pk}-{number}",
                password=password,
            )
            for number in range(members)
        ],
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        [
            Membership(network=network, user=user, kind=MemberKind.FAMILY, relationship="Friend")
            for user in users
        ],
        batch_size=1000,
    )
    return users


def network_with_members(*, members: int, coordinator: User) -> tuple[Network, list[str]]:
    """A network whose coordinator raises concerns, and `members` family members signed in."""
    from tests.networks import network_create

    network = network_create(coordinator=coordinator)
    users = family_members_add(network, members=members, prefix="live")
    return network, member_sessions_create(users)


def concern_raise_over_http(base_url: str, network_id: int, token: str) -> int:
    body = {
        "category": "neglect",
        "severity": "medium",
        "description": "Not collected from school again.",
        "visibility": "network",
    }
    request = urllib.request.Request(  # noqa: S310
        f"{base_url}/api/v1/networks/{network_id}/concerns/",
        method="POST",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        if response.status != 201:
            raise RuntimeError(f"raising a concern answered {response.status}")
        return int(json.loads(response.read())["id"])


def socket_url(base_url: str, network_id: int) -> str:
    return f"ws://{base_url.removeprefix('http://')}/ws/networks/{network_id}/"


def baseline_message(sequence: int) -> str:
    """A message of the same shape and about the same size as a concern's live event."""
    return json.dumps(
        {
            "type": "event",
            "sequence": sequence,
            "kind": "concern.raised",
            "payload": {
                "concern_id": sequence,
                "category": "neglect",
                "category_label": "Neglect",
                "severity": "medium",
                "severity_label": "Medium",
                "status": "open",
                "status_label": "Open",
                "raised_by": "Member Number1",
                "raised_at": "2026-01-01T09:00:00+00:00",
                "url": f"/networks/1/concerns/{sequence}/",
            },
            "created_at": "2026-01-01T09:00:00+00:00",
        }
    )


def event_append_and_publish(network_id: int, number: int) -> tuple[int, float]:
    """Appends an event as a service does, which publishes it after commit; its sequence and
    the moment it committed (`time.perf_counter`), before its publishing began."""
    from django.db import transaction

    from caregraph.models import Network, NetworkEventKind
    from caregraph.services.events import network_event_append

    payload = json.loads(baseline_message(0))["payload"]
    committed: list[float] = []
    with transaction.atomic():
        # Registered first, so it runs first at commit, before the service's publish.
        transaction.on_commit(lambda: committed.append(time.perf_counter()))
        event = network_event_append(
            network=Network.objects.get(pk=network_id),
            kind=NetworkEventKind.CONCERN_UPDATED,
            payload={**payload, "number": number},
        )
    return int(event.sequence), committed[0]


def relay_start(port: int, redis_url: str, channel: str) -> subprocess.Popen[str]:
    relay = subprocess.Popen(
        [sys.executable, "-m", "bench.live_fanout", "--relay", str(port), redis_url, channel],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert relay.stdout is not None
    if relay.stdout.readline().strip() != "ready":
        relay.kill()
        raise RuntimeError("the baseline relay did not start")
    return relay


def channel_keys_delete(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
