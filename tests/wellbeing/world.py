"""A network with one user in each role and one wellbeing update (with a photo) of each
visibility, each carrying a marker no other record carries; then every channel is read as
the set of markers it shows and compared with an oracle written here from the design's
table, not from the policy. Modelled on `tests.caregraph.channels`.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from accounts.models import User
from agencies.models import StaffRole
from caregraph.models import MemberKind, Membership, Network, Visibility
from caregraph.services.networks import membership_end
from tests.factories import AgencyFactory, UserFactory, staff_create, totp_enrol
from tests.networks import member_add, network_create, viewer
from wellbeing.models import WellbeingUpdate
from wellbeing.services import wellbeing_update_post, wellbeing_update_visibility_set

VISIBILITIES = list(Visibility.values)
ROTATED = dict(zip(VISIBILITIES, VISIBILITIES[1:] + VISIBILITIES[:1], strict=True))
ROLES = [
    "author",
    "person",
    "family",
    "friend",
    "practitioner_same_agency",
    "practitioner_other_agency",
    "lead_of_involved_agency",
    "lead_of_uninvolved_agency",
    "non_member",
]
PROFESSIONALS = {
    "author",
    "practitioner_same_agency",
    "practitioner_other_agency",
    "lead_of_involved_agency",
}
AGENCY_A = {"author", "practitioner_same_agency", "lead_of_involved_agency"}
LEADS = {"lead_of_involved_agency"}
MARKER = re.compile(r"Upd(?:NETWORK|PROFESSIONALS|AGENCY|RESTRICTED)")


def marker(visibility: str) -> str:
    return f"Upd{visibility.upper()}"


def jpeg_bytes(*, size: tuple[int, int] = (64, 48), exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 120, 40))
    if exif is None:
        image.save(out, format="JPEG")
    else:
        image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def photo_upload(name: str = "photo.jpg", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content or jpeg_bytes(), content_type="image/jpeg")


@dataclass
class World:
    network: Network
    users: dict[str, User]
    updates: dict[str, WellbeingUpdate] = field(default_factory=dict)  # by marker
    visibility_of: dict[str, str] = field(default_factory=dict)
    photo_of: dict[str, int] = field(default_factory=dict)
    without_access: set[str] = field(default_factory=set)

    def user(self, role: str) -> User:
        return self.users[role]


def world_build(*, photos: bool = True) -> World:
    """Updates are written by "author", a coordinating practitioner of agency A."""
    agency_a, agency_b, agency_c = (AgencyFactory.create() for _ in range(3))
    author = staff_create(agency=agency_a)
    network = network_create(coordinator=author, agency=agency_a)
    users = {"author": author}
    users["person"] = member_add(network, kind=MemberKind.PERSON).user
    users["family"] = member_add(network, kind=MemberKind.FAMILY).user
    users["friend"] = member_add(network, kind=MemberKind.FRIEND).user
    users["practitioner_same_agency"] = member_add(
        network, kind=MemberKind.PROFESSIONAL, agency=agency_a
    ).user
    users["practitioner_other_agency"] = member_add(
        network, kind=MemberKind.PROFESSIONAL, agency=agency_b
    ).user
    users["lead_of_involved_agency"] = staff_create(
        agency=agency_a, role=StaffRole.SAFEGUARDING_LEAD
    )
    users["lead_of_uninvolved_agency"] = staff_create(
        agency=agency_c, role=StaffRole.SAFEGUARDING_LEAD
    )
    users["non_member"] = UserFactory.create()
    for user in users.values():
        if user.staff_memberships.exists():
            totp_enrol(user)
    world = World(network=network, users=users)
    for visibility in VISIBILITIES:
        update = wellbeing_update_post(
            network=network,
            viewer=viewer(network, author),
            posted_by=author,
            text=f"Cheerful at lunch {marker(visibility)}",
            visibility=visibility,
            photos=[photo_upload()] if photos else [],
        )
        world.updates[marker(visibility)] = update
        world.visibility_of[marker(visibility)] = visibility
        if photos:
            world.photo_of[marker(visibility)] = update.photos.get().pk
    return world


# --- Changes after the updates were posted --------------------------------------------------


def updates_rotate(world: World) -> None:
    """Narrows or widens every update by one step, as its author."""
    author = world.user("author")
    for name, update in world.updates.items():
        new = ROTATED[world.visibility_of[name]]
        wellbeing_update_visibility_set(
            update=update,
            viewer=viewer(world.network, author),
            changed_by=author,
            visibility=new,
        )
        world.visibility_of[name] = new


def family_removed(world: World) -> None:
    family = world.user("family")
    membership = Membership.objects.get(network=world.network, user=family, status="active")
    author = world.user("author")
    membership_end(membership=membership, ended_by=author, viewer=viewer(world.network, author))
    world.without_access.add("family")


SCENARIOS = {
    "as_written": lambda world: None,
    "narrowed_and_widened": updates_rotate,
    "after_a_member_was_removed": family_removed,
}


# --- The oracle -----------------------------------------------------------------------------


def may_see(role: str, visibility: str) -> bool:
    if visibility == Visibility.NETWORK:
        return True
    if visibility == Visibility.PROFESSIONALS:
        return role in PROFESSIONALS
    if visibility == Visibility.AGENCY:
        return role in AGENCY_A
    return role in LEADS or role == "author"


def has_access(world: World, role: str) -> bool:
    return role not in {"lead_of_uninvolved_agency", "non_member"} | world.without_access


def expected(world: World, role: str) -> set[str] | str:
    if not has_access(world, role):
        return "404"
    return {name for name, v in world.visibility_of.items() if may_see(role, v)}


# --- Reading a channel as markers -----------------------------------------------------------


def markers_in(text: str) -> set[str]:
    return set(MARKER.findall(text))


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_markers(world: World, client: Client) -> set[str] | str:
    response = client.get(f"/networks/{world.network.pk}/updates/")
    if response.status_code == 404:
        return "404"
    assert response.status_code == 200, response.status_code
    return markers_in(response.content.decode())


def api_markers(world: World, client: Client) -> set[str] | str:
    url: str | None = f"/api/v1/networks/{world.network.pk}/updates/"
    found: set[str] = set()
    while url:
        response = client.get(url)
        if response.status_code == 404:
            return "404"
        assert response.status_code == 200, (url, response.status_code)
        found |= markers_in(json.dumps(response.json()))
        url = response.json().get("next")
    return found


def photo_markers(world: World, client: Client, *, prefix: str, size: str) -> set[str] | str:
    """The markers of the updates whose photo this user can download; "404" when none can
    be reached because the network itself is hidden."""
    found: set[str] = set()
    statuses = set()
    for name, photo_id in world.photo_of.items():
        response = client.get(
            f"{prefix}/networks/{world.network.pk}/updates/photos/{photo_id}/{size}/"
        )
        statuses.add(response.status_code)
        if response.status_code == 200:
            assert response["Content-Type"] == "image/jpeg"
            cache = response["Cache-Control"]
            assert "private" in cache and "no-store" in cache, cache
            assert response.getvalue()[:2] == b"\xff\xd8"
            found.add(name)
        else:
            assert response.status_code == 404, response.status_code
    return found
