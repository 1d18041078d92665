from django.urls import path

from accounts.consumers import NoticeConsumer

websocket_urlpatterns = [
    path("ws/notices/", NoticeConsumer.as_asgi()),
]
