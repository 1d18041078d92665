"""How threads and messages read and are written in JSON. Serializers translate; the
services in `messaging.services` decide."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.v1.serializers.graph import UserSummarySerializer
from messaging.models import MESSAGE_MAX, SUBJECT_MAX, Message, Thread, ThreadAudience

# Ids are PostgreSQL bigints: a larger number is refused beside its field, not a 500.
ID_MAX = 2**63 - 1


class ThreadSerializer(serializers.Serializer[Thread]):
    id = serializers.IntegerField(read_only=True)
    network_id = serializers.IntegerField(read_only=True)
    subject = serializers.CharField(read_only=True)
    audience = serializers.ChoiceField(
        choices=ThreadAudience.choices,
        read_only=True,
        help_text="`network`: every member; `chosen`: only its participants.",
    )
    started_by = UserSummarySerializer(source="created_by", read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    last_message_at = serializers.DateTimeField(read_only=True)
    unread = serializers.IntegerField(
        read_only=True, help_text="Messages by others you have not read yet."
    )


class ThreadStartSerializer(serializers.Serializer[Any]):
    """Starting a thread with its first message."""

    # Blank passes through, so that the service answers it in its own words.
    subject = serializers.CharField(allow_blank=True, max_length=SUBJECT_MAX)
    audience = serializers.ChoiceField(
        choices=ThreadAudience.choices,
        default=ThreadAudience.NETWORK,
        error_messages={"invalid_choice": '"{input}" is not whom a thread can be for.'},
    )
    participant_ids = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="For `chosen`: the users (members you can see) it is for; you are added.",
    )
    text = serializers.CharField(allow_blank=True, max_length=MESSAGE_MAX)


class MessageSerializer(serializers.Serializer[Message]):
    id = serializers.IntegerField(read_only=True)
    thread_id = serializers.IntegerField(read_only=True)
    author = UserSummarySerializer(read_only=True, allow_null=True)
    text = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class MessagePostSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(allow_blank=True, max_length=MESSAGE_MAX)


class MessageListQuerySerializer(serializers.Serializer[Any]):
    after = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        max_value=ID_MAX,
        help_text="Only messages after this id.",
    )


class ThreadReadSerializer(serializers.Serializer[Any]):
    up_to = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        max_value=ID_MAX,
        help_text="The id of the last message read; by default the thread's latest.",
    )


class UnreadSerializer(serializers.Serializer[Any]):
    unread = serializers.IntegerField(read_only=True)
