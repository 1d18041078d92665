from django.urls import path

from accounts.consumers import NoticeConsumer
from caregraph.consumers import NetworkConsumer

websocket_urlpatterns = [
    path("ws/notices/", NoticeConsumer.as_asgi()),
    path("ws/networks/<int:network_id>/", NetworkConsumer.as_asgi()),
]
