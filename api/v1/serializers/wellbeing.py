"""Wellbeing updates and what matters, in JSON. Serializers translate; services decide.

An update is written out from its row as the reader is shown it
(`wellbeing.selectors.update_rows`): names the reader may not know are "A professional".
Photos are given as the addresses of the authorised download endpoints, never a file URL.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from caregraph.models import Visibility
from wellbeing.models import ReactionKind, WellbeingPhoto, WhatMattersTopic
from wellbeing.selectors import UpdateRow, WhatMattersEntry
from wellbeing.services import REPLY_TEXT_MAX, UPDATE_TEXT_MAX, WHAT_MATTERS_TEXT_MAX

API_ROOT = "/api/v1"


def photo_url(photo: WellbeingPhoto, network_id: int, size: str) -> str:
    return f"{API_ROOT}/networks/{network_id}/updates/photos/{photo.pk}/{size}/"


class PhotoSerializer(serializers.Serializer[WellbeingPhoto]):
    id = serializers.IntegerField(read_only=True)
    width = serializers.IntegerField(read_only=True)
    height = serializers.IntegerField(read_only=True)
    thumbnail_url = serializers.SerializerMethodField()
    full_url = serializers.SerializerMethodField()

    def get_thumbnail_url(self, photo: WellbeingPhoto) -> str:
        return photo_url(photo, self.context["network_id"], "thumbnail")

    def get_full_url(self, photo: WellbeingPhoto) -> str:
        return photo_url(photo, self.context["network_id"], "full")


class ReplySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    text = serializers.CharField(read_only=True)
    author = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class ReactionCountsSerializer(serializers.Serializer[Any]):
    seen = serializers.IntegerField(read_only=True)
    thanks = serializers.IntegerField(read_only=True)


class WellbeingUpdateSerializer(serializers.Serializer[UpdateRow]):
    id = serializers.IntegerField(source="update.pk", read_only=True)
    text = serializers.CharField(source="update.text", read_only=True)
    visibility = serializers.ChoiceField(
        source="update.visibility", choices=Visibility.choices, read_only=True
    )
    author = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(source="update.created_at", read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)
    replies = serializers.SerializerMethodField()
    reactions = ReactionCountsSerializer(source="counts", read_only=True)
    my_reactions = serializers.SerializerMethodField()

    @extend_schema_field(ReplySerializer(many=True))
    def get_replies(self, row: UpdateRow) -> list[dict[str, Any]]:
        return [
            {"id": reply.pk, "text": reply.text, "author": name, "created_at": reply.created_at}
            for reply, name in row.replies
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_my_reactions(self, row: UpdateRow) -> list[str]:
        return sorted(row.mine)


class WellbeingUpdatePostSerializer(serializers.Serializer[Any]):
    """Posting an update: JSON, or multipart/form-data with up to 4 files named `photos`."""

    # Blank passes through, so that the service answers it in its own words.
    text = serializers.CharField(allow_blank=True, max_length=UPDATE_TEXT_MAX)
    visibility = serializers.ChoiceField(
        choices=Visibility.choices,
        required=False,
        default=Visibility.NETWORK,
        error_messages={"invalid_choice": '"{input}" is not an audience an update can have.'},
    )
    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), required=False, default=list
    )


class WellbeingVisibilitySerializer(serializers.Serializer[Any]):
    visibility = serializers.ChoiceField(
        choices=Visibility.choices,
        error_messages={"invalid_choice": '"{input}" is not an audience an update can have.'},
    )


class WellbeingReplyAddSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(allow_blank=True, max_length=REPLY_TEXT_MAX)


class WellbeingReactionSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(
        choices=ReactionKind.choices,
        error_messages={"invalid_choice": '"{input}" is not a reaction: use seen or thanks.'},
    )


class WhatMattersNoteSerializer(serializers.Serializer[WhatMattersEntry]):
    topic = serializers.ChoiceField(choices=WhatMattersTopic.choices, read_only=True)
    topic_label = serializers.CharField(source="label", read_only=True)
    text = serializers.CharField(source="note.text", read_only=True, default="")
    written_by = serializers.CharField(source="writer", read_only=True)
    on_behalf = serializers.BooleanField(source="note.on_behalf", read_only=True, default=False)
    updated_at = serializers.DateTimeField(
        source="note.updated_at", read_only=True, default=None, allow_null=True
    )


class WhatMattersPutSerializer(serializers.Serializer[Any]):
    """The notes to keep, by topic; an empty one is removed, one left out is kept as it is."""

    good_day = serializers.CharField(
        required=False, allow_blank=True, max_length=WHAT_MATTERS_TEXT_MAX
    )
    upsets = serializers.CharField(
        required=False, allow_blank=True, max_length=WHAT_MATTERS_TEXT_MAX
    )
    spoken_to = serializers.CharField(
        required=False, allow_blank=True, max_length=WHAT_MATTERS_TEXT_MAX
    )
