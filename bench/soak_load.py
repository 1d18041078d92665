"""The soak's steady load and its meters: API writes at a fixed rate, each answer kept with
its time, and the throwaway database's connection count polled throughout.

Writes are calendar events shared with the whole network and, every `CONCERN_EVERY`th, a
concern (which also e-mails the network's professionals through the outbox). Each goes to
the next network in turn, from its coordinator's API token.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from bench.soak_data import SEVERITY, SoakNetwork

CONCERN_EVERY = 10
REQUEST_TIMEOUT = 30.0


@dataclass(frozen=True)
class Answer:
    sent: float  # seconds since the run began
    took: float
    kind: str  # "event" or "concern"
    status: str  # "201", "503", ..., or "no answer: <why>"


def write_body(kind: str, number: int) -> dict[str, object]:
    if kind == "concern":
        return {
            "category": "neglect",
            "severity": SEVERITY,
            "description": f"Soak concern {number}: not collected from school again.",
            "visibility": "network",
        }
    day = datetime.date(2027, 1, 4) + datetime.timedelta(days=number % 300)
    return {
        "title": f"Soak visit {number}",
        "kind": "home_visit",
        "start": f"{day.isoformat()}T10:00:00",
        "end": f"{day.isoformat()}T11:00:00",
        "visibility": "network",
    }


def write_send(base_url: str, network: SoakNetwork, kind: str, number: int) -> str:
    path = "concerns" if kind == "concern" else "events"
    request = urllib.request.Request(  # noqa: S310 - our own server on 127.0.0.1
        f"{base_url}/api/v1/networks/{network.id}/{path}/",
        method="POST",
        data=json.dumps(write_body(kind, number)).encode(),
        headers={"Authorization": f"Token {network.token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:  # noqa: S310
            return str(response.status)
    except urllib.error.HTTPError as error:
        return str(error.code)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        return f"no answer: {type(reason).__name__}"


async def writes_run(
    *, base_url: str, networks: list[SoakNetwork], rate: float, began: float, until: float
) -> list[Answer]:
    """Sends `rate` writes a second, on time whatever the answers take, until `until`."""
    answers: list[Answer] = []
    pool = ThreadPoolExecutor(max_workers=64)
    loop = asyncio.get_running_loop()
    pending: set[asyncio.Task[None]] = set()

    async def one(number: int) -> None:
        kind = "concern" if number % CONCERN_EVERY == CONCERN_EVERY - 1 else "event"
        network = networks[number % len(networks)]
        sent = time.monotonic()
        status = await loop.run_in_executor(pool, write_send, base_url, network, kind, number)
        answers.append(Answer(sent - began, time.monotonic() - sent, kind, status))

    number = 0
    while (due := began + number / rate) < until:
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        task = asyncio.create_task(one(number))
        pending.add(task)
        task.add_done_callback(pending.discard)
        number += 1
    if pending:
        await asyncio.wait(pending)
    pool.shutdown()
    return sorted(answers, key=lambda answer: answer.sent)


@dataclass
class ConnectionMeter:
    """Polls pg_stat_activity for the database's connections (other than its own)."""

    database_url: str
    database: str
    began: float  # time.monotonic() at the run's start
    interval: float = 0.25
    samples: list[tuple[float, int]] = field(default_factory=list)
    errors: int = 0

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    @property
    def peak(self) -> tuple[int, float]:
        """The most connections seen, and when (seconds since the run began)."""
        at, count = max(self.samples, key=lambda sample: sample[1], default=(0.0, 0))
        return count, at

    def _run(self) -> None:
        import psycopg

        connection = None
        while not self._stop.is_set():
            try:
                if connection is None:
                    connection = psycopg.connect(self.database_url, autocommit=True)
                row = connection.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    [self.database],
                ).fetchone()
                assert row is not None
                self.samples.append((time.monotonic() - self.began, int(row[0])))
            except psycopg.Error:
                self.errors += 1
                connection = None
            self._stop.wait(self.interval)
        if connection is not None:
            connection.close()


@dataclass
class Fault:
    name: str
    start: float  # seconds since the run began
    end: float = 0.0  # when the service was back
    note: str = ""

    def covers(self, at: float, *, grace: float) -> bool:
        return self.start <= at <= (self.end or self.start) + grace


def connections_end(database_url: str, database: str, *, wait: float = 15.0) -> int:
    """Waits for the stopped processes' connections to close, then ends any left so that the
    database can be dropped; returns how many had to be ended."""
    import psycopg

    deadline = time.monotonic() + wait
    with psycopg.connect(database_url, autocommit=True) as connection:
        others = "WHERE datname = %s AND pid <> pg_backend_pid()"
        while time.monotonic() < deadline:
            row = connection.execute(
                f"SELECT count(*) FROM pg_stat_activity {others}",
                [database],
            ).fetchone()
            if row is None or row[0] == 0:
                return 0
            time.sleep(0.5)
        ended = connection.execute(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity {others}",
            [database],
        ).fetchall()
        return len(ended)
