"""The socket side of `bench.live_fanout`: the baseline relay it starts as a separate process
(no Django), and opening sockets and timing each event's arrival on every one of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

CONNECT_CONCURRENCY = 50
DELIVERY_TIMEOUT_SECONDS = 20.0
WARMUP_CONCERNS = 2


# --- the baseline relay: a separate process, no Django ------------------------------------


async def relay_serve(port: int, redis_url: str, channel: str) -> None:
    """Subscribes to one Redis channel and relays each message to every connected socket."""
    import redis.asyncio as redis_asyncio
    from websockets.asyncio.server import ServerConnection, broadcast, serve

    clients: set[ServerConnection] = set()

    async def handler(socket: ServerConnection) -> None:
        clients.add(socket)
        try:
            await socket.send('{"type": "hello"}')
            await socket.wait_closed()
        finally:
            clients.discard(socket)

    client = redis_asyncio.Redis.from_url(redis_url)
    pubsub = client.pubsub()
    await pubsub.subscribe(channel)
    async with serve(handler, "127.0.0.1", port, backlog=4096):
        print("ready", flush=True)
        async for message in pubsub.listen():
            if message["type"] == "message":
                broadcast(clients, message["data"].decode())


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Deliveries:
    """What each socket received, keyed by what identifies one event."""

    sockets: int
    arrivals: list[dict[int, list[float]]] = field(default_factory=list)
    complete: dict[int, asyncio.Event] = field(default_factory=lambda: defaultdict(asyncio.Event))
    counts: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def __post_init__(self) -> None:
        self.arrivals = [defaultdict(list) for _ in range(self.sockets)]

    def record(self, socket_index: int, key: int, at: float) -> None:
        times = self.arrivals[socket_index][key]
        times.append(at)
        if len(times) == 1:
            self.counts[key] += 1
            if self.counts[key] == self.sockets:
                self.complete[key].set()


async def listen(
    socket: ClientConnection,
    index: int,
    deliveries: Deliveries,
    key_of: Callable[[dict[str, Any]], int | None],
) -> None:
    async for raw in socket:
        at = time.perf_counter()
        key = key_of(json.loads(raw))
        if key is not None:
            deliveries.record(index, key, at)


def concern_key(message: dict[str, Any]) -> int | None:
    if message.get("type") == "event" and message.get("kind") == "concern.raised":
        return int(message["payload"]["concern_id"])
    return None


def baseline_key(message: dict[str, Any]) -> int | None:
    if message.get("type") == "event":
        return int(message["sequence"])
    return None


@dataclass
class Result:
    latencies_ms: list[float]
    lost: int
    duplicated: int
    call_ms: list[float]
    # From the mark a trigger returned (an append's commit), where it returned one.
    from_mark_ms: list[float] = field(default_factory=list)
    # The same, socket by socket, in the order the sockets were given.
    from_mark_by_socket: list[list[float]] = field(default_factory=list)


async def sockets_open(targets: list[tuple[str, str, str]]) -> list[ClientConnection]:
    """Opens (url, origin, cookie) sockets, a bounded number at a time; reads each hello."""
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one(url: str, origin: str, cookie: str) -> ClientConnection:
        async with gate:
            socket = await connect(
                url,
                origin=Origin(origin),
                additional_headers={"Cookie": cookie} if cookie else None,
                open_timeout=120,
                max_size=None,
            )
            hello = json.loads(await asyncio.wait_for(socket.recv(), 60))
            if hello.get("type") != "hello":
                raise RuntimeError(f"expected a hello, got {hello}")
            return socket

    return list(await asyncio.gather(*(one(*target) for target in targets)))


async def sockets_close(sockets: list[ClientConnection]) -> None:
    await asyncio.gather(*(socket.close() for socket in sockets), return_exceptions=True)


async def fanout_measure(
    sockets: list[ClientConnection],
    key_of: Callable[[dict[str, Any]], int | None],
    trigger: Callable[[int], Awaitable[int | tuple[int, float]]],
    count: int,
) -> Result:
    """Triggers `count` events one after another; each must reach every socket once.

    A trigger returns the event's key, or its key and a mark (a `time.perf_counter()`
    moment, such as its commit) from which latency is also measured."""
    deliveries = Deliveries(sockets=len(sockets))
    listeners = [
        asyncio.create_task(listen(socket, index, deliveries, key_of))
        for index, socket in enumerate(sockets)
    ]
    started: dict[int, float] = {}
    marks: dict[int, float] = {}
    call_ms: list[float] = []
    for number in range(WARMUP_CONCERNS + count):
        before = time.perf_counter()
        answer = await trigger(number)
        call_ms.append((time.perf_counter() - before) * 1000)
        if isinstance(answer, tuple):
            key, marks[key] = answer
        else:
            key = answer
        started[key] = before
        with contextlib.suppress(TimeoutError):  # what did not arrive is counted as lost
            await asyncio.wait_for(deliveries.complete[key].wait(), DELIVERY_TIMEOUT_SECONDS)
    await asyncio.sleep(1.0)  # time for a late duplicate to show
    for task in listeners:
        task.cancel()
    measured = list(started)[WARMUP_CONCERNS:]
    latencies, from_mark, lost, duplicated = [], [], 0, 0
    by_socket: list[list[float]] = []
    for arrivals in deliveries.arrivals:
        by_socket.append([])
        for key in measured:
            times = arrivals.get(key, [])
            if not times:
                lost += 1
                continue
            duplicated += len(times) - 1
            latencies.append((times[0] - started[key]) * 1000)
            if key in marks:
                from_mark.append((times[0] - marks[key]) * 1000)
                by_socket[-1].append(from_mark[-1])
        duplicated += sum(len(arrivals[key]) for key in set(arrivals) - set(started))
    return Result(latencies, lost, duplicated, call_ms[WARMUP_CONCERNS:], from_mark, by_socket)


def percentile(samples: list[float], share: float) -> float:
    if len(samples) < 2:
        return samples[0] if samples else float("nan")
    return statistics.quantiles(samples, n=100, method="inclusive")[int(share * 100) - 1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def open_files_raise(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


# --- idle sockets from a process of their own ---------------------------------------------


async def idle_hold(url: str, origin: str, cookies: list[str], count: int) -> None:
    """Opens `count` sockets (cookies in turn), says "ready", and holds them, reading what
    they are sent (heartbeats), until its standard input closes."""
    targets = [(url, origin, cookies[n % len(cookies)]) for n in range(count)]
    sockets = await sockets_open(targets)
    drains = [asyncio.create_task(drain(socket)) for socket in sockets]
    print(f"ready {len(sockets)}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    for task in drains:
        task.cancel()
    await sockets_close(sockets)


async def drain(socket: ClientConnection) -> None:
    with contextlib.suppress(Exception):
        async for _ in socket:
            pass


def idle_clients_start(
    *, url: str, origin: str, cookies: list[str], count: int, processes: int
) -> list[subprocess.Popen[str]]:
    """`count` idle sockets held open by `processes` client processes; once all are open."""
    cookie_file = tempfile.NamedTemporaryFile("w", suffix=".cookies", delete=False)  # noqa: SIM115
    cookie_file.write("\n".join(cookies))
    cookie_file.close()
    clients = []
    for share in range(processes):
        each = count // processes + (1 if share < count % processes else 0)
        clients.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bench.fanout_clients",
                    url,
                    origin,
                    cookie_file.name,
                    str(each),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        )
    for client in clients:
        assert client.stdout is not None
        line = client.stdout.readline().strip()
        if not line.startswith("ready"):
            idle_clients_stop(clients)
            raise RuntimeError(f"an idle client did not open its sockets: {line!r}")
    Path(cookie_file.name).unlink()
    return clients


def idle_clients_stop(clients: list[subprocess.Popen[str]]) -> None:
    for client in clients:
        if client.stdin is not None:
            client.stdin.close()
    for client in clients:
        try:
            client.wait(60)
        except subprocess.TimeoutExpired:
            client.kill()
            client.wait(5)


if __name__ == "__main__":  # an idle client process: URL ORIGIN COOKIE_FILE COUNT
    _url, _origin, _cookie_file, _count = sys.argv[1:5]
    open_files_raise(int(_count) + 100)
    asyncio.run(idle_hold(_url, _origin, Path(_cookie_file).read_text().splitlines(), int(_count)))
