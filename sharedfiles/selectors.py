"""Reading shared files: only through the access policy, so that a file a user may not see
is absent from their lists and its download answers 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from caregraph.policy import (
    Viewer,
    audit_object_rule,
    ids_as_text,
    record_get_for_viewer,
    records_visible_to,
)
from sharedfiles.models import SharedFile


def file_list_visible_to(*, viewer: Viewer) -> QuerySet[SharedFile]:
    """The files of one network this viewer may see now, newest first; removed ones left out."""
    return (
        records_visible_to(SharedFile.objects.filter(removed_at__isnull=True), viewer=viewer)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )


def file_get_for_viewer(*, viewer: Viewer, file_id: int | str) -> SharedFile:
    """One file the viewer may see now; 404 for "not there", "not yours" and "removed"."""
    return record_get_for_viewer(
        file_list_visible_to(viewer=viewer), viewer=viewer, record_id=file_id
    )


@audit_object_rule("shared_file")
def _audit_files(viewer: Viewer) -> QuerySet[Any, Any]:
    # Removed files too: who shared, downloaded and removed one stays in the trail.
    return ids_as_text(records_visible_to(SharedFile.objects.all(), viewer=viewer))
