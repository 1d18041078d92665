"""A signed-in user's own notice stream over WebSocket: `/ws/notices/`.

Each user's sockets join the group ``user-<id>``. Anything published to that group with
``caregraph.realtime.notice_publish`` arrives on all of that user's open sockets, from any
process that shares the channel layer.
"""

from typing import Any

from asgiref.sync import sync_to_async

from accounts.sessions import session_is_expired
from caregraph.policy import session_two_factor_shortfall
from caregraph.realtime import user_group_name
from caregraph.wire import BoundedJsonConsumer

CLOSE_UNAUTHENTICATED = 4401


class NoticeConsumer(BoundedJsonConsumer):
    group_name: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        session = self.scope.get("session")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if session is None or session_is_expired(session=session):
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        shortfall = await sync_to_async(session_two_factor_shortfall)(user=user, session=session)
        if shortfall is not None:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group_name = user_group_name(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "user_id": user.pk})

    async def disconnect(self, code: int) -> None:
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The stream is one-way; a ping keeps intermediaries from closing an idle socket.
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def notice_message(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "notice", "text": event["text"]})
