"""Reading concerns and alerts. Every list and lookup passes through the access policy."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from caregraph.policy import (
    AnyUser,
    Viewer,
    networks_reviewed_by,
    record_get_for_viewer,
    records_visible_to,
    user_is_safeguarding_lead,
)
from concerns.models import Concern, ConcernStatus, ConcernUpdate, CumulativeAlert

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


def alert_list_for_leads(
    *, user: AnyUser, is_open: bool | None = None
) -> QuerySet[CumulativeAlert]:
    """Cumulative concern alerts of the networks the user reviews as a safeguarding lead,
    newest first, each with how many concerns it gathers. Empty for anyone else."""
    if not user.is_authenticated or user.pk is None:
        return CumulativeAlert.objects.none()
    alerts = CumulativeAlert.objects.filter(network__in=networks_reviewed_by(user=user))
    if is_open is not None:
        alerts = alerts.filter(acknowledged_at__isnull=is_open)
    return (
        alerts.select_related("network__person")
        .annotate(concern_count=Count("concerns"))
        .order_by("-created_at", "-pk")
    )


__all__ = ["user_is_safeguarding_lead"]


def concern_count_open_visible_to(*, viewer: Viewer) -> int:
    """Open concerns about the person that this viewer may see."""
    return (
        records_visible_to(Concern.objects.all(), viewer=viewer)
        .exclude(status__in=[ConcernStatus.CLOSED, ConcernStatus.WITHDRAWN])
        .count()
    )
