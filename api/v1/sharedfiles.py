"""Shared files through the API: listing, sharing (multipart, with Idempotency-Key),
downloading, narrowing or widening, and removing them. The policy finds what the user may
see (anything else is 404), the services decide, and every read and download is audited."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from api.v1.serializers.sharedfiles import (
    SharedFileSerializer,
    SharedFileUploadSerializer,
    SharedFileVisibilitySerializer,
    shared_file_url,
)
from api.views import API_CHANNEL, LOCATION_HEADER, NetworkApiView, error_responses, signed_in_user
from caregraph.policy import Viewer, people_hidden_from
from sharedfiles.models import SharedFile
from sharedfiles.selectors import file_get_for_viewer, file_list_visible_to
from sharedfiles.services import file_download_open, file_remove, file_share, file_visibility_set
from sharedfiles.sniffing import ALLOWED


def _context(files: list[SharedFile], viewer: Viewer) -> dict[str, Any]:
    hidden = people_hidden_from(viewer=viewer, user_ids=[f.created_by_id for f in files])
    return {"hidden_people": hidden}


def _file_data(shared_file: SharedFile, viewer: Viewer) -> dict[str, Any]:
    return dict(SharedFileSerializer(shared_file, context=_context([shared_file], viewer)).data)


class NetworkFileListApi(NetworkApiView):
    """Files shared in the network."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="network_file_list",
        responses={200: SharedFileSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        """The files you may see, newest first."""
        return self.audited_page(
            file_list_visible_to(viewer=self.viewer),
            SharedFileSerializer,
            summary="Viewed the shared files",
            object_type="network",
            object_id=self.network.pk,
            context_of=lambda page: _context(page, self.viewer),
        )

    @extend_schema(
        operation_id="network_file_share",
        request={"multipart/form-data": SharedFileUploadSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER, LOCATION_HEADER],
        responses={201: SharedFileSerializer, **error_responses(400, 403, 404, 422)},
    )
    @idempotent
    def post(self, request: Request, **kwargs: object) -> Response:
        """Share a file (multipart/form-data: `title`, `file`, `visibility`). A file that
        is not an allowed type, judged from its content, or is too large is refused with
        400 naming `file`, and nothing is kept."""
        given = SharedFileUploadSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        shared_file = file_share(
            network=self.network,
            viewer=self.viewer,
            shared_by=signed_in_user(request),
            title=given.validated_data.get("title", ""),
            upload=given.validated_data.get("file"),
            visibility=given.validated_data["visibility"],
        )
        return Response(
            _file_data(shared_file, self.viewer),
            status=status.HTTP_201_CREATED,
            headers={"Location": shared_file_url(shared_file)},
        )


class FileApiView(NetworkApiView):
    """Base of the endpoints under one file: `self.shared_file` is found through the policy
    on every request, so a saved URL is 404 to a member removed since."""

    shared_file: SharedFile

    def record_resolve(self) -> None:
        self.shared_file = file_get_for_viewer(viewer=self.viewer, file_id=self.kwargs["file_id"])


class NetworkFileDetailApi(FileApiView):
    @extend_schema(
        operation_id="network_file_detail",
        responses={200: SharedFileSerializer, **error_responses(404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        """One file's details (not its bytes: see `download_url`)."""
        self.audit_read(
            summary=f"Viewed the file '{self.shared_file.title}'",
            object_type="shared_file",
            object_id=self.shared_file.pk,
        )
        return Response(_file_data(self.shared_file, self.viewer))

    @extend_schema(
        operation_id="network_file_visibility",
        request=SharedFileVisibilitySerializer,
        responses={200: SharedFileSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, **kwargs: object) -> Response:
        """Change who can see the file: whoever shared it, or a coordinator."""
        given = SharedFileVisibilitySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        shared_file = file_visibility_set(
            shared_file=self.shared_file,
            viewer=self.viewer,
            changed_by=signed_in_user(request),
            visibility=given.validated_data["visibility"],
        )
        return Response(_file_data(shared_file, self.viewer))

    @extend_schema(
        operation_id="network_file_remove",
        responses={204: None, **error_responses(403, 404)},
    )
    def delete(self, request: Request, **kwargs: object) -> Response:
        """Remove the file: its bytes are deleted. Whoever shared it, or a coordinator."""
        file_remove(
            shared_file=self.shared_file, viewer=self.viewer, removed_by=signed_in_user(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class NetworkFileDownloadApi(FileApiView):
    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The answer is the file, whatever the client accepts; errors are still JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="network_file_download",
        responses={
            **{
                (200, content_type): OpenApiResponse(
                    OpenApiTypes.BINARY,
                    description="The bytes, as an attachment, in the type found from the "
                    "content when it was shared.",
                )
                for content_type in ALLOWED
            },
            **error_responses(404),
        },
    )
    def get(self, request: Request, **kwargs: object) -> FileResponse:
        """Download the file. Each download is written in the audit trail."""
        opened = file_download_open(
            shared_file=self.shared_file,
            downloaded_by=signed_in_user(request),
            request=request._request,
            channel=API_CHANNEL,
        )
        response = FileResponse(
            opened,
            as_attachment=True,
            filename=self.shared_file.download_name,
            content_type=self.shared_file.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        patch_cache_control(response, private=True, no_store=True)
        return response
