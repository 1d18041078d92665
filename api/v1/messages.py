"""The REST API of messages: the threads of a network with their unread counts, starting
one, its messages, sending one and marking a thread read. Views are thin: the access policy
finds what the user may read (anything else is 404), services make the changes, and every
read is audited (as "a message thread", never its subject).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from api.v1.serializers.messages import (
    MessageListQuerySerializer,
    MessagePostSerializer,
    MessageSerializer,
    ThreadReadSerializer,
    ThreadSerializer,
    ThreadStartSerializer,
    UnreadSerializer,
)
from api.views import LOCATION_HEADER, NetworkApiView, error_responses, signed_in_user
from caregraph.policy import Viewer, people_hidden_from
from messaging.models import Message, Thread
from messaging.selectors import (
    message_list,
    message_unread_count,
    thread_get_for_viewer,
    thread_list_visible_to,
)
from messaging.services import RECORD_TYPE, message_post, thread_mark_read, thread_start

API_ROOT = "/api/v1"


def _thread_url(thread: Thread) -> str:
    return f"{API_ROOT}/networks/{thread.network_id}/threads/{thread.pk}/"


def _hidden(viewer: Viewer, user_ids: list[int | None]) -> dict[str, Any]:
    return {"hidden_people": people_hidden_from(viewer=viewer, user_ids=user_ids)}


def _thread_data(viewer: Viewer, thread_id: int) -> dict[str, Any]:
    """The thread as the viewer reads it now, with their unread count."""
    thread = thread_get_for_viewer(viewer=viewer, thread_id=thread_id)
    return dict(ThreadSerializer(thread, context=_hidden(viewer, [thread.created_by_id])).data)


class ThreadListApi(NetworkApiView):
    """The message threads you may read in this network, and starting one."""

    @extend_schema(
        operation_id="message_thread_list",
        responses={200: ThreadSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        """Threads you may read, newest activity first, each with your unread count."""
        viewer = self.viewer
        return self.audited_page(
            thread_list_visible_to(viewer=viewer).select_related("created_by"),
            ThreadSerializer,
            summary="Viewed the messages",
            object_type=RECORD_TYPE,
            context_of=lambda page: _hidden(viewer, [thread.created_by_id for thread in page]),
        )

    @extend_schema(
        operation_id="message_thread_start",
        request=ThreadStartSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER, LOCATION_HEADER],
        responses={201: ThreadSerializer, **error_responses(400, 403, 404, 422)},
    )
    @idempotent
    def post(self, request: Request, **kwargs: object) -> Response:
        """Start a thread with its first message, for everyone in the network or for the
        members you choose (`participant_ids`)."""
        given = ThreadStartSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        thread = thread_start(
            network=self.network,
            viewer=self.viewer,
            started_by=signed_in_user(request),
            subject=data["subject"],
            text=data["text"],
            audience=data["audience"],
            participant_ids=data["participant_ids"],
        )
        return Response(
            _thread_data(self.viewer, thread.pk),
            status=status.HTTP_201_CREATED,
            headers={"Location": _thread_url(thread)},
        )


class ThreadApiView(NetworkApiView):
    """Base of the endpoints under one thread: `self.thread`, found through the policy."""

    thread: Thread

    def record_resolve(self) -> None:
        self.thread = thread_get_for_viewer(viewer=self.viewer, thread_id=self.kwargs["thread_id"])


class ThreadDetailApi(ThreadApiView):
    @extend_schema(
        operation_id="message_thread_get",
        responses={200: ThreadSerializer, **error_responses(404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        self.audit_read(
            summary="Read a message thread", object_type=RECORD_TYPE, object_id=self.thread.pk
        )
        return Response(_thread_data(self.viewer, self.thread.pk))


class MessageListApi(ThreadApiView):
    """The messages of a thread, and sending one."""

    @extend_schema(
        operation_id="message_list",
        parameters=[MessageListQuerySerializer],
        responses={200: MessageSerializer(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        """Messages oldest first; `after` gives only those after a message id. Reading them
        does not mark them read: `POST …/read/` does."""
        query = MessageListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        viewer = self.viewer
        return self.audited_page(
            message_list(thread=self.thread, after=query.validated_data["after"]),
            MessageSerializer,
            summary="Read a message thread",
            object_type=RECORD_TYPE,
            object_id=self.thread.pk,
            context_of=lambda page: _hidden(viewer, [message.author_id for message in page]),
        )

    @extend_schema(
        operation_id="message_post",
        request=MessagePostSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER, LOCATION_HEADER],
        responses={201: MessageSerializer, **error_responses(400, 403, 404, 422)},
    )
    @idempotent
    def post(self, request: Request, **kwargs: object) -> Response:
        """Send a message in the thread. Its readers are told live and by notification."""
        given = MessagePostSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        message: Message = message_post(
            thread=self.thread,
            viewer=self.viewer,
            author=signed_in_user(request),
            text=given.validated_data["text"],
        )
        return Response(
            dict(MessageSerializer(message, context=_hidden(self.viewer, [])).data),
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{_thread_url(self.thread)}messages/"},
        )


class ThreadReadApi(ThreadApiView):
    @extend_schema(
        operation_id="message_thread_mark_read",
        request=ThreadReadSerializer,
        responses={200: ThreadSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, **kwargs: object) -> Response:
        """Mark the thread read, up to a message or to its latest."""
        given = ThreadReadSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        thread_mark_read(
            thread=self.thread, user=signed_in_user(request), up_to=given.validated_data["up_to"]
        )
        return Response(_thread_data(self.viewer, self.thread.pk))


class MessageUnreadApi(NetworkApiView):
    @extend_schema(
        operation_id="message_unread_count",
        responses={200: UnreadSerializer, **error_responses(404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        """How many messages by others you have not read in this network's threads."""
        return Response({"unread": message_unread_count(viewer=self.viewer)})
