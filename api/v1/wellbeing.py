"""The REST API of wellbeing updates and of what matters to the person.

Views are thin: the access policy finds what the user may see (anything else is 404),
services make the changes, and every read is audited. Photos are uploaded as
multipart/form-data and downloaded only through the endpoints here, which ask the policy on
every request and forbid any cache to keep them.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from api.parsers import SafeJSONParser
from api.v1.serializers.wellbeing import (
    API_ROOT,
    WellbeingReactionSerializer,
    WellbeingReplyAddSerializer,
    WellbeingUpdatePostSerializer,
    WellbeingUpdateSerializer,
    WellbeingVisibilitySerializer,
    WhatMattersNoteSerializer,
    WhatMattersPutSerializer,
)
from api.views import LOCATION_HEADER, NetworkApiView, error_responses, signed_in_user
from caregraph.policy import Viewer
from wellbeing.models import WellbeingUpdate
from wellbeing.photos import photo_storage
from wellbeing.selectors import (
    update_rows,
    wellbeing_photo_get_for_viewer,
    wellbeing_update_get_for_viewer,
    wellbeing_update_list_visible_to,
    what_matters_for,
)
from wellbeing.services import (
    wellbeing_reaction_set,
    wellbeing_reply_add,
    wellbeing_update_post,
    wellbeing_update_visibility_set,
    what_matters_set,
)

PHOTO_SIZES = ("thumbnail", "full")


def _update_url(update: WellbeingUpdate) -> str:
    return f"{API_ROOT}/networks/{update.network_id}/updates/{update.pk}/"


def _update_data(viewer: Viewer, update_id: int) -> dict[str, Any]:
    """An update as the viewer is now shown it, read again through the policy."""
    update = wellbeing_update_get_for_viewer(viewer=viewer, update_id=update_id)
    (row,) = update_rows(viewer=viewer, updates=[update])
    return dict(WellbeingUpdateSerializer(row, context={"network_id": viewer.network_id}).data)


class WellbeingUpdateApiView(NetworkApiView):
    """Base of the endpoints under one update: `self.update`, found through the policy."""

    update: WellbeingUpdate

    def record_resolve(self) -> None:
        self.update = wellbeing_update_get_for_viewer(
            viewer=self.viewer, update_id=self.kwargs["update_id"]
        )


class WellbeingUpdateListApi(NetworkApiView):
    """Updates on how the person is, newest first, and posting one."""

    parser_classes = [SafeJSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="wellbeing_update_list",
        responses={200: WellbeingUpdateSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        """The updates you may see, newest first, with photos, replies and reactions."""
        viewer = self.viewer
        page = self.paginate_queryset(wellbeing_update_list_visible_to(viewer=viewer)) or []
        rows = update_rows(viewer=viewer, updates=page)
        response = self.get_paginated_response(
            WellbeingUpdateSerializer(
                cast(Any, rows), many=True, context={"network_id": viewer.network_id}
            ).data
        )
        self.audit_read(summary="Viewed the wellbeing updates", object_type="network")
        return response

    @extend_schema(
        operation_id="wellbeing_update_post",
        request={
            "multipart/form-data": WellbeingUpdatePostSerializer,
            "application/json": WellbeingUpdatePostSerializer,
        },
        parameters=[IDEMPOTENCY_KEY_PARAMETER, LOCATION_HEADER],
        responses={201: WellbeingUpdateSerializer, **error_responses(400, 403, 404, 422)},
    )
    @idempotent
    def post(self, request: Request, **kwargs: object) -> Response:
        """Post an update, with up to 4 photos (multipart, each named `photos`). Family and
        friends share with everyone (the default) or with the professionals only."""
        given = WellbeingUpdatePostSerializer(data=_form_data(request))
        given.is_valid(raise_exception=True)
        data = given.validated_data
        update = wellbeing_update_post(
            network=self.network,
            viewer=self.viewer,
            posted_by=signed_in_user(request),
            text=data["text"],
            visibility=data["visibility"],
            photos=data["photos"],
        )
        return Response(
            _update_data(self.viewer, update.pk),
            status=status.HTTP_201_CREATED,
            headers={"Location": _update_url(update)},
        )


def _form_data(request: Request) -> Any:
    """The fields of a JSON or multipart body; `photos` as a list of files either way."""
    if hasattr(request.data, "getlist"):
        data = {key: request.data.get(key) for key in request.data if key != "photos"}
        data["photos"] = request.FILES.getlist("photos")
        return data
    return request.data


class WellbeingUpdateDetailApi(WellbeingUpdateApiView):
    """One update; its author may change who sees it."""

    @extend_schema(
        operation_id="wellbeing_update_get",
        responses={200: WellbeingUpdateSerializer, **error_responses(404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        self.audit_read(
            summary="Viewed a wellbeing update",
            object_type="wellbeing_update",
            object_id=self.update.pk,
        )
        return Response(_update_data(self.viewer, self.update.pk))

    @extend_schema(
        operation_id="wellbeing_update_visibility",
        request=WellbeingVisibilitySerializer,
        responses={200: WellbeingUpdateSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, **kwargs: object) -> Response:
        """Narrow or widen who may see your update (its author only)."""
        given = WellbeingVisibilitySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        wellbeing_update_visibility_set(
            update=self.update,
            viewer=self.viewer,
            changed_by=signed_in_user(request),
            visibility=given.validated_data["visibility"],
        )
        return Response(_update_data(self.viewer, self.update.pk))


class WellbeingReplyListApi(WellbeingUpdateApiView):
    @extend_schema(
        operation_id="wellbeing_reply_add",
        request=WellbeingReplyAddSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: WellbeingUpdateSerializer, **error_responses(400, 403, 404, 422)},
    )
    @idempotent
    def post(self, request: Request, **kwargs: object) -> Response:
        """Reply to an update; answered with the update and its replies."""
        given = WellbeingReplyAddSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        wellbeing_reply_add(
            update=self.update,
            viewer=self.viewer,
            added_by=signed_in_user(request),
            text=given.validated_data["text"],
        )
        return Response(_update_data(self.viewer, self.update.pk), status=status.HTTP_201_CREATED)


class WellbeingReactionApi(WellbeingUpdateApiView):
    @extend_schema(
        operation_id="wellbeing_reaction_add",
        request=WellbeingReactionSerializer,
        responses={200: WellbeingUpdateSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, **kwargs: object) -> Response:
        """Say "seen" or "thanks". Saying it again changes nothing, so a retry is safe."""
        return self._set(request, on=True)

    @extend_schema(
        operation_id="wellbeing_reaction_remove",
        request=WellbeingReactionSerializer,
        responses={200: WellbeingUpdateSerializer, **error_responses(400, 403, 404)},
    )
    def delete(self, request: Request, **kwargs: object) -> Response:
        """Take back your "seen" or "thanks"."""
        return self._set(request, on=False)

    def _set(self, request: Request, *, on: bool) -> Response:
        given = WellbeingReactionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        wellbeing_reaction_set(
            update=self.update,
            viewer=self.viewer,
            user=signed_in_user(request),
            kind=given.validated_data["kind"],
            on=on,
        )
        return Response(_update_data(self.viewer, self.update.pk))


class WellbeingPhotoApi(NetworkApiView):
    """A photo's thumbnail or full size, for those who may see its update now."""

    @extend_schema(
        operation_id="wellbeing_photo_get",
        responses={
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY),
            **error_responses(404),
        },
    )
    def get(self, request: Request, **kwargs: Any) -> Any:
        size = str(kwargs["size"])
        if size not in PHOTO_SIZES:
            raise Http404("No such photo")
        photo = wellbeing_photo_get_for_viewer(viewer=self.viewer, photo_id=kwargs["photo_id"])
        if size == "full":
            self.audit_read(
                summary="Viewed a photo of a wellbeing update",
                object_type="wellbeing_update",
                object_id=photo.update_id,
            )
        name = photo.full_name if size == "full" else photo.thumbnail_name
        response = FileResponse(photo_storage().open(name, "rb"), content_type="image/jpeg")
        response["Content-Disposition"] = "inline"
        patch_cache_control(response, private=True, no_store=True, max_age=0)
        return response


class WhatMattersApi(NetworkApiView):
    """What matters to the person, in their own words: everyone in the network reads it; the
    person, or family or a professional on their behalf, keeps it. A short fixed list: not
    paginated."""

    pagination_class = None

    @extend_schema(
        operation_id="what_matters_get",
        responses={200: WhatMattersNoteSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        return Response(self._notes(audit=True))

    @extend_schema(
        operation_id="what_matters_put",
        request=WhatMattersPutSerializer,
        responses={200: WhatMattersNoteSerializer(many=True), **error_responses(400, 403, 404)},
    )
    def put(self, request: Request, **kwargs: object) -> Response:
        given = WhatMattersPutSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        what_matters_set(
            network=self.network,
            viewer=self.viewer,
            written_by=signed_in_user(request),
            notes=dict(given.validated_data),
        )
        return Response(self._notes(audit=False))

    def _notes(self, *, audit: bool) -> list[dict[str, Any]]:
        entries = what_matters_for(viewer=self.viewer, network=self.network)
        if audit:
            self.audit_read(summary="Viewed what matters to the person", object_type="network")
        return [dict(row) for row in WhatMattersNoteSerializer(cast(Any, entries), many=True).data]
