"""What the shared files API reads and writes. The bytes never appear here: a file is
downloaded from its `download_url`, which asks the policy every time."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.v1.serializers.graph import UserSummarySerializer
from caregraph.models import Visibility
from sharedfiles.models import SharedFile
from sharedfiles.services import TITLE_MAX
from sharedfiles.sniffing import kind_label

API_ROOT = "/api/v1"


def shared_file_url(shared_file: SharedFile) -> str:
    return f"{API_ROOT}/networks/{shared_file.network_id}/files/{shared_file.pk}/"


class SharedFileSerializer(serializers.Serializer[SharedFile]):
    id = serializers.IntegerField(read_only=True)
    network_id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    file_name = serializers.CharField(
        source="download_name", read_only=True, help_text="The name a download is saved as."
    )
    content_type = serializers.CharField(
        read_only=True, help_text="What the content was found to be, from the content itself."
    )
    kind = serializers.SerializerMethodField(help_text="The type in words, such as 'PDF'.")
    size = serializers.IntegerField(read_only=True, help_text="In bytes.")
    visibility = serializers.ChoiceField(choices=Visibility.choices, read_only=True)
    shared_by = UserSummarySerializer(source="created_by", read_only=True, allow_null=True)
    shared_at = serializers.DateTimeField(source="created_at", read_only=True)
    download_url = serializers.SerializerMethodField(
        help_text="Where the bytes are downloaded, signed in; never a public address."
    )

    def get_kind(self, shared_file: SharedFile) -> str:
        return kind_label(shared_file.content_type)

    def get_download_url(self, shared_file: SharedFile) -> str:
        return f"{shared_file_url(shared_file)}download/"


class SharedFileUploadSerializer(serializers.Serializer[Any]):
    """Sharing a file: a multipart/form-data body."""

    title = serializers.CharField(max_length=TITLE_MAX, required=False, allow_blank=True)
    file = serializers.FileField(
        required=False,
        allow_empty_file=True,
        help_text="PDF, text, CSV, Word, Excel, OpenDocument, PNG, JPEG, GIF or WebP; "
        "the type is found from the content, not the name.",
    )
    visibility = serializers.ChoiceField(
        choices=Visibility.choices, required=False, default=Visibility.NETWORK
    )


class SharedFileVisibilitySerializer(serializers.Serializer[Any]):
    visibility = serializers.ChoiceField(choices=Visibility.choices)
