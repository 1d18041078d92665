"""Each web process's fan-out of network events: one subscription per network, in order.

The event log is the truth; Redis only rings the bell. A publisher sends each committed
event once, to one pub/sub channel per network (`caregraph.realtime`), already serialised
and tagged with the audiences the policy allows. Every web process runs one hub: it
subscribes once per network that has a socket open here, and hands each event's frame to
the local sockets whose audiences meet the event's. Nothing is done per socket in Redis,
and nothing is serialised per socket. The message is the envelope's small header as JSON, a
newline, and the frame exactly as sockets receive it (`envelope_wire`), so a hub parses the
header only. Handing over never waits on a socket: each socket queues its frames and writes
them in order on its own (`NetworkConsumer.hub_deliver`), so a slow one holds up nobody.

The hub delivers each network's events in sequence order, with none missing. Sequences
are contiguous per network, so a hole is certain news of a lost or late message: events
after it wait (`GAP_WAIT_SECONDS`) for it, and then the missing ones are read from the log.
Every `LIVE_POLL_SECONDS` the hub reads how far each of its networks' logs have reached (one
query for all of them), which finds an event lost at the very end, or lost while Redis was
away. So a publish that failed, a Redis restart or a pause cost a delay, never an event.
Sockets are told `{"type": "heartbeat", "last_sequence": n}` every `LIVE_HEARTBEAT_SECONDS`:
everything up to `n` that they may see has been sent to them.

Without Redis (the embedded default) the hub is fed in-process, and events made by another
process (a background job) arrive by the poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import structlog
from channels.db import database_sync_to_async
from django.conf import settings
from redis import asyncio as aioredis

from caregraph.models import Network, NetworkEvent

logger = structlog.get_logger(__name__)

GAP_WAIT_SECONDS = 0.3
RECONNECT_MAX_SECONDS = 5.0


class Socket(Protocol):
    """What the hub needs of a socket (caregraph.consumers.NetworkConsumer). None of these
    waits: each queues what it is given, to be written in order after what came before."""

    audiences: frozenset[str]
    user_id: int
    membership_id: int | None

    def hub_deliver(self, sequence: int, frame: str) -> None: ...

    def hub_revoke(self) -> None: ...

    def hub_heartbeat(self, last_sequence: int, frame: str) -> None: ...


def network_channel(network_id: int) -> str:
    return f"{settings.CHANNEL_PREFIX}:network:{network_id}"


def envelope_wire(envelope: dict[str, Any]) -> str:
    """An envelope as it is published: its header (everything but the frame) as JSON, then,
    after a newline, the frame as it is. JSON text never holds a raw newline, so the first one
    ends the header; the frame is neither escaped by the publisher nor parsed by a hub."""
    header = json.dumps({k: v for k, v in envelope.items() if k != "frame"}, separators=(",", ":"))
    frame = envelope.get("frame")
    return header if frame is None else f"{header}\n{frame}"


def envelope_read(wire: str) -> dict[str, Any]:
    header, _, frame = wire.partition("\n")
    envelope: dict[str, Any] = json.loads(header)
    if frame:
        envelope["frame"] = frame
    return envelope


@dataclass
class Stream:
    """One network as this process serves it."""

    network_id: int
    through: int  # every event up to here has been handed to the sockets
    sockets: set[Any] = field(default_factory=set)
    waiting: dict[int, dict[str, Any]] = field(default_factory=dict)
    gap_task: asyncio.Task[None] | None = None


class Hub:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.streams: dict[int, Stream] = {}
        self.wanted: set[int] = set()  # the networks to subscribe to
        self.redis_url = settings.REDIS_URL
        self.pubsub: Any = None
        self.listener: asyncio.Task[None] | None = None
        self.ticker = loop.create_task(self._tick())

    # --- sockets ---------------------------------------------------------------------------

    async def join(self, network_id: int, socket: Socket) -> int | None:
        """Serves the socket; returns the sequence it starts after (None: no such network)."""
        stream = self.streams.get(network_id)
        if stream is None:
            self.wanted.add(network_id)
            await self._subscribe(network_id)  # before reading the log: nothing falls between
            stream = self.streams.get(network_id)
            if stream is None:
                through = await database_sync_to_async(_last_sequence_get)(network_id)
                if through is None:
                    self.wanted.discard(network_id)
                    return None
                stream = self.streams.setdefault(network_id, Stream(network_id, through))
                self.wanted.add(network_id)
        stream.sockets.add(socket)
        return stream.through

    async def leave(self, network_id: int, socket: Socket) -> None:
        stream = self.streams.get(network_id)
        if stream is None:
            return
        stream.sockets.discard(socket)
        if not stream.sockets:
            del self.streams[network_id]
            self.wanted.discard(network_id)
            if stream.gap_task is not None:
                stream.gap_task.cancel()
            await self._unsubscribe(network_id)

    def through(self, network_id: int) -> int:
        stream = self.streams.get(network_id)
        return stream.through if stream is not None else 0

    # --- what arrives ----------------------------------------------------------------------
    # Nothing from here to the sockets awaits, so an event is handed to every socket of its
    # stream before anything else runs on the loop: no lock is needed to keep them in order.

    def receive(self, network_id: int, envelope: dict[str, Any]) -> None:
        stream = self.streams.get(network_id)
        if stream is None:
            return
        if "revoke" in envelope:
            for socket in list(stream.sockets):
                if socket.user_id == envelope["revoke"]:
                    socket.hub_revoke()
            return
        sequence = int(envelope["sequence"])
        if sequence <= stream.through:
            return  # already handed over (a repeat, or read from the log first)
        stream.waiting[sequence] = envelope
        _hand_over(stream)
        if stream.waiting and (stream.gap_task is None or stream.gap_task.done()):
            stream.gap_task = self.loop.create_task(self._fill_later(stream))

    def receive_wire(self, network_id: int, wire: str) -> None:
        self.receive(network_id, envelope_read(wire))

    async def _fill_later(self, stream: Stream) -> None:
        await asyncio.sleep(GAP_WAIT_SECONDS)
        if stream.waiting:
            await self._fill(stream, upto=max(stream.waiting))

    async def _fill(self, stream: Stream, *, upto: int) -> None:
        """Reads the events the hub has not had from the log, and hands them over."""
        envelopes = await database_sync_to_async(_envelopes_between)(
            stream.network_id, stream.through, upto
        )
        for envelope in envelopes:
            if envelope["sequence"] > stream.through:
                stream.waiting.setdefault(envelope["sequence"], envelope)
        if envelopes:
            logger.info(
                "network_stream_filled",
                network_id=stream.network_id,
                count=len(envelopes),
            )
        _hand_over(stream)
        if stream.waiting and min(stream.waiting) > stream.through + 1:
            # Sequences that are nowhere (a network deleted meanwhile): move past them.
            stream.through = min(stream.waiting) - 1
            _hand_over(stream)

    # --- the poll and the heartbeat ----------------------------------------------------------

    async def _tick(self) -> None:
        poll, heartbeat = settings.LIVE_POLL_SECONDS, settings.LIVE_HEARTBEAT_SECONDS
        beats = 0.0
        while True:
            await asyncio.sleep(poll)
            try:
                await self.poll()
                beats += poll
                if beats >= heartbeat:
                    beats = 0.0
                    self._heartbeat()
            except Exception as error:  # the database away: the next tick tries again
                logger.warning("network_stream_poll_failed", error=type(error).__name__)

    async def poll(self) -> None:
        """Reads how far each served network's log has reached; fills what has not come."""
        if not self.streams:
            return
        reached = await database_sync_to_async(_last_sequences_get)(list(self.streams))
        for network_id, last in reached.items():
            stream = self.streams.get(network_id)
            if stream is not None and last > stream.through:
                await self._fill(stream, upto=last)

    def _heartbeat(self) -> None:
        for stream in list(self.streams.values()):
            frame = json.dumps({"type": "heartbeat", "last_sequence": stream.through})
            for socket in list(stream.sockets):
                socket.hub_heartbeat(stream.through, frame)

    # --- Redis -----------------------------------------------------------------------------

    async def _subscribe(self, network_id: int) -> None:
        if not self.redis_url:
            return
        if self.listener is None or self.listener.done():
            self.listener = self.loop.create_task(self._listen())
        try:
            if self.pubsub is not None:
                await self.pubsub.subscribe(network_channel(network_id))
        except Exception as error:  # Redis away: the listener subscribes again, the poll fills
            logger.warning("network_stream_subscribe_failed", error=type(error).__name__)

    async def _unsubscribe(self, network_id: int) -> None:
        try:
            if self.pubsub is not None:
                await self.pubsub.unsubscribe(network_channel(network_id))
        except Exception as error:
            logger.warning("network_stream_unsubscribe_failed", error=type(error).__name__)

    async def _listen(self) -> None:
        """Reads the subscribed channels; on any failure, connects again and catches up."""
        delay = 0.1
        prefix = len(network_channel(0)) - 1
        while True:
            client = aioredis.Redis.from_url(
                self.redis_url,
                socket_connect_timeout=2,
                health_check_interval=10,
                decode_responses=True,
            )
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                channels = [network_channel(network_id) for network_id in self.wanted]
                await pubsub.subscribe(*(channels or [network_channel(0)]))
                self.pubsub = pubsub
                delay = 0.1
                await self.poll()  # whatever was published while we were not listening
                while True:
                    message = await pubsub.get_message(timeout=5.0)
                    if message is None or message.get("type") != "message":
                        continue
                    self.receive_wire(int(message["channel"][prefix:]), message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as error:
                logger.warning("network_stream_redis_lost", error=type(error).__name__)
                self.pubsub = None
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_SECONDS)
            finally:
                with contextlib.suppress(Exception):  # a dead connection has nothing to close
                    await pubsub.aclose()
                    await client.aclose()


def _hand_over(stream: Stream) -> None:
    """Hands over, in order, every waiting event that follows the last one."""
    while (envelope := stream.waiting.pop(stream.through + 1, None)) is not None:
        stream.through += 1
        _dispatch(stream, envelope)
    stale = [sequence for sequence in stream.waiting if sequence <= stream.through]
    for sequence in stale:
        del stream.waiting[sequence]


def _dispatch(stream: Stream, envelope: dict[str, Any]) -> None:
    audiences = envelope["audiences"]
    ending = envelope.get("membership_ending")
    sequence, frame = envelope["sequence"], envelope["frame"]
    for socket in list(stream.sockets):
        if ending is not None and socket.membership_id == ending:
            socket.hub_revoke()  # the removal's own event: cut off on it
        elif not socket.audiences.isdisjoint(audiences):
            socket.hub_deliver(sequence, frame)


def _last_sequence_get(network_id: int) -> int | None:
    return Network.objects.filter(pk=network_id).values_list("last_sequence", flat=True).first()


def _last_sequences_get(network_ids: Iterable[int]) -> dict[int, int]:
    return dict(Network.objects.filter(pk__in=list(network_ids)).values_list("pk", "last_sequence"))


def _envelopes_between(network_id: int, after: int, upto: int) -> list[dict[str, Any]]:
    from caregraph.realtime import event_envelope

    events = NetworkEvent.objects.filter(
        network_id=network_id, sequence__gt=after, sequence__lte=upto
    ).order_by("sequence")
    return [event_envelope(event) for event in events]


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}


def hub_get() -> Hub:
    """This process's hub, for the running event loop."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        for stale in [other for other in _hubs if other.is_closed()]:
            del _hubs[stale]
        hub = _hubs[loop] = Hub(loop)
    return hub


def hub_receive_threadsafe(network_id: int, wire: str) -> None:
    """Hands an event to the hubs of this process from any thread (the embedded mode)."""
    for loop, hub in list(_hubs.items()):
        if not loop.is_closed():
            loop.call_soon_threadsafe(hub.receive_wire, network_id, wire)
