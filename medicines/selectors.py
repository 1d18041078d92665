"""Reading the medicines list and its history. The list is the network's: whoever may see
the network (`caregraph.policy.network_get_for_user`) may read it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from caregraph.models import Membership, MembershipStatus
from caregraph.policy import Viewer, audit_object_rule, ids_as_text, membership_filter
from medicines.models import Medicine, MedicineChange, MedicineEditor


def medicine_list_for_viewer(*, viewer: Viewer) -> QuerySet[Medicine]:
    """The network's medicines, those still taken first, by name."""
    return Medicine.objects.filter(network_id=viewer.network_id).order_by("stopped", "name", "pk")


def medicine_get_for_viewer(*, viewer: Viewer, medicine_id: int | str) -> Medicine:
    try:
        return medicine_list_for_viewer(viewer=viewer).get(pk=int(medicine_id))
    except (Medicine.DoesNotExist, ValueError, TypeError, OverflowError) as missing:
        raise Http404("Not found") from missing


def medicine_history_for_viewer(
    *, viewer: Viewer, medicine: Medicine | None = None
) -> QuerySet[MedicineChange]:
    """Every change to the list (or to one medicine), newest first."""
    changes = MedicineChange.objects.filter(network_id=viewer.network_id)
    if medicine is not None:
        changes = changes.filter(medicine=medicine)
    return changes.select_related("medicine", "changed_by").order_by("-changed_at", "-pk")


def medicine_editor_candidates(*, viewer: Viewer) -> list[tuple[Membership, bool]]:
    """The active members a coordinator may allow to change the list (coordinators always
    may, so they are left out), each with whether they are allowed now. Only members the
    coordinator may know are here are listed."""
    members = list(
        Membership.objects.filter(
            network_id=viewer.network_id, status=MembershipStatus.ACTIVE, is_coordinator=False
        )
        .filter(membership_filter(viewer=viewer))
        .select_related("user")
        .order_by("user__display_name", "pk")
    )
    allowed = set(
        MedicineEditor.objects.filter(membership__in=[m.pk for m in members]).values_list(
            "membership_id", flat=True
        )
    )
    return [(membership, membership.pk in allowed) for membership in members]


@audit_object_rule("medicine")
def _audit_medicines(viewer: Viewer) -> QuerySet[Any, Any]:
    return ids_as_text(Medicine.objects.filter(network_id=viewer.network_id))
