"""Benchmark: a network event's way to every connected member's socket, beside raw Redis.

For 10, 100 and 500 connected members of one network, their sockets spread over two
uvicorn processes sharing Redis (started as the Procfile starts them, without per-message
deflate), it times per socket:

- raising a concern through the HTTP API (`POST /api/v1/networks/<id>/concerns/`,
  alternately on each process), from just before the call: everything a user waits for;
- appending an event to the log from this process, which publishes it after commit as
  every service does: from the commit (the live path: the wire text made at append, one
  PUBLISH, each process's hub, its sockets), and from just before the call;
- the baseline, in the same run: a raw Redis PUBLISH to one subscriber process that relays
  each message to as many plain `websockets` server sockets, from just before the PUBLISH.

It prints p50/p95/p99 and their ratio to the baseline, and counts lost and duplicated
events, which must be zero (exit status 1 otherwise). Then memory per idle connection: one
uvicorn process's resident size before and after opening 2,000 idle sockets, beside the
plain relay's. Then fan-out to 100 members on two uvicorn processes at once, one of which
also holds 10,000 idle authenticated sockets (of another network, opened by client
processes): the same events, at the same moments, with and without the idle sockets.

    python -m bench.live_fanout [--members 10,100,500] [--concerns 20] [--idle 2000]
                                [--crowd 10000] [--json PATH]

Needs Redis (REDIS_URL). Runs in a throwaway database of its own (`bench_live_<name>` on
DATABASE_URL's PostgreSQL, else a SQLite file), a channel prefix of its own, and only on
127.0.0.1; touches no real data.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bench.fanout_clients import (
    Result,
    baseline_key,
    concern_key,
    fanout_measure,
    idle_clients_start,
    idle_clients_stop,
    open_files_raise,
    percentile,
    relay_serve,
    rss_kib,
    sockets_close,
    sockets_open,
)
from bench.live_report import crowd_print, figures_make, report
from bench.live_setup import (
    asgi_server_start,
    baseline_message,
    channel_keys_delete,
    concern_raise_over_http,
    event_append_and_publish,
    network_with_members,
    relay_start,
    socket_url,
    throwaway_database,
)
from bench.results import BenchResult, result_write

if TYPE_CHECKING:
    from caregraph.models import Network

PATH_API = "concern API -> member sockets"
PATH_LOG = "event append -> sockets"
PATH_BASELINE = "raw Redis publish -> relay"
CROWD_PROCESSES = 4


@dataclass
class Row:
    members: int
    path: str
    result: Result


@dataclass
class Crowd:
    """Fan-out at one size on one process, without and with many idle sockets beside."""

    members: int
    idle: int
    alone: Result
    crowded: Result
    kib_per_socket: float


def sequence_key(message: dict[str, Any]) -> int | None:
    if message.get("type") == "event" and message.get("kind") == "concern.updated":
        return int(message["sequence"])
    return None


class Triggers:
    """The calls that make an event, each run where it belongs."""

    def __init__(self, *, token: str, redis_url: str, baseline_channel: str) -> None:
        import redis.asyncio as redis_asyncio

        self.token = token
        self.publisher = redis_asyncio.Redis.from_url(redis_url)
        self.baseline_channel = baseline_channel
        # One thread, so one database connection, for the events this process appends.
        self.database_thread = ThreadPoolExecutor(max_workers=1)

    async def concern_raise(self, servers: list[str], network_id: int, number: int) -> int:
        base_url = servers[number % len(servers)]
        return await asyncio.to_thread(concern_raise_over_http, base_url, network_id, self.token)

    async def event_append(self, network_id: int, number: int) -> tuple[int, float]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.database_thread, event_append_and_publish, network_id, number
        )

    async def publish(self, number: int) -> int:
        sequence = number + 1
        await self.publisher.publish(self.baseline_channel, baseline_message(sequence))
        return sequence

    async def close(self) -> None:
        from django.db import connections

        await self.publisher.aclose()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.database_thread, connections.close_all)
        self.database_thread.shutdown()


async def run_sizes(
    *,
    sizes: list[int],
    concerns: int,
    servers: list[str],
    networks: dict[int, tuple[Network, list[str]]],
    triggers: Triggers,
    relay_url: str,
) -> list[Row]:
    rows = []
    for size in sizes:
        network, cookies = networks[size]
        targets = [
            (socket_url(servers[n % 2], network.pk), servers[n % 2], cookie)
            for n, cookie in enumerate(cookies)
        ]
        sockets = await sockets_open(targets)

        async def raise_concern(number: int, network_id: int = network.pk) -> int:
            return await triggers.concern_raise(servers, network_id, number)

        async def append_event(number: int, network_id: int = network.pk) -> tuple[int, float]:
            return await triggers.event_append(network_id, number)

        result = await fanout_measure(sockets, concern_key, raise_concern, concerns)
        rows.append(Row(size, PATH_API, result))
        result = await fanout_measure(sockets, sequence_key, append_event, concerns)
        rows.append(Row(size, PATH_LOG, result))
        await sockets_close(sockets)

        plain = await sockets_open([(relay_url, "http://127.0.0.1", "")] * size)
        baseline = await fanout_measure(plain, baseline_key, triggers.publish, concerns)
        rows.append(Row(size, PATH_BASELINE, baseline))
        await sockets_close(plain)
        print(f"  measured {size} members", file=sys.stderr)
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


async def crowd_measure(
    *,
    servers: tuple[tuple[int, str], str],
    members: tuple[Network, list[str]],
    crowd: tuple[Network, list[str]],
    idle: int,
    events: int,
    triggers: Triggers,
) -> Crowd:
    """Fan-out to one network's members on two processes at once, one of them also holding
    `idle` sockets of another network (opened by client processes of their own): each event
    reaches both at the same moment, under the same load, so the two sides compare fairly on
    a shared machine. The members' sockets are the same users on both."""
    (pid, crowded_url), plain_url = servers
    network, cookies = members
    sockets = await sockets_open(
        [(socket_url(crowded_url, network.pk), crowded_url, cookie) for cookie in cookies]
        + [(socket_url(plain_url, network.pk), plain_url, cookie) for cookie in cookies]
    )
    before = rss_kib(pid)
    print(f"  opening {idle:,} idle sockets on one process", file=sys.stderr)
    clients = await asyncio.to_thread(
        idle_clients_start,
        url=socket_url(crowded_url, crowd[0].pk),
        origin=crowded_url,
        cookies=crowd[1],
        count=idle,
        processes=CROWD_PROCESSES,
    )

    async def append_event(number: int) -> tuple[int, float]:
        return await triggers.event_append(network.pk, number)

    try:
        await asyncio.sleep(3.0)
        kib = (rss_kib(pid) - before) / idle
        both = await fanout_measure(sockets, sequence_key, append_event, events)
    finally:
        await asyncio.to_thread(idle_clients_stop, clients)
        await sockets_close(sockets)
    half = len(cookies)
    crowded = [ms for socket in both.from_mark_by_socket[:half] for ms in socket]
    alone = [ms for socket in both.from_mark_by_socket[half:] for ms in socket]
    return Crowd(
        half,
        idle,
        Result([], 0, 0, both.call_ms, alone),
        Result(both.latencies_ms, both.lost, both.duplicated, both.call_ms, crowded),
        kib,
    )


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--members", default="10,100,500", help="comma-separated sizes")
    parser.add_argument("--concerns", type=int, default=20, help="events per size and path")
    parser.add_argument("--idle", type=int, default=2000, help="idle sockets (0: skip)")
    parser.add_argument(
        "--crowd", type=int, default=10000, help="idle sockets beside fan-out (0: skip)"
    )
    parser.add_argument("--crowd-members", type=int, default=100)
    parser.add_argument(
        "--crowd-events", type=int, default=100, help="events with the crowd, and without"
    )
    parser.add_argument("--json", help="also write the figures to this file (bench.report)")
    parser.add_argument("--relay", nargs=3, help=argparse.SUPPRESS)  # the baseline process
    return parser.parse_args()


def main() -> None:
    args = arguments()
    if args.relay:
        port, redis_url, channel = args.relay
        asyncio.run(relay_serve(int(port), redis_url, channel))
        return

    sizes = [int(size) for size in args.members.split(",")]
    # Stopped early, it still stops its servers and drops its database on the way out.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    # Servers inherit the limit: one process holds the crowd and the members at once.
    open_files_raise(2 * (args.idle + args.crowd + max(sizes)) + 1000)
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
    crowd: Crowd | None = None

    with throwaway_database():
        coordinator = staff_create()
        totp_enrol(coordinator)  # agency staff reach no API without two-factor set up
        token = api_token_issue(user=coordinator, code_given=True)
        all_sizes = set(sizes) | ({args.crowd_members} if args.crowd else set())
        networks = {
            size: network_with_members(members=size, coordinator=coordinator)
            for size in sorted(all_sizes)
        }
        idle_network = network_with_members(members=max(sizes), coordinator=coordinator)
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
        triggers: Triggers | None = None
        loop = asyncio.new_event_loop()
        try:
            servers = []
            for _ in range(2):
                process, base_url = asgi_server_start(env)
                processes.append(process)
                servers.append(base_url)
            relay_port = services.free_port()
            channel = f"{prefix}-baseline"
            relay = relay_start(relay_port, redis_url, channel)
            relay_url = f"ws://127.0.0.1:{relay_port}/"
            triggers = Triggers(token=token, redis_url=redis_url, baseline_channel=channel)
            rows = loop.run_until_complete(
                run_sizes(
                    sizes=sizes,
                    concerns=args.concerns,
                    servers=servers,
                    networks=networks,
                    triggers=triggers,
                    relay_url=relay_url,
                )
            )
            for process in processes:
                process.stop()

            app_kib = plain_kib = float("nan")
            if args.idle:
                idle_server, idle_url = asgi_server_start(env)
                processes.append(idle_server)
                idle_cookies = idle_network[1]
                idle_targets = [
                    (
                        socket_url(idle_url, idle_network[0].pk),
                        idle_url,
                        idle_cookies[n % len(idle_cookies)],
                    )
                    for n in range(args.idle)
                ]
                app_kib = loop.run_until_complete(
                    idle_memory(pid=idle_server.popen.pid, targets=idle_targets)
                )
                plain_kib = loop.run_until_complete(
                    idle_memory(
                        pid=relay.pid, targets=[(relay_url, "http://127.0.0.1", "")] * args.idle
                    )
                )
                idle_server.stop()
            if args.crowd:
                crowd_server, crowd_url = asgi_server_start(env)
                processes.append(crowd_server)
                plain_server, plain_url = asgi_server_start(env)
                processes.append(plain_server)
                crowd = loop.run_until_complete(
                    crowd_measure(
                        servers=((crowd_server.popen.pid, crowd_url), plain_url),
                        members=networks[args.crowd_members],
                        crowd=idle_network,
                        idle=args.crowd,
                        events=args.crowd_events,
                        triggers=triggers,
                    )
                )
        finally:
            if triggers is not None:
                loop.run_until_complete(triggers.close())
            loop.close()
            for process in processes:
                process.stop()
            if relay is not None:
                relay.terminate()
                relay.wait(10)
            channel_keys_delete(redis_url, prefix)

    rows_by = {(row.members, row.path): row.result for row in rows}
    report(rows, concerns=args.concerns, engine=engine, baseline_path=PATH_BASELINE)
    if args.idle:
        print(
            f"memory per idle connection, {args.idle} open sockets on one process: "
            f"Caregraph uvicorn worker {app_kib:.1f} KiB, "
            f"plain websockets relay {plain_kib:.1f} KiB ({app_kib / plain_kib:.1f}x)"
        )
    if crowd is not None:
        crowd_print(crowd)
    results = [row.result for row in rows] + (
        [crowd.alone, crowd.crowded] if crowd is not None else []
    )
    failed = ""
    if any(result.lost or result.duplicated for result in results):
        failed = "events were lost or duplicated"
    result_write(
        args.json,
        BenchResult(
            bench="live_fanout",
            settings=(
                f"{', '.join(map(str, sizes))} members, {args.concerns} events per size and "
                f"path, {args.idle:,} idle sockets for memory, {args.crowd:,} beside fan-out "
                f"({args.crowd_events} events to both processes at once)"
            ),
            failed=failed,
            figures=figures_make(
                sizes=sizes,
                rows=rows_by,
                paths=(PATH_API, PATH_LOG, PATH_BASELINE),
                idle=(args.idle, app_kib, plain_kib),
                crowd=crowd,
            ),
            extra={
                "series": {
                    "members": sizes,
                    "caregraph_p95": [
                        percentile(rows_by[size, PATH_LOG].from_mark_ms, 0.95) for size in sizes
                    ],
                    "api_p95": [
                        percentile(rows_by[size, PATH_API].latencies_ms, 0.95) for size in sizes
                    ],
                    "baseline_p95": [
                        percentile(rows_by[size, PATH_BASELINE].latencies_ms, 0.95)
                        for size in sizes
                    ],
                },
                "call_p50": {
                    str(size): statistics.median(rows_by[size, PATH_API].call_ms) for size in sizes
                },
            },
        ),
    )
    if failed:
        sys.exit(f"FAIL: {failed}")


if __name__ == "__main__":
    main()
