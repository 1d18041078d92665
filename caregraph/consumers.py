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
- ``{"type": "ping"}`` is answered ``{"type": "pong"}``. Anything else is ignored.
- When the user's membership ends the server sends ``{"type": "revoked"}`` and closes with
  code 4403 at once; nothing is sent after that.

Who receives what live is decided by the audience groups the socket joins
(`caregraph.realtime.viewer_groups`); replay is filtered by the same policy
(`caregraph.policy.records_visible_to`). This consumer never widens either.
"""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from channels.db import database_sync_to_async
from django.contrib.sessions.backends.base import SessionBase
from django.http import Http404

from accounts.sessions import session_is_expired
from caregraph.models import Network, NetworkEvent, NetworkEventKind
from caregraph.policy import (
    AnyUser,
    Viewer,
    network_get_for_user,
    records_visible_to,
    session_two_factor_shortfall,
)
from caregraph.realtime import event_message, network_user_group, viewer_groups
from caregraph.wire import BoundedJsonConsumer

logger = structlog.get_logger(__name__)

CLOSE_REVOKED = 4403
REPLAY_BATCH = 500
# channels_redis forgets a group member after a day (group_expiry); each socket re-joins its
# groups well before that, so a page left open over a weekend keeps receiving.
GROUP_REFRESH_SECONDS = 60 * 60
# How many live sequences above the replayed ones a socket remembers, to drop repeats. Events
# of one network are published by different processes after their commits, so two may arrive
# out of order; remembering what was sent (not only the highest) keeps the later-arriving one.
SENT_REMEMBERED = 256


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
    events = records_visible_to(NetworkEvent.objects.all(), viewer=viewer).filter(
        sequence__gt=after, sequence__lte=through
    )
    return [event_message(event) for event in events.order_by("sequence")[:limit]]


class NetworkConsumer(BoundedJsonConsumer):
    network_id: int
    viewer: Viewer | None = None
    revoked: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.joined_groups: list[str] = []
        self.groups_keeper: asyncio.Task[None] | None = None
        # Every event up to this sequence that the user may see has been sent (or precedes
        # the point the client started from); above it, the sequences sent live so far.
        self.delivered_through = 0
        self.sent_above: set[int] = set()

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
        # Join the user's own group before asking the policy: a removal committed after the
        # check below is announced after it, so it reaches this socket.
        await self._groups_join([network_user_group(self.network_id, user.pk)])
        viewer = await database_sync_to_async(_standing_get)(
            user=user, session=session, network_id=self.network_id
        )
        if viewer is None:
            await self._groups_leave()
            await self.close()
            return
        self.viewer = viewer
        await self._groups_join(viewer_groups(viewer))
        # Read after joining: any event committed later is published later, so arrives live.
        last_sequence = await database_sync_to_async(_last_sequence_get)(network_id=self.network_id)
        if last_sequence is None:  # deleted meanwhile
            await self._groups_leave()
            await self.close()
            return
        self.delivered_through = last_sequence
        self.groups_keeper = asyncio.create_task(self._groups_keep())
        await self.accept()
        await self.send_json(
            {"type": "hello", "network_id": self.network_id, "last_sequence": last_sequence}
        )

    async def disconnect(self, code: int) -> None:
        await self._groups_leave()

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
                await self.send_json({"type": "pong"})
            case "resume":
                after = content.get("after")
                if isinstance(after, int) and not isinstance(after, bool) and after >= 0:
                    await self._replay(after=after)

    async def _replay(self, *, after: int) -> None:
        """Sends what the client missed after `after`, then says how far it now is.

        Group messages wait in this consumer's queue while the replay runs (a consumer
        handles one message at a time), and those it already sent are dropped after.
        """
        viewer = self.viewer
        assert viewer is not None
        through = await database_sync_to_async(_last_sequence_get)(network_id=self.network_id)
        if through is None:  # the network was deleted
            await self.close()
            return
        cursor = after
        while cursor < through:
            batch = await database_sync_to_async(_events_after)(
                viewer=viewer, after=cursor, through=through, limit=REPLAY_BATCH
            )
            for message in batch:
                if message["sequence"] not in self.sent_above:
                    await self.send_json(message)
            if len(batch) < REPLAY_BATCH:
                break
            cursor = batch[-1]["sequence"]
        self.delivered_through = max(self.delivered_through, through)
        self.sent_above = {s for s in self.sent_above if s > self.delivered_through}
        await self.send_json({"type": "resumed", "last_sequence": through})

    async def network_event(self, message: dict[str, Any]) -> None:
        """A live event from one of the audience groups this socket joined."""
        if self.revoked:
            return
        event = message["event"]
        if self._is_own_membership_ending(event):
            # The removal's own event comes just before the revocation: close on it.
            await self._revoke()
            return
        sequence = int(event["sequence"])
        if sequence <= self.delivered_through or sequence in self.sent_above:
            return
        self.sent_above.add(sequence)
        if len(self.sent_above) > SENT_REMEMBERED:
            oldest = min(self.sent_above)
            self.sent_above.discard(oldest)
            self.delivered_through = max(self.delivered_through, oldest)
        await self.send_json(event)

    async def network_revoked(self, message: dict[str, Any]) -> None:
        """The user's membership ended: say so and close at once."""
        if not self.revoked:
            await self._revoke()

    def _is_own_membership_ending(self, event: dict[str, Any]) -> bool:
        membership = self.viewer.membership if self.viewer else None
        return (
            membership is not None
            and event.get("kind") == NetworkEventKind.MEMBER_LEFT
            and event.get("payload", {}).get("membership_id") == membership.pk
        )

    async def _revoke(self) -> None:
        self.revoked = True
        await self._groups_leave()
        await self.send_json({"type": "revoked"})
        await self.close(code=CLOSE_REVOKED)

    async def _groups_join(self, groups: list[str]) -> None:
        for group in groups:
            if group not in self.joined_groups:
                await self.channel_layer.group_add(group, self.channel_name)
                self.joined_groups.append(group)

    async def _groups_keep(self) -> None:
        while True:
            await asyncio.sleep(GROUP_REFRESH_SECONDS)
            try:
                for group in self.joined_groups:
                    await self.channel_layer.group_add(group, self.channel_name)
            except Exception as error:  # Redis away: the next round tries again
                logger.warning("network_stream_rejoin_failed", error=type(error).__name__)

    async def _groups_leave(self) -> None:
        if self.groups_keeper is not None:
            self.groups_keeper.cancel()
            self.groups_keeper = None
        groups, self.joined_groups = self.joined_groups, []
        for group in groups:
            await self.channel_layer.group_discard(group, self.channel_name)
