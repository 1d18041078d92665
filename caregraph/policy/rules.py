"""Who may change an agency's involvement, and who may know a member is in a network."""

from __future__ import annotations

from django.db.models import Q

from agencies.models import Involvement
from caregraph.models import (
    Membership,
)
from caregraph.policy.audiences import Viewer, visibility_filter

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


def work_contact_may_be_shown(*, viewer: Viewer, membership: Membership) -> bool:
    """Whether the viewer may see a member's work phone and work e-mail.

    A coordinating professional's work contact is shown to everyone in the network who may
    know they are there, so the family know whom to call; other professionals' to the
    professionals. A member's personal contact (their account's own phone and e-mail) is
    never shown to other members by any rule here.
    """
    if not membership.is_professional or membership.agency_id is None:
        return False
    if not viewer.may_see(
        visibility=membership.visibility,
        author_id=membership.user_id,
        author_agency_id=membership.agency_id,
    ):
        return False
    return membership.is_coordinator or viewer.is_professional
