"""The soak's socket clients: each a member's page holding `/ws/networks/<id>/` open for the
whole run, through whatever the faults do to it.

A client keeps the highest sequence below which it has everything (`contiguous`) and hands
events to its application strictly in order, once each. It resumes (`{"type": "resume",
"after": contiguous}`) when it connects again, when an event skips ahead (holding the early
one until the gap is filled), and when a heartbeat says the stream is further than it is.
Frames it already has are dropped and counted: a replay may repeat what came live. At the
end it asks once more, as the browser does when it comes back, and what its application
received is compared with the network's log.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException
from websockets.typing import Origin

RETRY_FIRST, RETRY_MOST = 0.5, 5.0
FINAL_RESUME_TIMEOUT = 60.0


@dataclass
class Tally:
    """What one socket saw, and what its application was given."""

    first_hello: int | None = None
    delivered: list[int] = field(default_factory=list)  # to the application, in order
    pending: set[int] = field(default_factory=set)  # arrived early, waiting for a gap to fill
    contiguous: int = 0
    duplicates: int = 0  # frames dropped because they had arrived already
    late: int = 0  # arrived below `contiguous` after the server said it had sent all of it
    connects: int = 0
    refused: int = 0  # connection attempts that failed
    resumes: int = 0
    gaps: int = 0
    heartbeats: int = 0
    live: int = 0  # delivered from frames that came live
    replayed: int = 0  # delivered from frames that came in answer to a resume
    at_final: int = 0  # delivered only by the final resume: live delivery had stopped


class SoakClient:
    def __init__(self, *, url: str, origin: str, cookie: str) -> None:
        self.url, self.origin, self.cookie = url, origin, cookie
        self.tally = Tally()
        self.delivered_set: set[int] = set()
        self.socket: ClientConnection | None = None
        self.resuming = False
        self.final = False
        self.final_done = asyncio.Event()
        self.connected = asyncio.Event()
        self.stopping = False

    async def run(self) -> None:
        """Connects, and connects again whenever the socket closes, until told to stop."""
        retry = RETRY_FIRST
        while not self.stopping:
            try:
                async with connect(
                    self.url,
                    origin=Origin(self.origin),
                    additional_headers={"Cookie": self.cookie},
                    open_timeout=30,
                    max_size=None,
                ) as socket:
                    self.socket = socket
                    self.tally.connects += 1
                    retry = RETRY_FIRST
                    async for raw in socket:
                        await self.receive(json.loads(raw))
            except (OSError, WebSocketException, TimeoutError):
                if self.socket is None:
                    self.tally.refused += 1
            finally:
                self.socket = None
                self.resuming = False
                self.connected.clear()
            if self.stopping:
                return
            await asyncio.sleep(retry * (0.75 + random.random() / 2))
            retry = min(retry * 2, RETRY_MOST)

    async def send(self, message: dict[str, Any]) -> None:
        socket = self.socket
        if socket is not None:
            with contextlib.suppress(WebSocketException):
                await socket.send(json.dumps(message))

    async def resume(self) -> None:
        self.resuming = True
        self.tally.resumes += 1
        await self.send({"type": "resume", "after": self.tally.contiguous})

    async def receive(self, message: dict[str, Any]) -> None:
        tally = self.tally
        match message.get("type"):
            case "hello":
                last = int(message["last_sequence"])
                if tally.first_hello is None:
                    tally.first_hello = tally.contiguous = last
                self.connected.set()
                if last > tally.contiguous or tally.pending or self.final:
                    await self.resume()
            case "event":
                await self.event(int(message["sequence"]))
            case "resumed":
                self.resuming = False
                self.caught_up(int(message["last_sequence"]))
                if self.final:
                    self.final_done.set()
                elif tally.pending:
                    await self.resume()
            case "heartbeat":
                tally.heartbeats += 1
                if int(message["last_sequence"]) > tally.contiguous and not self.resuming:
                    await self.resume()

    async def event(self, sequence: int) -> None:
        tally = self.tally
        if sequence in tally.pending or sequence in self.delivered_set:
            tally.duplicates += 1
            return
        if sequence <= tally.contiguous:
            tally.late += 1
            self.deliver(sequence)
            return
        if sequence == tally.contiguous + 1:
            self.deliver(sequence)
            tally.contiguous = sequence
            self.release()
            return
        tally.pending.add(sequence)  # a gap: hold it, and ask for what is missing
        if not self.resuming:
            tally.gaps += 1
            await self.resume()

    def deliver(self, sequence: int) -> None:
        tally = self.tally
        tally.delivered.append(sequence)
        self.delivered_set.add(sequence)
        if self.final:
            tally.at_final += 1
        elif self.resuming:
            tally.replayed += 1
        else:
            tally.live += 1

    def release(self) -> None:
        """Hands over what was held, as far as it now runs without a gap."""
        tally = self.tally
        while tally.contiguous + 1 in tally.pending:
            tally.pending.discard(tally.contiguous + 1)
            tally.contiguous += 1
            self.deliver(tally.contiguous)

    def caught_up(self, through: int) -> None:
        """The server has sent everything up to `through` that this member may see."""
        tally = self.tally
        for sequence in sorted(s for s in tally.pending if s <= through):
            tally.pending.discard(sequence)
            self.deliver(sequence)
        tally.contiguous = max(tally.contiguous, through)
        self.release()

    async def final_resume(self) -> bool:
        """Asks once more for everything after what it has; True once answered."""
        self.final = True
        deadline = time.monotonic() + FINAL_RESUME_TIMEOUT
        while time.monotonic() < deadline:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.connected.wait(), deadline - time.monotonic())
            if self.socket is not None:
                await self.resume()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.final_done.wait(), 15)
                if self.final_done.is_set():
                    return True
            await asyncio.sleep(0.5)
        return False

    async def stop(self) -> None:
        self.stopping = True
        socket = self.socket
        if socket is not None:
            with contextlib.suppress(WebSocketException):
                await socket.close()


async def clients_start(
    clients: list[SoakClient], *, concurrency: int = 25
) -> list[asyncio.Task[None]]:
    """Starts every client a few at a time; returns once each has had its first hello."""
    tasks = []
    for start in range(0, len(clients), concurrency):
        batch = clients[start : start + concurrency]
        tasks += [asyncio.create_task(client.run()) for client in batch]
        await asyncio.wait_for(
            asyncio.gather(*(client.connected.wait() for client in batch)), timeout=120
        )
    return tasks


@dataclass
class SocketCheck:
    expected: int = 0
    delivered: int = 0
    lost: int = 0
    extra: int = 0  # delivered though not in the member's part of the log
    out_of_order: int = 0
    repeated: int = 0  # given to the application twice


def socket_check(tally: Tally, expected: list[int]) -> SocketCheck:
    delivered = tally.delivered
    return SocketCheck(
        expected=len(expected),
        delivered=len(delivered),
        lost=len(set(expected) - set(delivered)),
        extra=len(set(delivered) - set(expected)),
        out_of_order=sum(1 for a, b in itertools.pairwise(delivered) if b <= a),
        repeated=len(delivered) - len(set(delivered)),
    )
