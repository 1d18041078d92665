"""A network with one user in each standing that matters for files, the shared-files
storage in a folder of the test's own (so a test can see what was stored), and files made
through the same service the pages and the API call."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from agencies.models import Agency, StaffRole
from caregraph.models import MemberKind, Network, Visibility
from sharedfiles.models import SharedFile
from sharedfiles.services import file_share
from tests.factories import AgencyFactory, UserFactory, staff_create, totp_enrol
from tests.networks import member_add, network_create, viewer

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
SHOPPING_LIST = b"Milk\nBread\nEggs\nTea bags\n"
# A Windows program: "MZ", the DOS stub, then the PE header.
EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + (b"This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 64 + b"PE\x00\x00")
)
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>fetch('/api/v1/people/').then(r => r.text()).then(alert)</script></svg>\n"
)


def docx() -> bytes:
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return content.getvalue()


def upload(content: bytes, name: str = "file.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


ROLES = ("author", "colleague", "other_professional", "family", "lead", "outsider")


@dataclass
class FilesWorld:
    """Files are shared by "author", a practitioner of agency A who coordinates; "colleague"
    is a practitioner of A, "other_professional" of agency B, "lead" a safeguarding lead of
    A (reviewing the network, not a member)."""

    network: Network
    agency: Agency
    users: dict[str, User]

    def __getitem__(self, role: str) -> User:
        return self.users[role]


# Who may see a file of each visibility shared by "author": the design's table, not the policy.
SEES: dict[str, set[str]] = {
    Visibility.NETWORK: {"author", "colleague", "other_professional", "family", "lead"},
    Visibility.PROFESSIONALS: {"author", "colleague", "other_professional", "lead"},
    Visibility.AGENCY: {"author", "colleague", "lead"},
    Visibility.RESTRICTED: {"author", "lead"},
}


def marker(visibility: str) -> str:
    return f"File{visibility.upper()}"


@pytest.fixture
def shared_dir(settings: Any, tmp_path: Path) -> Path:
    """The shared-files storage, on disk in this test's own folder."""
    folder = tmp_path / "shared-files"
    settings.STORAGES = {
        **settings.STORAGES,
        "shared_files": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "base_url": None},
        },
    }
    return folder


def stored_files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


@pytest.fixture
def world(shared_dir: Path) -> FilesWorld:
    agency = AgencyFactory.create()
    author = staff_create(agency=agency)
    network = network_create(coordinator=author, agency=agency)
    users = {"author": author}
    users["colleague"] = member_add(network, kind=MemberKind.PROFESSIONAL, agency=agency).user
    users["other_professional"] = member_add(
        network, kind=MemberKind.PROFESSIONAL, agency=AgencyFactory.create()
    ).user
    users["family"] = member_add(network, kind=MemberKind.FAMILY, relationship="Daughter").user
    users["lead"] = staff_create(agency=agency, role=StaffRole.SAFEGUARDING_LEAD)
    users["outsider"] = UserFactory.create()
    for user in users.values():
        if user.staff_memberships.exists():
            totp_enrol(user)
    return FilesWorld(network=network, agency=agency, users=users)


def share(
    world: FilesWorld,
    *,
    by: str = "author",
    title: str = "Care plan",
    content: bytes = PDF,
    name: str = "care-plan.pdf",
    visibility: str = Visibility.NETWORK,
) -> SharedFile:
    user = world[by]
    return file_share(
        network=world.network,
        viewer=viewer(world.network, user),
        shared_by=user,
        title=title,
        upload=upload(content, name),
        visibility=visibility,
    )


def share_one_of_each(world: FilesWorld) -> dict[str, SharedFile]:
    """One file for each visibility, titled with its marker."""
    return {
        visibility: share(world, title=marker(visibility), visibility=visibility)
        for visibility in Visibility.values
    }
