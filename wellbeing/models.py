"""How the person is doing, said by the people around them, and what matters to the person
in their own words. Rules live in `wellbeing.services` and `caregraph.policy`; these classes
only say what is stored.

Photos are kept as names in a storage (settings.STORAGES["wellbeing_photos"]), never as a
public URL: they are read back only through the authorised views, which ask the policy on
every request.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from caregraph.models import Visibility


class WellbeingUpdate(models.Model):
    """A short update on how the person is doing, with a visibility of its own."""

    network = models.ForeignKey(
        "caregraph.Network", on_delete=models.CASCADE, related_name="wellbeing_updates"
    )
    text = models.TextField(max_length=2000)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.NETWORK
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [
            models.Index(fields=["network", "-created_at"], name="wellbeing_update_newest"),
        ]

    def __str__(self) -> str:
        return f"Update {self.pk}"


class WellbeingPhoto(models.Model):
    """One photo of an update: a resized copy and a thumbnail, both re-encoded without any
    metadata, stored under these names in the photo storage."""

    update = models.ForeignKey(WellbeingUpdate, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField(default=0)
    full_name = models.CharField(max_length=200)
    thumbnail_name = models.CharField(max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["position", "pk"]


class WellbeingReply(models.Model):
    """A member's reply under an update. It is shown to whoever may see the update."""

    update = models.ForeignKey(WellbeingUpdate, on_delete=models.CASCADE, related_name="replies")
    text = models.TextField(max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["created_at", "pk"]


class ReactionKind(models.TextChoices):
    SEEN = "seen", "Seen"
    THANKS = "thanks", "Thank you"


class WellbeingReaction(models.Model):
    """One member's "seen" or "thank you" on an update: at most one of each kind."""

    update = models.ForeignKey(WellbeingUpdate, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=ReactionKind.choices)
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["update", "user", "kind"], name="wellbeing_reaction_one_per_kind"
            )
        ]


class WhatMattersTopic(models.TextChoices):
    GOOD_DAY = "good_day", "A good day for me looks like"
    UPSETS = "upsets", "What upsets me"
    SPOKEN_TO = "spoken_to", "How I like to be spoken to"


class WhatMattersNote(models.Model):
    """One note in the person's own words, kept by them or by a carer on their behalf
    (`on_behalf` says which). Every change is in the audit trail with who wrote it."""

    network = models.ForeignKey(
        "caregraph.Network", on_delete=models.CASCADE, related_name="what_matters_notes"
    )
    topic = models.CharField(max_length=16, choices=WhatMattersTopic.choices)
    text = models.TextField(max_length=1000)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    on_behalf = models.BooleanField(
        default=False, help_text="Written by a carer on the person's behalf, not by the person."
    )
    updated_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "topic"], name="what_matters_one_per_topic")
        ]
