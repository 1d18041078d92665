"""Who may see and do what. Every queryset and lookup that reaches a user passes through here.

A network is visible to its active members and to safeguarding leads of an agency involved
in it. Inside a network each shared record has a visibility:

- ``network``: every member, family too;
- ``professionals``: professional members and reviewing safeguarding leads;
- ``agency``: professionals of the author's agency (members or its safeguarding leads);
- ``restricted``: the author and reviewing safeguarding leads.

The rule from a visibility to its audience is written once, as audiences: a record is
addressed to a few audiences (`record_audiences`), a user in a network belongs to a few
(`Viewer.audiences`), and the user may see the record when the two meet. The database
filter (`visibility_filter`), the live stream's groups (`caregraph.realtime`) and the
addressing of notifications (`users_who_may_see`) are all derived from that one table.

What a user may not see is absent: lists leave it out and lookups raise the same 404 as for
something that does not exist, so that its existence does not leak.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from functools import reduce
from operator import or_
from typing import Any, TypeVar

from allauth.mfa.models import Authenticator
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Exists, Model, OuterRef, Q, QuerySet, When
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency, Involvement, StaffMembership, StaffRole
from caregraph.models import (
    AuditEvent,
    MemberKind,
    Membership,
    MembershipStatus,
    Network,
    Visibility,
)

AnyUser = AbstractBaseUser | AnonymousUser
RecordModel = TypeVar("RecordModel", bound=Model)

# --- Audiences: the one rule from a visibility to who may see -------------------------------

EVERYONE = "everyone"
PROFESSIONALS = "professionals"
LEADS = "leads"
# Placeholders in the table below, filled in from each record.
AUTHOR = "{author}"
AUTHOR_AGENCY = "{author_agency}"

VISIBILITY_AUDIENCES: dict[str, tuple[str, ...]] = {
    Visibility.NETWORK: (EVERYONE,),
    Visibility.PROFESSIONALS: (PROFESSIONALS, AUTHOR),
    Visibility.AGENCY: (AUTHOR_AGENCY, AUTHOR),
    Visibility.RESTRICTED: (LEADS, AUTHOR),
}


def user_audience(user_id: int) -> str:
    return f"user-{user_id}"


def agency_audience(agency_id: int) -> str:
    return f"agency-{agency_id}"


def record_audiences(
    *, visibility: str, author_id: int | None, author_agency_id: int | None
) -> frozenset[str]:
    """The audiences a record of this visibility, author and author agency is shown to."""
    audiences = set()
    for part in VISIBILITY_AUDIENCES.get(visibility, ()):
        if part == AUTHOR:
            if author_id is not None:
                audiences.add(user_audience(author_id))
        elif part == AUTHOR_AGENCY:
            if author_agency_id is not None:
                audiences.add(agency_audience(author_agency_id))
        else:
            audiences.add(part)
    return frozenset(audiences)


@dataclass(frozen=True)
class Viewer:
    """One user's standing in one network, worked out once per request."""

    user_id: int
    network_id: int
    membership: Membership | None
    agency_ids: frozenset[int]
    reviewing_lead_agency_ids: frozenset[int]

    @property
    def is_member(self) -> bool:
        return self.membership is not None

    @property
    def is_reviewing_lead(self) -> bool:
        return bool(self.reviewing_lead_agency_ids)

    @property
    def is_professional(self) -> bool:
        member_is_professional = (
            self.membership is not None and self.membership.kind == MemberKind.PROFESSIONAL
        )
        return member_is_professional or self.is_reviewing_lead

    @property
    def is_coordinator(self) -> bool:
        return self.membership is not None and self.membership.is_coordinator

    @property
    def is_the_person(self) -> bool:
        return self.membership is not None and self.membership.kind == MemberKind.PERSON

    @property
    def audiences(self) -> frozenset[str]:
        """The audiences this user belongs to in this network (see `VISIBILITY_AUDIENCES`)."""
        audiences = {EVERYONE, user_audience(self.user_id)}
        if self.is_professional:
            audiences.add(PROFESSIONALS)
            audiences |= {agency_audience(agency_id) for agency_id in self.agency_ids}
        if self.is_reviewing_lead:
            audiences.add(LEADS)
        return frozenset(audiences)

    def may_see(
        self, *, visibility: str, author_id: int | None, author_agency_id: int | None
    ) -> bool:
        """Whether a record of this visibility and author is shown to this user."""
        return bool(
            self.audiences
            & record_audiences(
                visibility=visibility, author_id=author_id, author_agency_id=author_agency_id
            )
        )

    @property
    def acting_agency_id(self) -> int | None:
        """The agency this user acts for here: their membership's, or, for a safeguarding
        lead who is not a member, the (lowest-numbered) agency they review the network for.
        Family, friends and the person act for none."""
        if self.membership is not None:
            return self.membership.agency_id
        return min(self.reviewing_lead_agency_ids, default=None)

    # What the user may do here. Rules about one kind of record that need the record live
    # in the functions further down (involvement, membership) or in an app's rules module.

    @property
    def may_manage_members(self) -> bool:
        return self.is_coordinator

    @property
    def may_view_audit(self) -> bool:
        """The person, the coordinator and reviewing safeguarding leads can see who looked."""
        return self.is_the_person or self.is_coordinator or self.is_reviewing_lead

    @property
    def may_edit_person(self) -> bool:
        """Professional members keep the person's details right; reviewing leads only read."""
        return self.is_member and self.is_professional

    @property
    def may_record(self) -> bool:
        """Professionals may record involvement and identifiers; family and friends may not."""
        return self.is_professional

    @property
    def may_raise_concern(self) -> bool:
        """Any member, or a reviewing lead, may raise a concern about the person."""
        return self.is_member or self.is_reviewing_lead

    def concern_visibilities_allowed(self) -> list[str]:
        """Family and friends raise concerns to the professionals, never to the whole network."""
        if self.is_professional:
            return list(Visibility.values)
        return [Visibility.PROFESSIONALS]

    def visibilities_allowed(self) -> list[str]:
        """The visibilities this user may give a record they write."""
        if self.is_professional:
            return list(Visibility.values)
        return [Visibility.NETWORK]


def visibility_filter(
    *, viewer: Viewer, author_field: str = "created_by", agency_field: str = "author_agency"
) -> Q:
    """The Q that keeps only the records this viewer may see, derived from
    `VISIBILITY_AUDIENCES` and the viewer's audiences."""
    audiences = viewer.audiences
    agency_ids = sorted(viewer.agency_ids) if viewer.is_professional else []
    allowed: list[Q] = []
    for visibility, parts in VISIBILITY_AUDIENCES.items():
        for part in parts:
            if part == AUTHOR:
                allowed.append(Q(visibility=visibility, **{f"{author_field}_id": viewer.user_id}))
            elif part == AUTHOR_AGENCY:
                if agency_ids:
                    allowed.append(Q(visibility=visibility, **{f"{agency_field}__in": agency_ids}))
            elif part in audiences:
                allowed.append(Q(visibility=visibility))
    return reduce(or_, allowed)


def records_visible_to(
    queryset: QuerySet[RecordModel], *, viewer: Viewer, **fields: str
) -> QuerySet[RecordModel]:
    """Narrows a queryset of one network's shared records to what the viewer may see."""
    return queryset.filter(network_id=viewer.network_id).filter(
        visibility_filter(viewer=viewer, **fields)
    )


def record_get_for_viewer(
    queryset: QuerySet[RecordModel], *, viewer: Viewer, record_id: int | str, **fields: str
) -> RecordModel:
    try:
        return records_visible_to(queryset, viewer=viewer, **fields).get(pk=int(record_id))
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError) as missing:  # type: ignore[attr-defined]
        raise Http404("Not found") from missing


# --- Agency staff ---------------------------------------------------------------------------

MATCH_REVIEWER_ROLES = (StaffRole.SAFEGUARDING_LEAD, StaffRole.AGENCY_ADMIN)


def _staff(user: AnyUser) -> QuerySet[StaffMembership]:
    if not user.is_authenticated or user.pk is None:
        return StaffMembership.objects.none()
    return StaffMembership.objects.filter(user_id=user.pk, is_active=True)


def user_is_agency_staff(*, user: AnyUser) -> bool:
    """Active staff of any agency: they register people, ask to join networks, see staff
    lists, act as professionals, and must use two-factor sign-in. The one test of it."""
    return _staff(user).exists()


def user_may_register_people(*, user: AnyUser) -> bool:
    return user_is_agency_staff(user=user)


def user_may_review_matches(*, user: AnyUser) -> bool:
    """Safeguarding leads and agency admins review possible matches; nobody else does."""
    return _staff(user).filter(role__in=MATCH_REVIEWER_ROLES).exists()


def user_is_safeguarding_lead(*, user: AnyUser) -> bool:
    return _staff(user).filter(role=StaffRole.SAFEGUARDING_LEAD).exists()


def user_agency_list(*, user: AnyUser) -> list[Agency]:
    """The agencies the user works for now, by name; empty for family, friends and the
    person."""
    return list(
        Agency.objects.filter(pk__in=_staff(user).values("agency_id")).order_by("name", "pk")
    )


def user_acting_agency(*, user: AnyUser, agency: Agency | None = None) -> Agency | None:
    """The agency a professional acts for outside any one network (registering someone,
    asking to join): the one named, which must be theirs, or their first. None for anyone
    who is not agency staff."""
    staff = _staff(user).select_related("agency")
    if agency is not None:
        if not staff.filter(agency=agency).exists():
            raise ValidationError({"agency": ["You can only act for an agency you work for"]})
        return agency
    first = staff.order_by("pk").first()
    return first.agency if first else None


def agency_staff_may_be_listed(*, user: AnyUser) -> bool:
    """Agency staff find colleagues of other agencies; nobody else sees staff lists."""
    return user_is_agency_staff(user=user)


# --- Agencies involved now ------------------------------------------------------------------


def involvement_open_now(*, prefix: str = "", today: datetime.date | None = None) -> Q:
    """Involvement that is open today: no end date, or one today or ahead."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": today})


def involvement_is_open(involvement: Involvement, *, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return involvement.ended_on is None or involvement.ended_on >= today


def involved_agency_ids_by_network(network_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each network, the agencies involved now: open involvement, or a member acting."""
    network_ids = list(network_ids)
    involved: dict[int, set[int]] = {network_id: set() for network_id in network_ids}
    rows = list(
        Involvement.objects.filter(network_id__in=network_ids)
        .filter(involvement_open_now())
        .values_list("network_id", "agency_id")
    ) + list(
        Membership.objects.filter(
            network_id__in=network_ids, status=MembershipStatus.ACTIVE, agency__isnull=False
        ).values_list("network_id", "agency_id")
    )
    for network_id, agency_id in rows:
        involved[network_id].add(agency_id)
    return involved


def networks_involving(agency_ids: QuerySet[Any, Any] | Iterable[int], *, field: str = "pk") -> Q:
    """A Q on networks (by `field`) where one of the agencies is involved now."""
    if not isinstance(agency_ids, QuerySet):
        agency_ids = list(agency_ids)
    via_involvement = Involvement.objects.filter(
        network_id=OuterRef(field), agency_id__in=agency_ids
    ).filter(involvement_open_now())
    via_member = Membership.objects.filter(
        network_id=OuterRef(field), status=MembershipStatus.ACTIVE, agency_id__in=agency_ids
    )
    return Q(Exists(via_involvement)) | Q(Exists(via_member))


# --- Networks and each user's standing in them ----------------------------------------------


def _lead_agency_ids(user: AnyUser) -> QuerySet[StaffMembership, Any]:
    return _staff(user).filter(role=StaffRole.SAFEGUARDING_LEAD).values("agency_id")


def networks_reviewed_by(*, user: AnyUser) -> QuerySet[Network]:
    """Networks the user reviews as a safeguarding lead of an agency involved in them."""
    if not user.is_authenticated:
        return Network.objects.none()
    return Network.objects.filter(networks_involving(_lead_agency_ids(user)))


def networks_visible_to(*, user: AnyUser) -> QuerySet[Network]:
    """Networks where the user is an active member or a safeguarding lead of an involved agency."""
    if not user.is_authenticated:
        return Network.objects.none()
    member = Membership.objects.filter(
        network_id=OuterRef("pk"), user_id=user.pk, status=MembershipStatus.ACTIVE
    )
    return Network.objects.filter(Q(Exists(member)) | networks_involving(_lead_agency_ids(user)))


def _viewer_make(
    *,
    user_id: int,
    network_id: int,
    membership: Membership | None,
    staff: list[tuple[int, str]],
    involved: set[int],
) -> Viewer | None:
    lead_agency_ids = {
        agency_id for agency_id, role in staff if role == StaffRole.SAFEGUARDING_LEAD
    }
    reviewing = frozenset(lead_agency_ids & involved)
    if membership is None and not reviewing:
        return None
    agency_ids = {agency_id for agency_id, _ in staff}
    if membership is not None and membership.agency_id:
        agency_ids.add(membership.agency_id)
    return Viewer(
        user_id=user_id,
        network_id=network_id,
        membership=membership,
        agency_ids=frozenset(agency_ids),
        reviewing_lead_agency_ids=reviewing,
    )


def viewers_for_user(*, user: AnyUser, networks: list[Network]) -> dict[int, Viewer]:
    """The user's standing in each of several networks, in four queries however many.

    Networks the user may not see are left out of the answer.
    """
    if not user.is_authenticated or user.pk is None or not networks:
        return {}
    network_ids = [network.pk for network in networks]
    memberships = {
        membership.network_id: membership
        for membership in Membership.objects.filter(
            network_id__in=network_ids, user_id=user.pk, status=MembershipStatus.ACTIVE
        ).select_related("agency")
    }
    staff = list(_staff(user).values_list("agency_id", "role"))
    is_lead = any(role == StaffRole.SAFEGUARDING_LEAD for _, role in staff)
    involved = involved_agency_ids_by_network(network_ids) if is_lead else {}
    viewers = {}
    for network_id in network_ids:
        found = _viewer_make(
            user_id=user.pk,
            network_id=network_id,
            membership=memberships.get(network_id),
            staff=staff,
            involved=involved.get(network_id, set()),
        )
        if found is not None:
            viewers[network_id] = found
    return viewers


def viewer_for(*, user: AnyUser, network: Network) -> Viewer | None:
    """The user's standing in the network, or None when they may not see it at all."""
    return viewers_for_user(user=user, networks=[network]).get(network.pk)


def network_get_for_user(*, user: AnyUser, network_id: int | str) -> tuple[Network, Viewer]:
    """The network and the user's standing in it; 404 for "not there" and "not yours" alike."""
    try:
        network = Network.objects.select_related("person").get(pk=int(network_id))
    except (Network.DoesNotExist, ValueError, TypeError, OverflowError) as missing:
        raise Http404("No such network") from missing
    viewer = viewer_for(user=user, network=network)
    if viewer is None:
        raise Http404("No such network")
    return network, viewer


def network_viewers(*, network_id: int) -> dict[int, Viewer]:
    """Everyone with a standing in the network (active members and reviewing safeguarding
    leads) and that standing, by user id, in three queries however many."""
    memberships = {
        membership.user_id: membership
        for membership in Membership.objects.filter(
            network_id=network_id, status=MembershipStatus.ACTIVE
        )
    }
    involved = involved_agency_ids_by_network([network_id])[network_id]
    staff: dict[int, list[tuple[int, str]]] = {}
    rows = StaffMembership.objects.filter(is_active=True).filter(
        Q(user_id__in=list(memberships))
        | Q(agency_id__in=involved, role=StaffRole.SAFEGUARDING_LEAD)
    )
    for user_id, agency_id, role in rows.values_list("user_id", "agency_id", "role"):
        staff.setdefault(user_id, []).append((agency_id, role))
    viewers = {}
    for user_id in set(memberships) | set(staff):
        found = _viewer_make(
            user_id=user_id,
            network_id=network_id,
            membership=memberships.get(user_id),
            staff=staff.get(user_id, []),
            involved=involved,
        )
        if found is not None:
            viewers[user_id] = found
    return viewers


def lead_viewer_for(*, user: AnyUser) -> Viewer | None:
    """The standing a safeguarding lead has in every network they review, for reads across
    networks (the dashboard): in each such network `viewer_for` makes them a reviewing lead
    and a professional of the agencies they work for. None for anyone else."""
    if not user.is_authenticated or user.pk is None:
        return None
    staff = list(_staff(user).values_list("agency_id", "role"))
    lead_agency_ids = frozenset(a for a, role in staff if role == StaffRole.SAFEGUARDING_LEAD)
    if not lead_agency_ids:
        return None
    return Viewer(
        user_id=user.pk,
        network_id=0,
        membership=None,
        agency_ids=frozenset(a for a, _role in staff),
        reviewing_lead_agency_ids=lead_agency_ids,
    )


def reviewing_lead_ids(*, network: Network) -> set[int]:
    """Safeguarding leads of the agencies involved in a network."""
    return set(
        StaffMembership.objects.filter(
            role=StaffRole.SAFEGUARDING_LEAD,
            is_active=True,
            agency_id__in=involved_agency_ids_by_network([network.pk])[network.pk],
        ).values_list("user_id", flat=True)
    )


def users_who_may_see(
    *, network: Network, visibility: str, author_id: int | None, author_agency_id: int | None
) -> set[int]:
    """The ids of every user with a standing in the network who may see a record of this
    visibility: the same audiences as `visibility_filter`, turned round. Used to address
    notifications and invitations, so nobody is told of a record they could not open."""
    audiences = record_audiences(
        visibility=visibility, author_id=author_id, author_agency_id=author_agency_id
    )
    return {
        user_id
        for user_id, viewer in network_viewers(network_id=network.pk).items()
        if viewer.audiences & audiences
    }


# --- Involvement ----------------------------------------------------------------------------


def involvement_may_record_for(*, viewer: Viewer, agency_id: int) -> bool:
    """A professional records involvement for an agency they work for, never another: that
    agency comes in through its own staff (an invitation, or a request to join that the
    coordinator approves), since its safeguarding leads then review the network."""
    return viewer.may_record and agency_id in viewer.agency_ids


def involvement_may_change(*, viewer: Viewer, involvement: Involvement) -> bool:
    """Only the involved agency's own professionals change its involvement: its service,
    lead, contact details, dates and who may see it."""
    return viewer.may_record and involvement.agency_id in viewer.agency_ids


def involvement_may_end(*, viewer: Viewer, involvement: Involvement) -> bool:
    """The agency's professionals, or a coordinator, may end an involvement."""
    return involvement_may_change(viewer=viewer, involvement=involvement) or (
        viewer.is_coordinator and viewer.is_professional
    )


# --- Membership -----------------------------------------------------------------------------


def membership_filter(*, viewer: Viewer) -> Q:
    """Memberships the viewer may know of. A membership has a visibility of its own, so a
    professional whose involvement is sensitive can be known to the professionals only;
    everyone always sees their own."""
    return visibility_filter(viewer=viewer, author_field="user", agency_field="agency")


def membership_visibilities_allowed(*, viewer: Viewer) -> list[str]:
    return viewer.visibilities_allowed()


def membership_may_change_visibility(*, viewer: Viewer, membership: Membership) -> bool:
    """A member may say who knows they are here; a coordinator may too, for anyone."""
    return membership.user_id == viewer.user_id or viewer.may_manage_members


# --- The audit trail ------------------------------------------------------------------------

# For each kind of audited record, the ids (as text, like AuditEvent.object_id) of those of
# one network the viewer may see. Apps add theirs in their AppConfig.ready().
AuditObjectRule = Callable[[Viewer], QuerySet[Any, Any]]
AUDIT_OBJECT_RULES: dict[str, AuditObjectRule] = {}
# Rows about the record as a whole (not about one shared record in it), and who sees them.
AUDIT_WHOLE_RECORD_TYPES: dict[str, Callable[[Viewer], bool]] = {
    "network": lambda viewer: True,
    "person": lambda viewer: True,
    "audit": lambda viewer: True,
    "calendar_feed": lambda viewer: True,
    "identifier": lambda viewer: viewer.is_professional,
    "relationship": lambda viewer: viewer.is_professional,
    "match_candidate": lambda viewer: viewer.is_professional,
    "merge": lambda viewer: viewer.is_professional,
    "invitation": lambda viewer: viewer.may_manage_members,
    "join_request": lambda viewer: viewer.may_manage_members,
}


def audit_object_rule(object_type: str) -> Callable[[AuditObjectRule], AuditObjectRule]:
    """Registers which records of one kind a viewer may see, for the audit trail."""

    def register(rule: AuditObjectRule) -> AuditObjectRule:
        AUDIT_OBJECT_RULES[object_type] = rule
        return rule

    return register


def ids_as_text(queryset: QuerySet[Any, Any]) -> QuerySet[Any, Any]:
    """A subquery of a queryset's primary keys as text, to compare with an audit row's id."""
    return queryset.annotate(id_text=Cast("pk", output_field=CharField())).values("id_text")


@audit_object_rule("involvement")
def _audit_involvements(viewer: Viewer) -> QuerySet[Any, Any]:
    return ids_as_text(records_visible_to(Involvement.objects.all(), viewer=viewer))


@audit_object_rule("membership")
def _audit_memberships(viewer: Viewer) -> QuerySet[Any, Any]:
    return ids_as_text(
        Membership.objects.filter(network_id=viewer.network_id).filter(
            membership_filter(viewer=viewer)
        )
    )


def audit_filter(*, viewer: Viewer) -> Q:
    """The audit rows of the viewer's network that name nothing the viewer may not see:
    rows about the record as a whole that their role may see, and rows about a shared record
    (a concern, an involvement, a membership…) only where they may see that record now.
    Rows of a kind nobody has a rule for are left out."""
    allowed = [
        Q(object_type=object_type)
        for object_type, may in AUDIT_WHOLE_RECORD_TYPES.items()
        if may(viewer)
    ]
    allowed += [
        Q(object_type=object_type, object_id__in=rule(viewer))
        for object_type, rule in AUDIT_OBJECT_RULES.items()
    ]
    return reduce(or_, allowed)


HIDDEN_PERSON_LABEL = "A professional"


def people_hidden_from(*, viewer: Viewer, user_ids: Iterable[int | None]) -> set[int]:
    """Of these people (who did something in the network), those the viewer may not know
    are involved: anyone with a membership here, now or before, that the viewer may not
    see, and, for family, friends and the person, any professional outside the network (a
    reviewing safeguarding lead), whose name would tell which agencies are involved. The
    viewer themself is never hidden. Pages and the API show `HIDDEN_PERSON_LABEL` instead.
    """
    user_ids = {user_id for user_id in user_ids if user_id is not None} - {viewer.user_id}
    if not user_ids:
        return set()
    rows = (
        Membership.objects.filter(network_id=viewer.network_id, user_id__in=user_ids)
        .annotate(known=Case(When(membership_filter(viewer=viewer), then=True), default=False))
        .values_list("user_id", "known")
    )
    members, known = set(), set()
    for user_id, is_known in rows:
        members.add(user_id)
        if is_known:
            known.add(user_id)
    hidden = members - known
    if not viewer.is_professional:
        hidden |= user_ids - members
    return hidden


def audit_rows_visible_to(
    queryset: QuerySet[AuditEvent], *, viewer: Viewer
) -> QuerySet[AuditEvent]:
    return queryset.filter(audit_filter(viewer=viewer))


# =============================================================================================
# Two-factor sign-in: who must use it, and whether a credential meets that duty.
#
# Every way in asks here each time it is used: a page or an API call on a web session
# (config.middleware), an API token (api.authentication) and a WebSocket, which rides on
# the session (caregraph.consumers, accounts.consumers). A credential is checked when it is
# used, not only when it was issued, so a user who becomes agency staff, or whose
# authenticator app is removed, is held to the duty at their next request.
#
# =============================================================================================


class TwoFactorShortfall(Enum):
    """Why a credential falls short of the two-factor duty."""

    # The user must use two-factor sign-in but has no authenticator app.
    NOT_SET_UP = "not_set_up"
    # The user has one, but this credential was made without a code from it: a web session
    # signed in before the app was added elsewhere, or an API token issued without a code.
    CODE_NOT_GIVEN = "code_not_given"


def user_must_use_two_factor(*, user: AnyUser) -> bool:
    """Agency staff and site operators must use an authenticator app; family may choose to."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return True
    return user_is_agency_staff(user=user)


def user_has_authenticator(*, user: AnyUser) -> bool:
    """Whether the user has an authenticator app (TOTP) to give codes from."""
    if not user.is_authenticated:
        return False
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def credential_two_factor_shortfall(
    *, user: AnyUser, code_given: bool
) -> TwoFactorShortfall | None:
    """What keeps a credential from meeting the two-factor duty; None when it meets it.

    `code_given` says whether the credential was made with a code from the user's
    authenticator app (or a recovery code): the sign-in or confirmation of a web session, or
    the request that issued an API token. Whoever must use two-factor sign-in needs both an
    authenticator app now and a credential made with its code. Everyone else meets the duty
    with any credential.
    """
    if not user_must_use_two_factor(user=user):
        return None
    if not user_has_authenticator(user=user):
        return TwoFactorShortfall.NOT_SET_UP
    if not code_given:
        return TwoFactorShortfall.CODE_NOT_GIVEN
    return None
