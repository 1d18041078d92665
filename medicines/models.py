"""The person's medicines: what, how much, when, who prescribed it, where and when it is
picked up, and every change made to the list.

The list is shared with the whole network (family first: they give the tablets and collect
the prescriptions), so entries have no narrower visibility; what only professionals should
read belongs in their own agency's records, not on a list the family keeps. Who may change
it is narrower: the coordinators, and the members a coordinator allows (`MedicineEditor`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

# The fields a change's history shows, in the order pages list them, with their labels.
MEDICINE_FIELDS: dict[str, str] = {
    "name": "Medicine",
    "dose": "Dose",
    "schedule": "When it is taken",
    "prescribed_by": "Prescribed by",
    "pickup": "Where and when it is picked up",
    "notes": "Notes",
    "stopped": "Stopped",
}


class Medicine(models.Model):
    network = models.ForeignKey(
        "caregraph.Network", on_delete=models.CASCADE, related_name="medicines"
    )
    name = models.CharField(max_length=200, help_text="For example, Metformin 500 mg tablets.")
    dose = models.CharField(max_length=200, blank=True, help_text="For example, 1 tablet.")
    schedule = models.CharField(
        max_length=200, blank=True, help_text="When it is taken, for example twice a day."
    )
    prescribed_by = models.CharField(max_length=200, blank=True)
    pickup = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where and when it is picked up, for example Boots, High Street, Fridays.",
    )
    notes = models.TextField(max_length=2000, blank=True)
    stopped = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["network", "name"], name="medicine_network_name")]

    def __str__(self) -> str:
        return self.name

    def as_values(self) -> dict[str, Any]:
        """The fields a change keeps before and after."""
        return {field: getattr(self, field) for field in MEDICINE_FIELDS}


class MedicineChangeKind(models.TextChoices):
    ADDED = "added", "Added"
    CHANGED = "changed", "Changed"
    STOPPED = "stopped", "Stopped"
    RESTARTED = "restarted", "Restarted"


class MedicineChange(models.Model):
    """One change to the list: who, when, and each field before and after. Never changed."""

    medicine = models.ForeignKey(Medicine, on_delete=models.CASCADE, related_name="changes")
    network = models.ForeignKey("caregraph.Network", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=MedicineChangeKind.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    class Meta:
        indexes = [
            models.Index(fields=["network", "changed_at"], name="medicine_change_network_at")
        ]


class MedicineEditor(models.Model):
    """A member a coordinator allows to change the medicines list. The grant belongs to the
    membership, so it ends with it: someone removed and invited back starts without it."""

    membership = models.OneToOneField(
        "caregraph.Membership", on_delete=models.CASCADE, related_name="medicine_editor"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
