"""Reading concerns and alerts. Every list and lookup passes through the access policy."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from caregraph.policy import (
    AnyUser,
    Viewer,
    audit_object_rule,
    ids_as_text,
    networks_reviewed_by,
    record_get_for_viewer,
    records_visible_to,
    visibility_filter,
)
from concerns.models import (
    Concern,
    ConcernStatus,
    ConcernUpdate,
    ConcernUpdateKind,
    CumulativeAlert,
)

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


def concern_update_list_visible_to(*, viewer: Viewer) -> QuerySet[ConcernUpdate]:
    """Entries in the history of the concerns the viewer may see, that they may read: an
    entry has its own visibility within its concern's (see `ConcernUpdate`)."""
    return ConcernUpdate.objects.filter(
        concern__in=records_visible_to(Concern.objects.all(), viewer=viewer).values("pk")
    ).filter(visibility_filter(viewer=viewer))


def concern_history(*, concern: Concern, viewer: Viewer) -> QuerySet[ConcernUpdate]:
    """A concern's history as the viewer may read it, oldest first."""
    return (
        concern_update_list_visible_to(viewer=viewer)
        .filter(concern=concern)
        .select_related("created_by")
        .order_by("created_at", "pk")
    )


def concern_outcomes_for_viewer(*, concerns: list[Concern], viewer: Viewer) -> dict[int, str]:
    """The outcomes of these concerns that the viewer may read, by concern id, in one query."""
    closed = [concern.pk for concern in concerns if concern.status == ConcernStatus.CLOSED]
    if not closed:
        return {}
    closings = (
        concern_update_list_visible_to(viewer=viewer)
        .filter(concern_id__in=closed, kind=ConcernUpdateKind.CLOSED)
        .order_by("concern_id", "created_at", "pk")
        .values_list("concern_id", "text")
    )
    return dict(closings)


@audit_object_rule("concern")
def _audit_concerns(viewer: Viewer) -> QuerySet[Any, Any]:
    return ids_as_text(records_visible_to(Concern.objects.all(), viewer=viewer))


@audit_object_rule("cumulative_alert")
def _audit_alerts(viewer: Viewer) -> QuerySet[Any, Any]:
    alerts = CumulativeAlert.objects.filter(network_id=viewer.network_id)
    return ids_as_text(alerts if viewer.is_reviewing_lead else alerts.none())


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


def concern_count_open_visible_to(*, viewer: Viewer) -> int:
    """Open concerns about the person that this viewer may see."""
    return (
        records_visible_to(Concern.objects.all(), viewer=viewer)
        .exclude(status__in=[ConcernStatus.CLOSED, ConcernStatus.WITHDRAWN])
        .count()
    )
