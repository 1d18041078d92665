"""Reads for the family-first view: who to call, and the circle of support around the person.

Both start from the members the viewer may know of (`caregraph.selectors.member_list`), so a
member kept from the viewer is in neither; the work contact beside a professional is shown
only where `caregraph.policy.work_contact_may_be_shown` allows, and a member's personal phone
and e-mail never are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from agencies.models import StaffMembership
from caregraph.models import MemberKind, Membership, Network
from caregraph.policy import Viewer, work_contact_may_be_shown
from caregraph.selectors import member_list

# The circle's drawing: a square of this many units, the person in the middle, family and
# friends on the inner ring, professionals on the outer.
CIRCLE_SIZE = 400
INNER_RADIUS = 95
OUTER_RADIUS = 165
CLOSE_KINDS = (MemberKind.FAMILY, MemberKind.FRIEND, MemberKind.VOLUNTEER)


@dataclass(frozen=True)
class Contact:
    """One member as the "Who to call" list shows them."""

    name: str
    role: str
    agency: str
    is_coordinator: bool
    is_you: bool
    work_phone: str = ""
    work_phone_link: str = ""
    work_email: str = ""


def _role(membership: Membership) -> str:
    kind = membership.get_kind_display()
    return f"{kind}: {membership.relationship}" if membership.relationship else kind


def _work_contacts(memberships: list[Membership]) -> dict[tuple[int, int], StaffMembership]:
    """The active staff record of each professional member at the agency they act for."""
    pairs = {(m.user_id, m.agency_id) for m in memberships if m.agency_id is not None}
    if not pairs:
        return {}
    rows = StaffMembership.objects.filter(
        user_id__in={user_id for user_id, _ in pairs},
        agency_id__in={agency_id for _, agency_id in pairs},
        is_active=True,
    ).order_by("pk")
    found: dict[tuple[int, int], StaffMembership] = {}
    for staff in rows:
        key = (staff.user_id, staff.agency_id)
        # A user may hold several roles at one agency: the first with a contact answers.
        if key in pairs and (
            key not in found or not (found[key].work_phone or found[key].work_email)
        ):
            found[key] = staff
    return found


def who_to_call(*, viewer: Viewer) -> list[Contact]:
    """The members the viewer may know of, coordinators first, then professionals, then
    family and friends; with a work phone and e-mail where the policy allows. Two queries."""
    memberships = [m for m in member_list(viewer=viewer) if m.kind != MemberKind.PERSON]
    staff = _work_contacts(memberships)
    contacts = []
    for membership in memberships:
        phone = email = phone_link = ""
        work = staff.get((membership.user_id, membership.agency_id or 0))
        if work is not None and work_contact_may_be_shown(viewer=viewer, membership=membership):
            if work.work_phone:
                phone = work.work_phone.as_national
                phone_link = work.work_phone.as_e164
            email = work.work_email
        contacts.append(
            Contact(
                name=str(membership.user),
                role=_role(membership),
                agency=membership.agency.name if membership.agency else "",
                is_coordinator=membership.is_coordinator,
                is_you=membership.user_id == viewer.user_id,
                work_phone=phone,
                work_phone_link=phone_link,
                work_email=email,
            )
        )
    contacts.sort(key=lambda c: (not c.is_coordinator, c.agency == "", c.is_you, c.name))
    return contacts


@dataclass(frozen=True)
class CirclePlace:
    """One member placed on the circle of support."""

    name: str
    role: str
    x: float
    y: float

    @property
    def label_y(self) -> float:
        return round(self.y + 24, 1)


@dataclass(frozen=True)
class CircleOfSupport:
    """The person at the centre, family and friends close, professionals further out."""

    person: str
    close: list[CirclePlace]
    professionals: list[CirclePlace]
    size: int = CIRCLE_SIZE
    inner_radius: int = INNER_RADIUS
    outer_radius: int = OUTER_RADIUS

    @property
    def centre(self) -> float:
        return self.size / 2


def _ring(memberships: list[Membership], *, radius: int, turn: float) -> list[CirclePlace]:
    """Spaces the members evenly round a ring, starting at the top (offset by `turn` of a
    step, so the two rings do not line up)."""
    centre = CIRCLE_SIZE / 2
    places = []
    count = len(memberships)
    for index, membership in enumerate(memberships):
        angle = 2 * math.pi * (index + turn) / count - math.pi / 2
        places.append(
            CirclePlace(
                name=str(membership.user),
                role=_role(membership),
                x=round(centre + radius * math.cos(angle), 1),
                y=round(centre + radius * math.sin(angle), 1),
            )
        )
    return places


def circle_of_support(*, viewer: Viewer, network: Network) -> CircleOfSupport:
    """The members the viewer may know of, drawn as two rings round the person. One query."""
    memberships = list(member_list(viewer=viewer))
    close = [m for m in memberships if m.kind in CLOSE_KINDS]
    professionals = [m for m in memberships if m.kind == MemberKind.PROFESSIONAL]
    return CircleOfSupport(
        person=network.person.full_name,
        close=_ring(close, radius=INNER_RADIUS, turn=0),
        professionals=_ring(professionals, radius=OUTER_RADIUS, turn=0.5),
    )
