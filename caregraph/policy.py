"""Who may see and do what. Every queryset and lookup that reaches a user passes through here.

A network is visible to its active members and to safeguarding leads of an agency involved
in it. Inside a network each shared record has a visibility:

- ``network``: every member, family too;
- ``professionals``: professional members and reviewing safeguarding leads;
- ``agency``: professionals of the author's agency (members or its safeguarding leads);
- ``restricted``: the author and reviewing safeguarding leads.

What a user may not see is absent: lists leave it out and lookups raise the same 404 as for
something that does not exist, so that its existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agencies.models import Involvement, StaffMembership, StaffRole
from caregraph.models import MemberKind, Membership, MembershipStatus, Network, Visibility

AnyUser = AbstractBaseUser | AnonymousUser
RecordModel = TypeVar("RecordModel", bound=Model)


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
    def may_manage_members(self) -> bool:
        return self.is_coordinator

    @property
    def is_the_person(self) -> bool:
        return self.membership is not None and self.membership.kind == MemberKind.PERSON

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


MATCH_REVIEWER_ROLES = (StaffRole.SAFEGUARDING_LEAD, StaffRole.AGENCY_ADMIN)


def user_is_agency_staff(*, user: AnyUser) -> bool:
    """Active staff of any agency: they may register people and must use two-factor sign-in."""
    if not user.is_authenticated:
        return False
    return StaffMembership.objects.filter(user_id=user.pk, is_active=True).exists()


def user_may_register_people(*, user: AnyUser) -> bool:
    return user_is_agency_staff(user=user)


def user_may_review_matches(*, user: AnyUser) -> bool:
    """Safeguarding leads and agency admins review possible matches; nobody else does."""
    if not user.is_authenticated:
        return False
    return StaffMembership.objects.filter(
        user_id=user.pk, role__in=MATCH_REVIEWER_ROLES, is_active=True
    ).exists()


def _involved_agency_ids_by_network(network_ids: list[int]) -> dict[int, set[int]]:
    """For each network, the agencies involved now: open involvement or a member acting."""
    today = timezone.localdate()
    involved: dict[int, set[int]] = {network_id: set() for network_id in network_ids}
    rows = list(
        Involvement.objects.filter(network_id__in=network_ids)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .values_list("network_id", "agency_id")
    ) + list(
        Membership.objects.filter(
            network_id__in=network_ids, status=MembershipStatus.ACTIVE, agency__isnull=False
        ).values_list("network_id", "agency_id")
    )
    for network_id, agency_id in rows:
        involved[network_id].add(agency_id)
    return involved


def _involved_agency_ids(network_id: int) -> set[int]:
    return _involved_agency_ids_by_network([network_id])[network_id]


def user_is_safeguarding_lead(*, user: AnyUser) -> bool:
    if not user.is_authenticated:
        return False
    return StaffMembership.objects.filter(
        user_id=user.pk, role=StaffRole.SAFEGUARDING_LEAD, is_active=True
    ).exists()


def _agency_involved(agency_ids: QuerySet[Any, Any] | frozenset[int] | set[int]) -> Q:
    """Networks where one of the agencies is involved now: open involvement, or a member
    acting for it."""
    today = timezone.localdate()
    via_involvement = Involvement.objects.filter(
        network_id=OuterRef("pk"), agency_id__in=agency_ids
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
    via_member = Membership.objects.filter(
        network_id=OuterRef("pk"), status=MembershipStatus.ACTIVE, agency_id__in=agency_ids
    )
    return Q(Exists(via_involvement)) | Q(Exists(via_member))


def networks_reviewed_by(*, user: AnyUser) -> QuerySet[Network]:
    """Networks the user reviews as a safeguarding lead of an agency involved in them."""
    if not user.is_authenticated:
        return Network.objects.none()
    lead_agencies = StaffMembership.objects.filter(
        user_id=user.pk, role=StaffRole.SAFEGUARDING_LEAD, is_active=True
    ).values("agency_id")
    return Network.objects.filter(_agency_involved(lead_agencies))


def networks_visible_to(*, user: AnyUser) -> QuerySet[Network]:
    """Networks where the user is an active member or a safeguarding lead of an involved agency."""
    if not user.is_authenticated:
        return Network.objects.none()
    lead_agencies = StaffMembership.objects.filter(
        user_id=user.pk, role=StaffRole.SAFEGUARDING_LEAD, is_active=True
    ).values("agency_id")
    member = Membership.objects.filter(
        network_id=OuterRef("pk"), user_id=user.pk, status=MembershipStatus.ACTIVE
    )
    return Network.objects.filter(Q(Exists(member)) | _agency_involved(lead_agencies))


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
    staff = list(
        StaffMembership.objects.filter(user_id=user.pk, is_active=True).values_list(
            "agency_id", "role"
        )
    )
    staff_agency_ids = frozenset(agency_id for agency_id, _ in staff)
    lead_agency_ids = {a for a, role in staff if role == StaffRole.SAFEGUARDING_LEAD}
    involved = _involved_agency_ids_by_network(network_ids) if lead_agency_ids else {}
    viewers = {}
    for network_id in network_ids:
        membership = memberships.get(network_id)
        reviewing = frozenset(lead_agency_ids & involved.get(network_id, set()))
        if membership is None and not reviewing:
            continue
        agency_ids = staff_agency_ids
        if membership is not None and membership.agency_id:
            agency_ids = agency_ids | {membership.agency_id}
        viewers[network_id] = Viewer(
            user_id=user.pk,
            network_id=network_id,
            membership=membership,
            agency_ids=frozenset(agency_ids),
            reviewing_lead_agency_ids=reviewing,
        )
    return viewers


def viewer_for(*, user: AnyUser, network: Network) -> Viewer | None:
    """The user's standing in the network, or None when they may not see it at all."""
    return viewers_for_user(user=user, networks=[network]).get(network.pk)


def network_get_for_user(*, user: AnyUser, network_id: int | str) -> tuple[Network, Viewer]:
    """The network and the user's standing in it; 404 for "not there" and "not yours" alike."""
    try:
        network = Network.objects.select_related("person").get(pk=int(network_id))
    except (Network.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such network") from missing
    viewer = viewer_for(user=user, network=network)
    if viewer is None:
        raise Http404("No such network")
    return network, viewer


def visibility_filter(
    *, viewer: Viewer, author_field: str = "created_by", agency_field: str = "author_agency"
) -> Q:
    """The Q that keeps only the records of one network this viewer may see."""
    # Everyone sees what they wrote themselves, whatever its visibility.
    allowed = Q(visibility=Visibility.NETWORK) | Q(**{f"{author_field}_id": viewer.user_id})
    if not viewer.is_professional:
        return allowed
    allowed |= Q(visibility=Visibility.PROFESSIONALS)
    allowed |= Q(visibility=Visibility.AGENCY, **{f"{agency_field}__in": viewer.agency_ids})
    if viewer.is_reviewing_lead:
        allowed |= Q(visibility=Visibility.RESTRICTED)
    else:
        allowed |= Q(visibility=Visibility.RESTRICTED, **{f"{author_field}_id": viewer.user_id})
    return allowed


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
    except (queryset.model.DoesNotExist, ValueError, TypeError) as missing:  # type: ignore[attr-defined]
        raise Http404("Not found") from missing


def reviewing_lead_ids(*, network: Network) -> set[int]:
    """Safeguarding leads of the agencies involved in a network."""
    return set(
        StaffMembership.objects.filter(
            role=StaffRole.SAFEGUARDING_LEAD,
            is_active=True,
            agency_id__in=_involved_agency_ids(network.pk),
        ).values_list("user_id", flat=True)
    )


def users_who_may_see(
    *, network: Network, visibility: str, author_id: int | None, author_agency_id: int | None
) -> set[int]:
    """The ids of every user who may see a record of this visibility in this network.

    The same rules as `visibility_filter`, turned round: used to address notifications, so
    nobody is told of a record they could not open.
    """
    members = Membership.objects.filter(network=network, status=MembershipStatus.ACTIVE)
    professionals = members.filter(kind=MemberKind.PROFESSIONAL)
    lead_ids = reviewing_lead_ids(network=network)
    author = {author_id} if author_id is not None else set()
    if visibility == Visibility.NETWORK:
        return set(members.values_list("user_id", flat=True)) | lead_ids
    if visibility == Visibility.PROFESSIONALS:
        return set(professionals.values_list("user_id", flat=True)) | lead_ids | author
    if visibility == Visibility.AGENCY:
        if author_agency_id is None:
            return author
        agency_staff = StaffMembership.objects.filter(agency_id=author_agency_id, is_active=True)
        same_agency = set(
            professionals.filter(agency_id=author_agency_id).values_list("user_id", flat=True)
        ) | set(
            agency_staff.filter(user_id__in=professionals.values("user_id")).values_list(
                "user_id", flat=True
            )
        )
        agency_leads = lead_ids & set(
            agency_staff.filter(role=StaffRole.SAFEGUARDING_LEAD).values_list("user_id", flat=True)
        )
        return same_agency | agency_leads | author
    if visibility == Visibility.RESTRICTED:
        return lead_ids | author
    return set()


# =============================================================================================
# Two-factor sign-in: who must use it, and whether a credential meets that duty.
#
# Every way in asks here each time it is used: a page or an API call on a web session
# (accounts.middleware), an API token (api.authentication) and a WebSocket, which rides on
# the session (caregraph.consumers, accounts.consumers). A credential is checked when it is
# used, not only when it was issued, so a user who becomes agency staff, or whose
# authenticator app is removed, is held to the duty at their next request.
#
# This section stands apart from the access rules above, with its own imports.
# =============================================================================================

from enum import Enum  # noqa: E402

from allauth.mfa.models import Authenticator  # noqa: E402


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
