"""Benchmark: a raised concern's way to every connected member's socket, beside raw Redis.

For 10, 100 and 500 connected members of one network, their sockets spread over two
uvicorn processes sharing Redis, it times per socket, from just before the call to the
event's arrival:

- raising a concern through the HTTP API (`POST /api/v1/networks/<id>/concerns/`,
  alternately on each process): everything a user waits for;
- appending an event to the log from this process, which publishes it after commit as
  every service does: the live path alone;
- the baseline, in the same run: a raw Redis PUBLISH to one subscriber process that relays
  each message to as many plain `websockets` server sockets.

It prints p50/p95/p99 and their ratio to the baseline, and counts lost and duplicated
events, which must be zero (exit status 1 otherwise). Then memory per idle connection: one
uvicorn process's resident size before and after opening 2,000 idle sockets, beside the
plain relay's.

    python -m bench.live_fanout [--members 10,100,500] [--concerns 20] [--idle 2000]

Needs Redis (REDIS_URL). Runs in a throwaway database of its own (`bench_live_<name>` on
DATABASE_URL's PostgreSQL, else a SQLite file), a channel prefix of its own, and only on
127.0.0.1; touches no real data.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bench.fanout_clients import (
    Result,
    baseline_key,
    concern_key,
    fanout_measure,
    open_files_raise,
    percentile,
    relay_serve,
    rss_kib,
    sockets_close,
    sockets_open,
)

if TYPE_CHECKING:
    from accounts.models import User
    from caregraph.models import Network

# The one authentication backend whose sessions the socket's AuthMiddleware reloads.
SESSION_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


# --- data ---------------------------------------------------------------------------------


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


def network_with_members(*, members: int, coordinator: User) -> tuple[Network, list[str]]:
    """A network whose coordinator raises concerns, and `members` family members signed in.

    Members are added in bulk, not through `membership_add`: a bench needs hundreds quickly
    and their joining is not what is measured.
    """
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from caregraph.models import MemberKind, Membership
    from tests.networks import network_create

    network = network_create(coordinator=coordinator)
    password = make_password(secrets.token_hex(8))
    users = User.objects.bulk_create(
        [
            User(
                email=f"live-{network.pk}-{number}@example.org",
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


# --- the run ------------------------------------------------------------------------------


PATH_API = "concern API -> member sockets"
PATH_LOG = "event log append -> sockets"
PATH_BASELINE = "raw Redis publish -> relay"


@dataclass
class Row:
    members: int
    path: str
    result: Result


def event_append_and_publish(network_id: int, number: int) -> int:
    """Appends an event as a service does, which publishes it after commit; its sequence."""
    from django.db import transaction

    from caregraph.models import Network, NetworkEventKind
    from caregraph.services.events import network_event_append

    payload = json.loads(baseline_message(0))["payload"]
    with transaction.atomic():
        event = network_event_append(
            network=Network.objects.get(pk=network_id),
            kind=NetworkEventKind.CONCERN_UPDATED,
            payload={**payload, "number": number},
        )
    return int(event.sequence)


def sequence_key(message: dict[str, Any]) -> int | None:
    if message.get("type") == "event" and message.get("kind") == "concern.updated":
        return int(message["sequence"])
    return None


async def run_sizes(
    *,
    sizes: list[int],
    concerns: int,
    servers: list[str],
    networks: dict[int, tuple[Network, list[str]]],
    token: str,
    relay_url: str,
    redis_url: str,
    baseline_channel: str,
) -> list[Row]:
    import redis.asyncio as redis_asyncio
    from django.db import connections

    publisher = redis_asyncio.Redis.from_url(redis_url)
    # One thread, so one database connection, for the events this process appends.
    database_thread = ThreadPoolExecutor(max_workers=1)
    loop = asyncio.get_running_loop()
    rows = []
    for size in sizes:
        network, cookies = networks[size]
        targets = [
            (socket_url(servers[n % 2], network.pk), servers[n % 2], cookie)
            for n, cookie in enumerate(cookies)
        ]
        sockets = await sockets_open(targets)

        async def raise_concern(number: int, network_id: int = network.pk) -> int:
            base_url = servers[number % 2]
            return await asyncio.to_thread(concern_raise_over_http, base_url, network_id, token)

        async def append_event(number: int, network_id: int = network.pk) -> int:
            return await loop.run_in_executor(
                database_thread, event_append_and_publish, network_id, number
            )

        result = await fanout_measure(sockets, concern_key, raise_concern, concerns)
        rows.append(Row(size, PATH_API, result))
        result = await fanout_measure(sockets, sequence_key, append_event, concerns)
        rows.append(Row(size, PATH_LOG, result))
        await sockets_close(sockets)

        plain = await sockets_open([(relay_url, "http://127.0.0.1", "")] * size)

        async def publish(number: int) -> int:
            sequence = number + 1
            await publisher.publish(baseline_channel, baseline_message(sequence))
            return sequence

        baseline = await fanout_measure(plain, baseline_key, publish, concerns)
        rows.append(Row(size, PATH_BASELINE, baseline))
        await sockets_close(plain)
        print(f"  measured {size} members", file=sys.stderr)
    await publisher.aclose()
    await loop.run_in_executor(database_thread, connections.close_all)
    database_thread.shutdown()
    return rows


async def idle_memory(*, pid: int, targets: list[tuple[str, str, str]]) -> float:
    """KiB of resident memory per idle socket held open by one process."""
    warm = await sockets_open(targets[:20])  # load every code path before the first reading
    await sockets_close(warm)
    await asyncio.sleep(1.0)
    before = rss_kib(pid)
    sockets = await sockets_open(targets)
    await asyncio.sleep(2.0)
    after = rss_kib(pid)
    await sockets_close(sockets)
    return (after - before) / len(targets)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--members", default="10,100,500", help="comma-separated sizes")
    parser.add_argument("--concerns", type=int, default=20, help="concerns raised per size")
    parser.add_argument("--idle", type=int, default=2000, help="idle sockets (0: skip)")
    parser.add_argument("--relay", nargs=3, help=argparse.SUPPRESS)  # the baseline process
    args = parser.parse_args()
    if args.relay:
        port, redis_url, channel = args.relay
        asyncio.run(relay_serve(int(port), redis_url, channel))
        return

    sizes = [int(size) for size in args.members.split(",")]
    # Stopped early, it still stops its servers and drops its database on the way out.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    open_files_raise(2 * (args.idle + max(sizes)) + 1000)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    prefix = f"bench-live-{os.getpid()}"
    os.environ["CHANNEL_PREFIX"] = prefix

    import django

    django.setup()

    from django.conf import settings
    from django.db import connection

    from api.tokens import api_token_issue
    from tests import services
    from tests.factories import staff_create, totp_enrol

    if not settings.REDIS_URL:
        sys.exit("bench.live_fanout needs Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379/5)")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    redis_url = settings.REDIS_URL
    layer = str(settings.CHANNEL_LAYERS["default"]["BACKEND"])

    with throwaway_database():
        coordinator = staff_create()
        totp_enrol(coordinator)  # agency staff reach no API without two-factor set up
        token = api_token_issue(user=coordinator, code_given=True)
        networks = {
            size: network_with_members(members=size, coordinator=coordinator)
            for size in sorted(set(sizes))
        }
        idle_network, idle_cookies = networks[max(sizes)]
        database_url = services.database_url(connection.settings_dict)
        engine = connection.vendor
        connection.close()  # from here on the servers do the reading
        print(f"  built networks of {', '.join(map(str, sorted(networks)))}", file=sys.stderr)

        env = services.child_env(
            database_url,
            CHANNEL_PREFIX=prefix,
            # Notification e-mails are queued in memory, not on the developer's Redis.
            CELERY_BROKER_URL="memory://",
        )
        processes: list[services.Process] = []
        relay: subprocess.Popen[str] | None = None
        try:
            servers = []
            for _ in range(2):
                process, base_url = services.asgi_server_start(env)
                processes.append(process)
                servers.append(base_url)
            relay_port = services.free_port()
            channel = f"{prefix}-baseline"
            relay = relay_start(relay_port, redis_url, channel)
            relay_url = f"ws://127.0.0.1:{relay_port}/"

            rows = asyncio.run(
                run_sizes(
                    sizes=sizes,
                    concerns=args.concerns,
                    servers=servers,
                    networks=networks,
                    token=token,
                    relay_url=relay_url,
                    redis_url=redis_url,
                    baseline_channel=channel,
                )
            )
            for process in processes:
                process.stop()

            app_kib = plain_kib = float("nan")
            if args.idle:
                idle_server, idle_url = services.asgi_server_start(env)
                processes.append(idle_server)
                idle_targets = [
                    (
                        socket_url(idle_url, idle_network.pk),
                        idle_url,
                        idle_cookies[n % len(idle_cookies)],
                    )
                    for n in range(args.idle)
                ]
                app_kib = asyncio.run(idle_memory(pid=idle_server.popen.pid, targets=idle_targets))
                plain_kib = asyncio.run(
                    idle_memory(
                        pid=relay.pid, targets=[(relay_url, "http://127.0.0.1", "")] * args.idle
                    )
                )
        finally:
            for process in processes:
                process.stop()
            if relay is not None:
                relay.terminate()
                relay.wait(10)
            channel_keys_delete(redis_url, prefix)

    report(rows, concerns=args.concerns, layer=layer, engine=engine)
    if args.idle:
        print(
            f"memory per idle connection, {args.idle} open sockets on one process: "
            f"Caregraph uvicorn worker {app_kib:.1f} KiB, "
            f"plain websockets relay {plain_kib:.1f} KiB ({app_kib / plain_kib:.1f}x)"
        )
    if any(row.result.lost or row.result.duplicated for row in rows):
        sys.exit("FAIL: events were lost or duplicated")


def report(rows: list[Row], *, concerns: int, layer: str, engine: str) -> None:
    print(
        f"database: {engine}; channel layer: {layer.rsplit('.', 1)[-1]}; "
        f"sockets spread over 2 uvicorn processes; {concerns} events per size; "
        "latency per socket, from just before the call to the event's arrival"
    )
    header = f"{'members':>7}  {'path':<32}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    print(f"{header}{'x p50':>8}{'x p95':>8}{'x p99':>8}{'lost':>6}{'dup':>5}{'call p50':>10}")
    baselines = {row.members: row.result for row in rows if row.path == PATH_BASELINE}
    for row in rows:
        latencies = row.result.latencies_ms
        shares = (0.50, 0.95, 0.99)
        values = [percentile(latencies, share) for share in shares]
        base = baselines[row.members].latencies_ms
        ratios = [
            value / percentile(base, share) for value, share in zip(values, shares, strict=True)
        ]
        print(
            f"{row.members:>7}  {row.path:<32}"
            + "".join(f"{value:>9.1f}" for value in values)
            + "".join(f"{ratio:>7.1f}x" for ratio in ratios)
            + f"{row.result.lost:>6}{row.result.duplicated:>5}"
            + f"{statistics.median(row.result.call_ms):>10.1f}"
        )
    print(
        "call p50: the call itself, in ms (the API's POST to its 201; the append, its commit "
        "and publish; the bare PUBLISH)"
    )


if __name__ == "__main__":
    main()
