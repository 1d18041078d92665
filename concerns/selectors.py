"""Reading concerns and alerts. Every list and lookup passes through the access policy."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from agencies.models import Involvement, StaffMembership, StaffRole
from caregraph.models import Membership, MembershipStatus, Network
from caregraph.policy import AnyUser, Viewer, record_get_for_viewer, records_visible_to
from concerns.models import Concern, ConcernUpdate, CumulativeAlert

CONCERN_RELATED = ("created_by", "author_agency", "acknowledged_by", "escalated_to_agency")


def concern_list_visible_to(
    *,
    viewer: Viewer,
    status: str | None = None,
    severity: str | None = None,
    category: str | None = None,
) -> QuerySet[Concern]:
    """The concerns of the viewer's network that they may see, newest first.

    What they may not see is left out, not marked: its existence does not leak.
    """
    concerns = records_visible_to(Concern.objects.select_related(*CONCERN_RELATED), viewer=viewer)
    if status:
        concerns = concerns.filter(status=status)
    if severity:
        concerns = concerns.filter(severity=severity)
    if category:
        concerns = concerns.filter(category=category)
    return concerns.order_by("-raised_at", "-pk")


def concern_get_for_viewer(*, viewer: Viewer, concern_id: int | str) -> Concern:
    """One concern the viewer may see; 404 alike for "not there" and "not yours"."""
    return record_get_for_viewer(
        Concern.objects.select_related(*CONCERN_RELATED), viewer=viewer, record_id=concern_id
    )


def concern_history(*, concern: Concern) -> QuerySet[ConcernUpdate]:
    """A concern's history, oldest first. Whoever may see the concern may see its history."""
    return (
        ConcernUpdate.objects.filter(concern=concern)
        .select_related("created_by")
        .order_by("created_at", "pk")
    )


def _networks_reviewed_by(*, user_id: int) -> QuerySet[Network]:
    """Networks the user reviews as a safeguarding lead of an agency involved in them.

    The same test as `caregraph.policy.viewer_for` makes for `is_reviewing_lead`: an open
    involvement of the lead's agency, or an active member acting for it.
    """
    lead_agencies = StaffMembership.objects.filter(
        user_id=user_id, role=StaffRole.SAFEGUARDING_LEAD, is_active=True
    ).values("agency_id")
    today = timezone.localdate()
    via_involvement = Involvement.objects.filter(
        network_id=OuterRef("pk"), agency_id__in=lead_agencies
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
    via_member = Membership.objects.filter(
        network_id=OuterRef("pk"), status=MembershipStatus.ACTIVE, agency_id__in=lead_agencies
    )
    return Network.objects.filter(Exists(via_involvement) | Exists(via_member))


def alert_list_for_leads(
    *, user: AnyUser, is_open: bool | None = None
) -> QuerySet[CumulativeAlert]:
    """Cumulative concern alerts of the networks the user reviews as a safeguarding lead,
    newest first, each with how many concerns it gathers. Empty for anyone else."""
    if not user.is_authenticated or user.pk is None:
        return CumulativeAlert.objects.none()
    alerts = CumulativeAlert.objects.filter(network__in=_networks_reviewed_by(user_id=user.pk))
    if is_open is not None:
        alerts = alerts.filter(acknowledged_at__isnull=is_open)
    return (
        alerts.select_related("network__person")
        .annotate(concern_count=Count("concerns"))
        .order_by("-created_at", "-pk")
    )


def user_is_safeguarding_lead(*, user: AnyUser) -> bool:
    if not user.is_authenticated:
        return False
    return StaffMembership.objects.filter(
        user_id=user.pk, role=StaffRole.SAFEGUARDING_LEAD, is_active=True
    ).exists()
