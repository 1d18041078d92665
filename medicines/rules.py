"""Who may change the medicines list, on top of `caregraph.policy` (which decides who may
see the network, and so the list). A coordinator always may; other members may once a
coordinator allows them; reviewing safeguarding leads only read."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from caregraph.policy import Viewer
from medicines.models import MedicineEditor


def medicine_may_edit(*, viewer: Viewer) -> bool:
    if viewer.membership is None:
        return False
    if viewer.is_coordinator:
        return True
    return MedicineEditor.objects.filter(membership_id=viewer.membership.pk).exists()


def medicine_may_choose_editors(*, viewer: Viewer) -> bool:
    return viewer.may_manage_members


def medicine_require_edit(viewer: Viewer) -> None:
    if not medicine_may_edit(viewer=viewer):
        raise PermissionDenied("Only people a coordinator allows can change the medicines list")
