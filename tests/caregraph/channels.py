"""A network with one user in each role and, for every visibility, one record of each kind a
member may be shown (an involvement, a concern, a calendar event and a professional's
membership), each carrying a marker that no other record carries. Then every channel that
reaches a user is read as the set of markers it shows, and compared with an oracle written
here from the design's table, not from the policy.

Used by `test_policy_channels` (pages, API, audit, feeds, notifications, e-mail) and by the
live stream's replay matrix in `tests/realtime`.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field

from django.test import Client, TestCase
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency, Involvement, StaffRole
from agencies.services import involvement_create, involvement_end, involvement_update
from calendars.models import CalendarEvent, EventKind
from calendars.services.events import event_create, event_update
from calendars.services.feed_tokens import feed_token_create
from caregraph.models import MemberKind, Membership, Network, Severity, Visibility
from caregraph.policy import viewer_for
from caregraph.services.audit import audit_record
from caregraph.services.networks import membership_end, membership_visibility_set
from concerns.models import ConcernCategory
from concerns.services import concern_raise, concern_update_add
from notifications.models import Notification, OutboxMessage
from tests.factories import AgencyFactory, UserFactory, staff_create, totp_enrol
from tests.networks import member_add, network_create, viewer, works_for

VISIBILITIES = list(Visibility.values)
KINDS = ("Inv", "Con", "Evt", "Mem", "Not")
ROLES = [
    "author",
    "person",
    "family",
    "friend",
    "practitioner_same_agency",
    "practitioner_other_agency",
    "lead_of_involved_agency",
    "lead_via_involvement",
    "lead_of_uninvolved_agency",
    "non_member",
]
PROFESSIONAL_ROLES = {
    "author",
    "practitioner_same_agency",
    "practitioner_other_agency",
    "lead_of_involved_agency",
    "lead_via_involvement",
}
LEADS = {"lead_of_involved_agency", "lead_via_involvement"}
AGENCY_A = {"author", "practitioner_same_agency", "lead_of_involved_agency"}
AUDIT_READERS = {"author", "person"} | LEADS
# The next visibility round the circle: each record is narrowed or widened by one step.
ROTATED = dict(zip(VISIBILITIES, VISIBILITIES[1:] + VISIBILITIES[:1], strict=True))


def marker(kind: str, visibility: str) -> str:
    return f"{kind}{visibility.upper()}"


ALL_MARKERS = {marker(kind, v) for kind in KINDS for v in VISIBILITIES}


@dataclass
class ChannelWorld:
    network: Network
    users: dict[str, User]
    agency_a: Agency
    agency_d: Agency
    involvement_d: Involvement
    # The current visibility of each marked record, and what each record is in the store.
    visibility_of: dict[str, str] = field(default_factory=dict)
    ids: dict[tuple[str, int], str] = field(default_factory=dict)
    records: dict[str, object] = field(default_factory=dict)
    without_access: set[str] = field(default_factory=set)

    def user(self, role: str) -> User:
        return self.users[role]


def _standing(world: ChannelWorld, user: User):  # type: ignore[no-untyped-def]
    return viewer(world.network, user)


def channel_world_build() -> ChannelWorld:
    """Records are written by "author", a practitioner of agency A who coordinates and also
    works for agency D, whose involvement (and nothing else) makes D's safeguarding lead a
    reviewer. Each professional member is of agency A and known to one visibility."""
    agency_a, agency_b, agency_c, agency_d = (AgencyFactory.create() for _ in range(4))
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
    users["lead_via_involvement"] = staff_create(agency=agency_d, role=StaffRole.SAFEGUARDING_LEAD)
    users["lead_of_uninvolved_agency"] = staff_create(
        agency=agency_c, role=StaffRole.SAFEGUARDING_LEAD
    )
    users["non_member"] = UserFactory.create()
    works_for(author, agency_d)
    involvement_d = involvement_create(
        network=network,
        viewer=_standing_of(network, author),
        created_by=author,
        agency=agency_d,
        service="Tenancy support",
        started_on=datetime.date(2026, 1, 5),
        visibility=Visibility.NETWORK,
    )
    world = ChannelWorld(
        network=network,
        users=users,
        agency_a=agency_a,
        agency_d=agency_d,
        involvement_d=involvement_d,
    )
    as_author = _standing_of(network, author)
    soon = timezone.now() + datetime.timedelta(days=3)
    for v in VISIBILITIES:
        involvement = involvement_create(
            network=network,
            viewer=as_author,
            created_by=author,
            agency=agency_a,
            service=f"Service {marker('Inv', v)}",
            started_on=datetime.date(2026, 1, 5),
            visibility=v,
        )
        # Notifications are handed out after commit: run what waits for it.
        with TestCase.captureOnCommitCallbacks(execute=True):
            concern = concern_raise(
                network=network,
                viewer=as_author,
                raised_by=author,
                category=ConcernCategory.NEGLECT,
                severity=Severity.MEDIUM,
                description=f"Seen {marker('Con', v)} at the door",
                visibility=v,
            )
            # A note a safeguarding lead adds under the concern: its author is the lead, so
            # the concern's author sees it only where its visibility lets them, not as its
            # author.
            note = concern_update_add(
                concern=concern,
                viewer=_standing_of(network, users["lead_of_involved_agency"]),
                added_by=users["lead_of_involved_agency"],
                text=f"Looked into {marker('Not', v)}",
            )
        event = event_create(
            network=network,
            viewer=as_author,
            created_by=author,
            title=f"Visit {marker('Evt', v)}",
            kind=EventKind.APPOINTMENT,
            start=soon,
            end=soon + datetime.timedelta(hours=1),
            visibility=v,
        )
        hidden = member_add(
            network,
            kind=MemberKind.PROFESSIONAL,
            user=works_for(
                UserFactory.create(display_name=f"{marker('Mem', v)} Officer"), agency_a
            ),
            agency=agency_a,
        )
        member_user = hidden.user
        totp_enrol(member_user)
        membership_visibility_set(
            membership=hidden,
            visibility=v,
            changed_by=member_user,
            viewer=_standing_of(network, member_user),
        )
        # They look at the record, so they are actors in its audit trail.
        audit_record(
            actor=member_user,
            action="view",
            summary="Viewed the overview",
            object_type="network",
            object_id=network.pk,
            network=network,
        )
        for kind, record in (
            ("Inv", involvement),
            ("Con", concern),
            ("Evt", event),
            ("Mem", hidden),
            ("Not", note),
        ):
            world.visibility_of[marker(kind, v)] = v
            world.records[marker(kind, v)] = record
            world.ids[(_type_of(kind), record.pk)] = marker(kind, v)  # type: ignore[attr-defined]
    for user in users.values():
        if user.staff_memberships.exists():
            totp_enrol(user)
    return world


def _standing_of(network: Network, user: User):  # type: ignore[no-untyped-def]
    standing = viewer_for(user=user, network=network)
    assert standing is not None
    return standing


def _type_of(kind: str) -> str:
    return {
        "Inv": "involvement",
        "Con": "concern",
        "Evt": "calendar_event",
        "Mem": "membership",
        "Not": "concern_update",
    }[kind]


# --- Changes after the records were written -------------------------------------------------


def records_rotate(world: ChannelWorld) -> None:
    """Narrows or widens every involvement, event and membership by one step, through the
    same services people use (concerns keep the visibility they were raised with)."""
    author = world.user("author")
    for name, record in list(world.records.items()):
        old = world.visibility_of[name]
        new = ROTATED[old]
        if isinstance(record, Involvement):
            record.refresh_from_db()
            involvement_update(
                involvement=record,
                viewer=_standing_of(world.network, author),
                updated_by=author,
                service=record.service,
                started_on=record.started_on,
                ended_on=record.ended_on,
                lead_professional=record.lead_professional,
                contact_name=record.contact_name,
                contact_phone=record.contact_phone,
                contact_email=record.contact_email,
                visibility=new,
            )
        elif isinstance(record, CalendarEvent):
            record.refresh_from_db()
            event_update(
                event=record,
                viewer=_standing_of(world.network, author),
                updated_by=author,
                title=record.title,
                kind=record.kind,
                start=record.start,
                end=record.end,
                all_day=record.all_day,
                timezone_name=record.timezone,
                location=record.location,
                notes=record.notes,
                visibility=new,
                rrule=record.rrule,
            )
        elif isinstance(record, Membership):
            record.refresh_from_db()
            membership_visibility_set(
                membership=record,
                visibility=new,
                changed_by=record.user,
                viewer=_standing_of(world.network, record.user),
            )
        else:
            continue
        world.visibility_of[name] = new


def family_leaves(world: ChannelWorld) -> None:
    family = world.user("family")
    membership = Membership.objects.get(network=world.network, user=family, status="active")
    membership_end(
        membership=membership, ended_by=family, viewer=_standing_of(world.network, family)
    )
    world.without_access.add("family")


def involvement_d_ends(world: ChannelWorld) -> None:
    author = world.user("author")
    involvement_end(
        involvement=world.involvement_d,
        viewer=_standing_of(world.network, author),
        ended_by=author,
        ended_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    world.without_access.add("lead_via_involvement")


SCENARIOS = {
    "as_written": lambda world: None,
    "narrowed_and_widened": records_rotate,
    "after_a_member_left": family_leaves,
    "after_an_involvement_ended": involvement_d_ends,
}


# --- The oracle -----------------------------------------------------------------------------


def may_see(role: str, *, kind: str, visibility: str) -> bool:
    """The design's table. Records are written by "author" (agency A); a membership's author
    is the member themself (agency A), who is none of the roles, and a note's the lead of
    agency A."""
    authored_by_role = kind not in ("Mem", "Not")
    if visibility == Visibility.NETWORK:
        return True
    if visibility == Visibility.PROFESSIONALS:
        return role in PROFESSIONAL_ROLES
    if visibility == Visibility.AGENCY:
        return role in AGENCY_A
    # restricted
    return role in LEADS or (authored_by_role and role == "author")


def has_access(world: ChannelWorld, role: str) -> bool:
    return role not in {"lead_of_uninvolved_agency", "non_member"} | world.without_access


def expected(world: ChannelWorld, role: str, kinds: tuple[str, ...]) -> set[str] | str:
    """The markers of these kinds a role is shown, or "404" where the network is hidden."""
    if not has_access(world, role):
        return "404"
    return {
        name
        for name, visibility in world.visibility_of.items()
        if name[:3] in kinds and may_see(role, kind=name[:3], visibility=visibility)
    }


# --- Reading a channel as markers -----------------------------------------------------------

MARKER = re.compile(r"(?:Inv|Con|Evt|Mem|Not)(?:NETWORK|PROFESSIONALS|AGENCY|RESTRICTED)")


def markers_in(text: str) -> set[str]:
    return set(MARKER.findall(text))


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_markers(world: ChannelWorld, user: User, path: str) -> set[str] | str:
    response = signed_in(user).get(path.format(network=world.network.pk))
    if response.status_code == 404:
        return "404"
    assert response.status_code == 200, (path, response.status_code)
    return markers_in(response.content.decode())


def api_markers(world: ChannelWorld, user: User, path: str) -> set[str] | str:
    """Every marker in every page of an API list, and records named by type and id."""
    url: str | None = f"/api/v1/networks/{world.network.pk}/{path}"
    found: set[str] = set()
    client = signed_in(user)
    while url:
        response = client.get(url)
        if response.status_code == 404:
            return "404"
        if response.status_code == 403:
            return "refused"
        assert response.status_code == 200, (url, response.status_code)
        body = response.json()
        found |= markers_in(json.dumps(body))
        for row in body.get("results", []):
            ref = (row.get("object_type"), _int(row.get("object_id")))
            if ref in world.ids:
                found.add(world.ids[ref])  # type: ignore[index]
        url = body.get("next")
    return found


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def concern_markers_of_links(world: ChannelWorld, texts: list[str]) -> set[str]:
    found = set()
    for text in texts:
        for concern_id in re.findall(r"concerns/(\d+)/", text):
            name = world.ids.get(("concern", int(concern_id)))
            if name:
                found.add(name)
    return found


def notification_markers(
    world: ChannelWorld, user: User, kinds: tuple[str, ...] | None = None
) -> set[str]:
    notifications = Notification.objects.filter(user=user)
    if kinds is not None:
        notifications = notifications.filter(kind__in=kinds)
    links = list(notifications.values_list("link", flat=True))
    return concern_markers_of_links(world, links)


def email_markers(world: ChannelWorld, user: User) -> set[str]:
    bodies = list(OutboxMessage.objects.filter(user=user).values_list("body", flat=True))
    found = concern_markers_of_links(world, bodies)
    return found | markers_in(" ".join(bodies))


def concern_history_markers(world: ChannelWorld, user: User) -> set[str] | str:
    """Every entry of every concern's history the user may read, through the API."""
    concerns = api_markers(world, user, "concerns/")
    if isinstance(concerns, str):
        return concerns
    client = signed_in(user)
    found: set[str] = set()
    for name in concerns:
        record = world.records[name]
        response = client.get(
            f"/api/v1/networks/{world.network.pk}/concerns/{record.pk}/updates/"  # type: ignore[attr-defined]
        )
        assert response.status_code == 200
        found |= markers_in(response.content.decode())
    return found


def feed_markers(world: ChannelWorld, user: User) -> set[str]:
    token = feed_token_create(user=user)
    response = Client().get(f"/calendar/feeds/{token}.ics")
    assert response.status_code == 200
    return markers_in(response.content.decode())
