from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import path, re_path

from caregraph.consumers import NetworkConsumer
from notifications.consumers import NoticeConsumer


class NoSuchSocket(AsyncWebsocketConsumer):
    """Any other /ws/ path: the handshake is refused (403), with nothing in the log."""

    async def connect(self) -> None:
        await self.close()


websocket_urlpatterns = [
    path("ws/notices/", NoticeConsumer.as_asgi()),
    path("ws/networks/<int:network_id>/", NetworkConsumer.as_asgi()),
    re_path(r"", NoSuchSocket.as_asgi()),
]
