"""Who may do what with a shared file, on top of `caregraph.policy` (which decides who may
see it). Pages ask these to decide which buttons to show; services ask them to refuse."""

from __future__ import annotations

from caregraph.policy import Viewer
from sharedfiles.models import SharedFile


def file_may_share(*, viewer: Viewer) -> bool:
    """Any member may share a file; reviewing safeguarding leads only read."""
    return viewer.is_member


def file_may_change(*, shared_file: SharedFile, viewer: Viewer) -> bool:
    """Whoever shared a file, or a coordinator, may remove it or change who sees it."""
    return viewer.is_member and (
        shared_file.created_by_id == viewer.user_id or viewer.is_coordinator
    )


def file_visibilities_allowed(*, viewer: Viewer) -> list[str]:
    """The visibilities a file may be given: the policy's for any record the viewer writes
    (family and friends share with the whole network; professionals choose)."""
    return viewer.visibilities_allowed()
