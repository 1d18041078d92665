"""Files members share in a network: a shopping list, prescription pick-up times, a care plan.

The bytes live in the `shared_files` storage (settings.STORAGES: local disk by default,
object storage by configuration), under a random name that says nothing about the person;
they are only ever served through the authorised download view, never from a public URL.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils import timezone

from caregraph.models import Visibility
from sharedfiles.sniffing import download_name, kind_label

STORAGE_ALIAS = "shared_files"


def shared_file_storage() -> Storage:
    """The storage named in settings.STORAGES, looked up when used (tests swap it)."""
    return storages[STORAGE_ALIAS]


def shared_file_path(instance: SharedFile, filename: str) -> str:
    """A random name under the network's folder: the stored name never carries the title or
    the name the file was uploaded with, which may say something about the person."""
    return f"networks/{instance.network_id}/{uuid.uuid4().hex}"


class SharedFile(models.Model):
    """One file shared in a network, with a visibility like every shared record.

    A removed file keeps its row (title, who shared and removed it) for the audit trail;
    its stored bytes are deleted.
    """

    network = models.ForeignKey(
        "caregraph.Network", on_delete=models.CASCADE, related_name="shared_files"
    )
    title = models.CharField(max_length=200)
    file = models.FileField(
        storage=shared_file_storage, upload_to=shared_file_path, max_length=300, blank=True
    )
    original_name = models.CharField(
        max_length=255, help_text="The name it was uploaded with, for the download's name."
    )
    content_type = models.CharField(
        max_length=120, help_text="What the content was found to be, not what it claimed."
    )
    size = models.PositiveBigIntegerField()
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.NETWORK
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["network", "created_at"], name="shared_file_network_created")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def download_name(self) -> str:
        return download_name(self.original_name, self.content_type)

    def as_payload(self, *, change: str) -> dict[str, Any]:
        """What the event log carries about the file: never its bytes or where they are."""
        return {
            "object": "shared_file",
            "change": change,
            "file_id": self.pk,
            "title": self.title,
            "kind": kind_label(self.content_type),
            "size": self.size,
        }
