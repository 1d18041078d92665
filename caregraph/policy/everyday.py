"""Who may share and change shared files, and who may change the medicines list. Who may
*see* a file is the one visibility rule (`audiences`); the medicines list is seen by whoever
may see the network. Pages ask these which buttons to show; services ask them to refuse.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import PermissionDenied

from caregraph.policy.audiences import Viewer
from caregraph.policy.wellbeing import Authored


def file_may_share(*, viewer: Viewer) -> bool:
    """Any member may share a file; reviewing safeguarding leads only read."""
    return viewer.is_member


def file_may_change(*, shared_file: Authored, viewer: Viewer) -> bool:
    """Whoever shared a file, or a coordinator, may remove it or change who sees it."""
    return viewer.is_member and (
        shared_file.created_by_id == viewer.user_id or viewer.is_coordinator
    )


def file_visibilities_allowed(*, viewer: Viewer) -> list[str]:
    """The visibilities a file may be given: the policy's for any record the viewer writes
    (family and friends share with the whole network; professionals choose)."""
    return viewer.visibilities_allowed()


def medicine_may_edit(*, viewer: Viewer) -> bool:
    """A coordinator always may; another member once a coordinator has allowed them (a
    grant on their membership, so it ends with it); reviewing leads only read."""
    if viewer.membership is None:
        return False
    if viewer.is_coordinator:
        return True
    # By name: the core graph imports no app above it (the grant is the medicines app's).
    editors = apps.get_model("medicines", "MedicineEditor")
    return bool(editors.objects.filter(membership_id=viewer.membership.pk).exists())


def medicine_may_choose_editors(*, viewer: Viewer) -> bool:
    return viewer.may_manage_members


def medicine_require_edit(viewer: Viewer) -> None:
    if not medicine_may_edit(viewer=viewer):
        raise PermissionDenied("Only people a coordinator allows can change the medicines list")
