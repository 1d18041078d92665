"""The live event stream of one network over WebSocket: `/ws/networks/<id>/`.

The protocol (the browser script is written against exactly this):

- The handshake is refused (HTTP 403) unless the user is signed in, their session is live
  and meets the two-factor duty (as for pages), and the policy lets them see the network. A
  missing network and a forbidden one are refused alike.
- On accept the server sends ``{"type": "hello", "network_id", "last_sequence"}``.
- ``{"type": "resume", "after": n}`` replays every event after ``n`` that the user may see,
  in order, each as a live ``event`` message, then ``{"type": "resumed", "last_sequence"}``:
  the client has then seen everything up to that sequence that it may see.
- Live: ``{"type": "event", "sequence", "kind", "payload", "created_at"}``, only for events
  the user may see. No event is sent twice on one socket, whether it came by replay or live.
- ``{"type": "heartbeat", "last_sequence": n}`` every 20 seconds or so: everything up to
  ``n`` that the user may see has been sent on this socket. A client that hears nothing
  for a minute takes the connection for dead and reconnects.
- ``{"type": "ping"}`` is answered ``{"type": "pong"}``. Anything else is ignored.
- When the user's membership ends the server sends ``{"type": "revoked"}`` and closes with
  code 4403 at once; nothing is sent after that.

Events are delivered in sequence order with none missing, however Redis fares: the
process's hub (`caregraph.hub`) fills any hole from the log. Who receives what live is
decided by the socket's audiences (`Viewer.audiences`) meeting the event's
(`caregraph.realtime.event_audiences`); replay is filtered by the same policy
(`caregraph.policy.network_events_visible_to`). This consumer never widens either.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from typing import Any

import structlog
from channels.db import database_sync_to_async
from django.contrib.sessions.backends.base import SessionBase
from django.http import Http404

from accounts.sessions import session_is_expired
from caregraph.hub import Hub, hub_get
from caregraph.models import Network
from caregraph.policy import (
    AnyUser,
    Viewer,
    network_events_visible_to,
    network_get_for_user,
    session_two_factor_shortfall,
)
from caregraph.realtime import event_message
from caregraph.wire import BoundedJsonConsumer

logger = structlog.get_logger(__name__)

CLOSE_REVOKED = 4403
CLOSE_TOO_SLOW = 4008
REPLAY_BATCH = 500
# A socket whose write has not finished this long after it began, or with this many frames
# waiting, cannot keep up: it is let go, and is replayed what it missed when it comes back.
SEND_TIMEOUT_SECONDS = 2.0
OUTBOX_FRAMES_MAX = 1000


def _standing_get(*, user: AnyUser, session: SessionBase, network_id: int) -> Viewer | None:
    """The user's standing in the network if they may open its stream, else None."""
    if session_two_factor_shortfall(user=user, session=session) is not None:
        return None
    try:
        _network, viewer = network_get_for_user(user=user, network_id=network_id)
    except Http404:
        return None
    return viewer


def _last_sequence_get(*, network_id: int) -> int | None:
    return Network.objects.filter(pk=network_id).values_list("last_sequence", flat=True).first()


def _events_after(*, viewer: Viewer, after: int, through: int, limit: int) -> list[dict[str, Any]]:
    """The events after `after`, up to `through`, that the viewer may see, in order."""
    events = network_events_visible_to(viewer=viewer).filter(
        sequence__gt=after, sequence__lte=through
    )
    return [event_message(event) for event in events.order_by("sequence")[:limit]]


class NetworkConsumer(BoundedJsonConsumer):
    """One socket on one network's stream. The process's hub (caregraph.hub) hands it each
    event its audiences allow, in order; this consumer adds the replay a client asks for."""

    channel_layer_alias = ""  # none: the hub feeds this socket, not a channel per socket
    network_id: int
    viewer: Viewer | None = None
    revoked: bool = False
    audiences: frozenset[str] = frozenset()
    user_id: int = 0
    membership_id: int | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hub: Hub | None = None
        # Live events are handed over in order: `sent_through` is the last one this socket
        # was handed (or the point it started from). While a replay runs they are held.
        self.sent_through = 0
        self.live_from = 0
        self.held: list[tuple[int, str]] | None = None
        self.closing: asyncio.Task[None] | None = None
        # What the hub hands over is queued here and written by one task at a time, in order;
        # every other frame the socket sends after accepting goes the same way.
        self.outbox: deque[str] = deque()
        self.writer: asyncio.Task[None] | None = None
        self.writing_since = 0.0

    async def connect(self) -> None:
        user = self.scope.get("user")
        session = self.scope.get("session")
        if user is None or not user.is_authenticated:
            await self.close()
            return
        if session is None or session_is_expired(session=session):
            await self.close()
            return
        self.network_id = int(self.scope["url_route"]["kwargs"]["network_id"])
        viewer = await database_sync_to_async(_standing_get)(
            user=user, session=session, network_id=self.network_id
        )
        if viewer is None:
            await self.close()
            return
        self.viewer, self.user_id = viewer, user.pk
        self.audiences = frozenset(viewer.audiences)
        self.membership_id = viewer.membership.pk if viewer.membership else None
        self.hub = hub_get()
        self.held = []  # what the hub hands over before the hello is held until after it
        through = await self.hub.join(self.network_id, self)
        if through is None:  # deleted meanwhile
            await self.hub.leave(self.network_id, self)
            await self.close()
            return
        # A removal committed between the policy's answer and joining the hub was published
        # before this socket could hear it: ask the policy once more.
        if (
            await database_sync_to_async(_standing_get)(
                user=user, session=session, network_id=self.network_id
            )
            is None
        ):
            await self.hub.leave(self.network_id, self)
            await self.close()
            return
        self.sent_through = self.live_from = through
        await self.accept()
        await self.send_json(
            {"type": "hello", "network_id": self.network_id, "last_sequence": through}
        )
        self._held_send()

    async def disconnect(self, code: int) -> None:
        if self.hub is not None:
            await self.hub.leave(self.network_id, self)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        if not self.revoked:
            await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.revoked or not isinstance(content, dict):
            return
        match content.get("type"):
            case "ping":
                self._post(json.dumps({"type": "pong"}))
            case "resume":
                after = content.get("after")
                if isinstance(after, int) and not isinstance(after, bool) and after >= 0:
                    await self._replay(after=after)

    async def _replay(self, *, after: int) -> None:
        """Sends what the client missed after `after`, then says how far it now is.

        Live events that arrive meanwhile are held, and sent after, unless the replay
        already sent them; those this socket was handed live are not sent again.
        """
        viewer, hub = self.viewer, self.hub
        assert viewer is not None and hub is not None
        self.held = []
        try:
            await self._outbox_drained()  # what was queued before goes out first
            through = max(hub.through(self.network_id), self.sent_through)
            cursor = after
            while cursor < through:
                batch = await database_sync_to_async(_events_after)(
                    viewer=viewer, after=cursor, through=through, limit=REPLAY_BATCH
                )
                for message in batch:
                    if self.revoked:
                        return
                    if not self.live_from < message["sequence"] <= self.sent_through:
                        await self.send_json(message)
                if len(batch) < REPLAY_BATCH:
                    break
                cursor = batch[-1]["sequence"]
            if self.revoked:
                return
            # Sent on this socket now: everything it may see in (live_from, sent_through].
            if after <= self.sent_through:
                self.live_from = min(after, self.live_from)
            else:
                self.live_from = after
            self.sent_through = max(self.sent_through, through)
            await self.send_json({"type": "resumed", "last_sequence": through})
        finally:
            self._held_send()

    def _held_send(self) -> None:
        """Sends, in order, what the hub handed over while the socket was not ready."""
        held, self.held = self.held or [], None
        for sequence, frame in held:
            self.hub_deliver(sequence, frame)

    # --- the outbox --------------------------------------------------------------------------

    def _post(self, text: str) -> None:
        """Queues a frame after those before it, and starts writing if nothing is; never
        waits, so that the hub hands an event to every socket without waiting on any."""
        if self.revoked or self.closing is not None:
            return
        self.outbox.append(text)
        loop = asyncio.get_running_loop()
        if self.writer is None:
            self.writing_since = loop.time()  # the clock starts now, not at the last write
            self.writer = loop.create_task(self._write())
        elif (
            len(self.outbox) > OUTBOX_FRAMES_MAX
            or loop.time() - self.writing_since > SEND_TIMEOUT_SECONDS
        ):
            self._drop()

    async def _write(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self.outbox:
                self.writing_since = loop.time()
                await self.send(text_data=self.outbox.popleft())
        except Exception as error:  # the client is gone: its disconnect follows
            self.outbox.clear()
            logger.info("network_stream_send_failed", error=type(error).__name__)
        finally:
            self.writer = None

    async def _outbox_drained(self) -> None:
        while (writer := self.writer) is not None:
            await asyncio.wait([writer])

    def _outbox_stop(self) -> None:
        """Nothing queued goes out any more (revoked, or too slow)."""
        self.outbox.clear()
        if self.writer is not None:
            self.writer.cancel()
            self.writer = None

    def _drop(self) -> None:
        """Too slow to keep up: closed (without waiting on it), so that the client
        reconnects and resumes."""
        self._outbox_stop()
        if self.closing is None:
            self.closing = asyncio.get_running_loop().create_task(self.close(code=CLOSE_TOO_SLOW))

    # --- what the hub calls (none of them waits) -----------------------------------------------

    def hub_deliver(self, sequence: int, frame: str) -> None:
        if self.revoked:
            return
        if self.held is not None:
            self.held.append((sequence, frame))
            return
        if sequence <= self.sent_through:
            return
        self.sent_through = sequence
        self._post(frame)

    def hub_heartbeat(self, last_sequence: int, frame: str) -> None:
        if self.revoked or self.held is not None:
            return
        # The hub has handed this socket every event up to there that it may see.
        self.sent_through = max(self.sent_through, last_sequence)
        self._post(frame)

    def hub_revoke(self) -> None:
        """The user's membership ended: nothing more is sent but saying so, and the socket
        closes at once."""
        if self.revoked:
            return
        self.revoked = True
        self._outbox_stop()
        if self.closing is None:
            self.closing = asyncio.get_running_loop().create_task(self._revoked_close())

    async def _revoked_close(self) -> None:
        if self.hub is not None:
            await self.hub.leave(self.network_id, self)
        await self.send_json({"type": "revoked"})
        await self.close(code=CLOSE_REVOKED)
