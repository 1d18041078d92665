"""Sharing, downloading, narrowing and removing files.

A refused upload leaves nothing behind: everything is checked (title, visibility, size,
and what the content really is) before a byte is stored, and the stored bytes are deleted
again if the row cannot be written. Each change writes its audit row and its event in one
transaction (`network_change_record`); each download writes an audit row.
"""

from __future__ import annotations

from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from caregraph.models import AuditAction, Network, NetworkEventKind
from caregraph.policy import Viewer
from caregraph.policy.everyday import file_may_change, file_may_share, file_visibilities_allowed
from caregraph.services.audit import audit_record
from caregraph.services.events import network_change_record, network_events_follow_record
from sharedfiles.models import SharedFile, shared_file_path, shared_file_storage
from sharedfiles.sniffing import NotAllowed, sniff_upload

# The event log's kinds for files; the payload's "change" says what happened.
FILE_SHARED = NetworkEventKind.FILE_SHARED
FILE_CHANGED = NetworkEventKind.FILE_CHANGED
TITLE_MAX = 200


def size_words(size: int) -> str:
    """A byte count as people say it: "10 MB", "500 KB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} bytes"


def _checked(
    *, viewer: Viewer, title: str, visibility: str, upload: File | None
) -> tuple[str, str]:
    """The title, and what the content is, or a ValidationError naming each wrong field."""
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["Enter a title for the file"]
    elif len(title) > TITLE_MAX:
        errors["title"] = [f"Title must be {TITLE_MAX} characters or fewer"]
    if visibility not in file_visibilities_allowed(viewer=viewer):
        errors["visibility"] = ["You cannot choose this visibility"]
    content_type = ""
    limit = settings.SHARED_FILE_MAX_BYTES
    if upload is None:
        errors["file"] = ["Select a file"]
    elif upload.size is not None and upload.size > limit:
        errors["file"] = [f"The selected file must be smaller than {size_words(limit)}"]
    else:
        try:
            content_type = sniff_upload(upload, name=upload.name or "").content_type
        except NotAllowed as refused:
            errors["file"] = [str(refused)]
    if errors:
        raise ValidationError(errors)
    return title, content_type


def _recorded(
    shared_file: SharedFile, *, actor: User, action: str, summary: str, kind: str, change: str
) -> None:
    network_change_record(
        network=shared_file.network,
        actor=actor,
        action=action,
        summary=summary,
        kind=kind,
        payload=shared_file.as_payload(change=change),
        record_type="shared_file",
        record_id=shared_file.pk,
        visibility=shared_file.visibility,
        author_id=shared_file.created_by_id,
        author_agency_id=shared_file.author_agency_id,
    )


def file_share(
    *,
    network: Network,
    viewer: Viewer,
    shared_by: User,
    title: str,
    upload: File | None,
    visibility: str,
) -> SharedFile:
    """Shares a file with those its visibility allows. Any member may; the content must be
    an allowed type (found by sniffing, not from its name) within SHARED_FILE_MAX_BYTES."""
    if not file_may_share(viewer=viewer):
        raise PermissionDenied("Only members of this network can share files")
    title, content_type = _checked(viewer=viewer, title=title, visibility=visibility, upload=upload)
    assert upload is not None
    shared_file = SharedFile(
        network=network,
        title=title,
        original_name=(upload.name or "file")[-255:],
        content_type=content_type,
        size=upload.size or 0,
        visibility=visibility,
        created_by=shared_by,
        author_agency_id=viewer.acting_agency_id,
    )
    storage = shared_file_storage()
    upload.seek(0)
    stored = storage.save(shared_file_path(shared_file, ""), upload)
    try:
        with transaction.atomic():
            shared_file.file.name = stored
            shared_file.save()
            _recorded(
                shared_file,
                actor=shared_by,
                action=AuditAction.CREATE,
                summary=f"Shared the file '{title}'",
                kind=FILE_SHARED,
                change="shared",
            )
    except BaseException:
        storage.delete(stored)
        raise
    return shared_file


def file_download_open(
    *,
    shared_file: SharedFile,
    downloaded_by: User,
    request: HttpRequest | None = None,
    channel: str = "page",
) -> IO[bytes]:
    """Opens a file's bytes for a download, and writes down who took a copy. The caller
    found the file through `file_get_for_viewer`, so the policy was asked this time."""
    audit_record(
        actor=downloaded_by,
        action=AuditAction.EXPORT,
        summary=f"Downloaded the file '{shared_file.title}'",
        object_type="shared_file",
        object_id=shared_file.pk,
        network=shared_file.network,
        request=request,
        channel=channel,
    )
    return shared_file_storage().open(shared_file.file.name, "rb")


def file_visibility_set(
    *, shared_file: SharedFile, viewer: Viewer, changed_by: User, visibility: str
) -> SharedFile:
    """Narrows or widens who may see a file. Whoever shared it, or a coordinator, may; the
    log's earlier events about it follow, so nobody is replayed what they may no longer see."""
    if not file_may_change(shared_file=shared_file, viewer=viewer):
        raise PermissionDenied("Only whoever shared this file, or a coordinator, can change it")
    if visibility not in file_visibilities_allowed(viewer=viewer):
        raise ValidationError({"visibility": ["You cannot choose this visibility"]})
    with transaction.atomic():
        shared_file.visibility = visibility
        shared_file.save(update_fields=["visibility"])
        network_events_follow_record(
            network_id=shared_file.network_id,
            record_type="shared_file",
            record_id=shared_file.pk,
            visibility=visibility,
            author_id=shared_file.created_by_id,
            author_agency_id=shared_file.author_agency_id,
        )
        _recorded(
            shared_file,
            actor=changed_by,
            action=AuditAction.UPDATE,
            summary=f"Changed who can see the file '{shared_file.title}'",
            kind=FILE_CHANGED,
            change="visibility",
        )
    return shared_file


def file_remove(*, shared_file: SharedFile, viewer: Viewer, removed_by: User) -> SharedFile:
    """Removes a file: its stored bytes are deleted once the removal commits; its row stays,
    without them, for the audit trail. Whoever shared it, or a coordinator, may."""
    if not file_may_change(shared_file=shared_file, viewer=viewer):
        raise PermissionDenied("Only whoever shared this file, or a coordinator, can remove it")
    stored = shared_file.file.name
    with transaction.atomic():
        shared_file.removed_at = timezone.now()
        shared_file.removed_by = removed_by
        shared_file.file.name = ""
        shared_file.save(update_fields=["removed_at", "removed_by", "file"])
        _recorded(
            shared_file,
            actor=removed_by,
            action=AuditAction.REMOVE,
            summary=f"Removed the file '{shared_file.title}'",
            kind=FILE_CHANGED,
            change="removed",
        )
        if stored:
            transaction.on_commit(lambda: shared_file_storage().delete(stored))
    return shared_file
