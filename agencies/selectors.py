"""Reads of agencies, their staff and their involvement, each already narrowed by the access
policy where it needs one."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from agencies.models import Agency, Involvement, StaffMembership
from caregraph.policy import Viewer, involvement_open_now, record_get_for_viewer, records_visible_to


def agency_list() -> QuerySet[Agency]:
    return Agency.objects.order_by("name", "pk")


def agency_staff_list(*, agency: Agency) -> QuerySet[StaffMembership]:
    """An agency's current staff, by name: for other agency staff to find a colleague."""
    return (
        StaffMembership.objects.filter(agency=agency, is_active=True)
        .select_related("user")
        .order_by("user__display_name", "pk")
    )


def staff_membership_list_for_user(*, user: User) -> QuerySet[StaffMembership]:
    """The agencies the user works for now, with each agency."""
    return StaffMembership.objects.filter(user=user, is_active=True).select_related("agency")


def involvement_list(*, viewer: Viewer, include_closed: bool = True) -> QuerySet[Involvement]:
    involvements = records_visible_to(Involvement.objects.all(), viewer=viewer).select_related(
        "agency", "lead_professional"
    )
    if not include_closed:
        involvements = involvements.filter(involvement_open_now())
    return involvements.order_by("ended_on", "-started_on", "pk")


def involvement_get_for_viewer(*, viewer: Viewer, involvement_id: int | str) -> Involvement:
    """One involvement the viewer may see; 404 for "not there" and "not yours"."""
    return record_get_for_viewer(
        Involvement.objects.select_related("agency", "lead_professional"),
        viewer=viewer,
        record_id=involvement_id,
    )


def involvement_prefetch() -> Prefetch:
    return Prefetch("involvements", queryset=Involvement.objects.select_related("agency"))


INVOLVEMENT_ROW_FIELDS = (
    "pk",
    "agency_id",
    "agency__name",
    "service",
    "lead_professional_id",
    "lead_professional__display_name",
    "contact_name",
    "contact_phone",
    "contact_email",
    "started_on",
    "ended_on",
    "visibility",
)


def involvement_rows(*, viewer: Viewer, include_closed: bool = True) -> list[dict[str, object]]:
    """`involvement_list` as plain rows, for pages that only show it (the overview)."""
    return list(
        involvement_list(viewer=viewer, include_closed=include_closed).values(
            *INVOLVEMENT_ROW_FIELDS
        )
    )
