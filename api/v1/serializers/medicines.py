"""What the medicines API reads and writes."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.v1.serializers.graph import UserSummarySerializer
from medicines.models import Medicine, MedicineChange, MedicineChangeKind
from medicines.services import TEXT_LIMITS


class MedicineSerializer(serializers.Serializer[Medicine]):
    id = serializers.IntegerField(read_only=True)
    network_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    dose = serializers.CharField(read_only=True)
    schedule = serializers.CharField(read_only=True, help_text="When it is taken.")
    prescribed_by = serializers.CharField(read_only=True)
    pickup = serializers.CharField(read_only=True, help_text="Where and when it is picked up.")
    notes = serializers.CharField(read_only=True)
    stopped = serializers.BooleanField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class MedicineWriteSerializer(serializers.Serializer[Any]):
    """Adding a medicine (`name` required), or changing one (send only what changes)."""

    name = serializers.CharField(max_length=TEXT_LIMITS["name"])
    dose = serializers.CharField(max_length=TEXT_LIMITS["dose"], required=False, allow_blank=True)
    schedule = serializers.CharField(
        max_length=TEXT_LIMITS["schedule"], required=False, allow_blank=True
    )
    prescribed_by = serializers.CharField(
        max_length=TEXT_LIMITS["prescribed_by"], required=False, allow_blank=True
    )
    pickup = serializers.CharField(
        max_length=TEXT_LIMITS["pickup"], required=False, allow_blank=True
    )
    notes = serializers.CharField(max_length=TEXT_LIMITS["notes"], required=False, allow_blank=True)
    stopped = serializers.BooleanField(required=False)


class MedicineChangeSerializer(serializers.Serializer[MedicineChange]):
    id = serializers.IntegerField(read_only=True)
    medicine_id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=MedicineChangeKind.choices, read_only=True)
    changed_by = UserSummarySerializer(read_only=True, allow_null=True)
    changed_at = serializers.DateTimeField(read_only=True)
    before = serializers.DictField(read_only=True, help_text="Each field before; {} when added.")
    after = serializers.DictField(read_only=True, help_text="Each field after.")
