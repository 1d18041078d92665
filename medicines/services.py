"""Changing the medicines list, and who may change it.

Every change keeps a `MedicineChange` (who, when, each field before and after) and writes
its audit row and its event in the same transaction (`network_change_record`), so the list's
history and the live pages never miss a change nor show one that did not happen.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from caregraph.models import AuditAction, Membership, MembershipStatus, Network, Visibility
from caregraph.policy import Viewer
from caregraph.policy.everyday import medicine_may_choose_editors, medicine_require_edit
from caregraph.services.audit import audit_record
from caregraph.services.events import network_change_record
from medicines.models import (
    MEDICINE_FIELDS,
    Medicine,
    MedicineChange,
    MedicineChangeKind,
    MedicineEditor,
)

MEDICINE_CHANGED = "medicine.changed"
TEXT_LIMITS = {
    "name": 200,
    "dose": 200,
    "schedule": 200,
    "prescribed_by": 200,
    "pickup": 300,
    "notes": 2000,
}


def _texts_check(values: dict[str, Any]) -> dict[str, str]:
    """The texts tidied, or a ValidationError naming each field that is wrong."""
    errors: dict[str, list[str]] = {}
    tidy: dict[str, str] = {}
    for field, limit in TEXT_LIMITS.items():
        if field not in values:
            continue
        text = str(values[field] or "").strip()
        if len(text) > limit:
            errors[field] = [f"{MEDICINE_FIELDS[field]} must be {limit} characters or fewer"]
        tidy[field] = text
    if "name" in tidy and not tidy["name"]:
        errors["name"] = ["Enter the name of the medicine"]
    if errors:
        raise ValidationError(errors)
    return tidy


def _recorded(
    medicine: Medicine,
    *,
    actor: User,
    kind: str,
    before: dict[str, Any],
    action: str,
    summary: str,
) -> None:
    MedicineChange.objects.create(
        medicine=medicine,
        network_id=medicine.network_id,
        kind=kind,
        changed_by=actor,
        changed_at=medicine.updated_at,
        before=before,
        after=medicine.as_values(),
    )
    network_change_record(
        network=medicine.network,
        actor=actor,
        action=action,
        summary=summary,
        kind=MEDICINE_CHANGED,
        payload={
            "object": "medicine",
            "change": kind,
            "medicine_id": medicine.pk,
            "name": medicine.name,
        },
        record_type="medicine",
        record_id=medicine.pk,
        visibility=Visibility.NETWORK,
        author_id=medicine.created_by_id,
        author_agency_id=None,
    )


def medicine_add(*, network: Network, viewer: Viewer, added_by: User, **values: Any) -> Medicine:
    """Adds a medicine to the list. A coordinator, or a member they allow, may."""
    medicine_require_edit(viewer)
    texts = _texts_check({field: values.get(field, "") for field in TEXT_LIMITS})
    with transaction.atomic():
        medicine = Medicine.objects.create(network=network, created_by=added_by, **texts)
        _recorded(
            medicine,
            actor=added_by,
            kind=MedicineChangeKind.ADDED,
            before={},
            action=AuditAction.CREATE,
            summary=f"Added {medicine.name} to the medicines",
        )
    return medicine


def medicine_update(
    *, medicine: Medicine, viewer: Viewer, changed_by: User, **values: Any
) -> Medicine:
    """Changes the fields given (and `stopped`, to stop or restart a medicine), keeping what
    each was before. A change that changes nothing is not recorded."""
    medicine_require_edit(viewer)
    texts = _texts_check({field: values[field] for field in TEXT_LIMITS if field in values})
    with transaction.atomic():
        medicine = (
            Medicine.objects.select_for_update().select_related("network").get(pk=medicine.pk)
        )
        before = medicine.as_values()
        for field, text in texts.items():
            setattr(medicine, field, text)
        if "stopped" in values and values["stopped"] is not None:
            medicine.stopped = bool(values["stopped"])
        if medicine.as_values() == before:
            return medicine
        kind = MedicineChangeKind.CHANGED
        if medicine.stopped != before["stopped"]:
            kind = MedicineChangeKind.STOPPED if medicine.stopped else MedicineChangeKind.RESTARTED
        medicine.updated_at = timezone.now()
        medicine.save()
        _recorded(
            medicine,
            actor=changed_by,
            kind=kind,
            before=before,
            action=AuditAction.UPDATE,
            summary=f"{MedicineChangeKind(kind).label} {medicine.name} in the medicines",
        )
    return medicine


def medicine_editors_set(
    *, network: Network, viewer: Viewer, set_by: User, membership_ids: Iterable[int]
) -> set[int]:
    """Says which members (besides the coordinators, who always may) may change the list.
    Only a coordinator may; only active members of this network can be allowed."""
    if not medicine_may_choose_editors(viewer=viewer):
        raise PermissionDenied("Only a coordinator can choose who changes the medicines")
    wanted = set(
        Membership.objects.filter(
            network=network,
            status=MembershipStatus.ACTIVE,
            is_coordinator=False,
            pk__in=[int(pk) for pk in membership_ids],
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        current = set(
            MedicineEditor.objects.filter(membership__network=network).values_list(
                "membership_id", flat=True
            )
        )
        MedicineEditor.objects.filter(membership_id__in=current - wanted).delete()
        MedicineEditor.objects.bulk_create(
            MedicineEditor(membership_id=pk, granted_by=set_by) for pk in wanted - current
        )
        if wanted != current:
            audit_record(
                actor=set_by,
                action=AuditAction.UPDATE,
                summary=f"Changed who can change the medicines ({len(wanted)} allowed)",
                object_type="network",
                object_id=network.pk,
                network=network,
            )
    return wanted
