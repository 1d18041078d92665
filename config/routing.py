from django.urls import path

from caregraph.consumers import NetworkConsumer
from notifications.consumers import NoticeConsumer

websocket_urlpatterns = [
    path("ws/notices/", NoticeConsumer.as_asgi()),
    path("ws/networks/<int:network_id>/", NetworkConsumer.as_asgi()),
]
