"""Audiences: the one rule from a record's visibility to who may see it, and each user's
standing in a network (`Viewer`), with the database filter derived from them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from caregraph.models import (
    EVENT_ADDRESSED,
    MemberKind,
    Membership,
    NetworkEvent,
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


def addressed_audiences(user_ids: Iterable[int]) -> frozenset[str]:
    """The audiences of something said to a few people by name (a message in a thread): each
    of them, as themself, and nobody else — not the professionals, not the safeguarding
    leads. Every user's socket belongs to their own `user_audience`."""
    return frozenset(user_audience(user_id) for user_id in user_ids)


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
    def sees_family_view(self) -> bool:
        """Family, friends and the person are shown the family-first overview (what is coming
        up, who to call, the circle of support); professionals the record as it was."""
        return not self.is_professional

    @property
    def may_use_professional_sections(self) -> bool:
        """The concerns chronology and the network map are professionals' working tools:
        they are not offered to family, friends or the person, whose overview has the
        circle of support instead. (What the pages show each still follows the records'
        own visibility.)"""
        return self.is_professional

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


def network_events_visible_to(*, viewer: Viewer) -> QuerySet[NetworkEvent]:
    """The events of the viewer's network log they may be replayed: those of records they
    may see (by visibility, as live), and those addressed to them by name. An event
    addressed to others is never theirs, whatever their role."""
    addressed_to_viewer = NetworkEvent.addressees.through.objects.filter(
        user_id=viewer.user_id
    ).values("networkevent_id")
    return NetworkEvent.objects.filter(network_id=viewer.network_id).filter(
        visibility_filter(viewer=viewer) | Q(visibility=EVENT_ADDRESSED, pk__in=addressed_to_viewer)
    )
