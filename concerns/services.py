"""Raising and following concerns. Every change is audited and appended to the event log."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from agencies.models import Involvement
from caregraph.models import AuditAction, Network, NetworkEventKind, Visibility
from caregraph.policy import Viewer, reviewing_lead_ids, users_who_may_see
from caregraph.services.audit import audit_record
from caregraph.services.events import network_event_append
from concerns.models import (
    Concern,
    ConcernCategory,
    ConcernStatus,
    ConcernUpdate,
    ConcernUpdateKind,
    Severity,
)
from notifications.services import notify

SEVERITIES_NEEDING_ACKNOWLEDGEMENT = {Severity.HIGH, Severity.URGENT}
DESCRIPTION_MAX = 5000


def concern_url(concern: Concern) -> str:
    return reverse("concern_detail", args=[concern.network_id, concern.pk])


def concern_event_payload(concern: Concern) -> dict[str, object]:
    """What a live client is sent: enough to list the concern, not its description."""
    return {
        "concern_id": concern.pk,
        "category": concern.category,
        "category_label": concern.get_category_display(),
        "severity": concern.severity,
        "severity_label": concern.get_severity_display(),
        "status": concern.status,
        "status_label": concern.get_status_display(),
        "raised_by": str(concern.created_by),
        "raised_at": concern.raised_at.isoformat(),
        "url": concern_url(concern),
    }


def concern_acknowledgers(concern: Concern) -> set[int]:
    """Who is asked to acknowledge: lead professionals of open involvement and the leads."""
    audience = users_who_may_see(
        network=concern.network,
        visibility=concern.visibility,
        author_id=concern.created_by_id,
        author_agency_id=concern.author_agency_id,
    )
    today = timezone.localdate()
    lead_professionals = set(
        Involvement.objects.filter(network=concern.network, lead_professional__isnull=False)
        .exclude(ended_on__lt=today)
        .values_list("lead_professional_id", flat=True)
    )
    return (lead_professionals & audience) | (
        reviewing_lead_ids(network=concern.network) & audience
    )


def _validate(
    *,
    viewer: Viewer,
    category: str,
    severity: str,
    description: str,
    visibility: str,
    happened_at: datetime.datetime | None,
) -> None:
    errors: dict[str, list[str]] = {}
    if category not in ConcernCategory.values:
        errors["category"] = ["Choose what kind of concern this is"]
    if severity not in Severity.values:
        errors["severity"] = ["Choose how serious this is"]
    if not description.strip():
        errors["description"] = ["Describe what happened"]
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = [f"Describe what happened in {DESCRIPTION_MAX} characters or fewer"]
    if visibility not in viewer.concern_visibilities_allowed():
        errors["visibility"] = ["You cannot share a concern with that audience"]
    if happened_at is not None and happened_at > timezone.now():
        errors["happened_at"] = ["When it happened must be in the past"]
    if errors:
        raise ValidationError(errors)


def concern_raise(
    *,
    network: Network,
    viewer: Viewer,
    raised_by: User,
    category: str,
    severity: str,
    description: str,
    visibility: str | None = None,
    happened_at: datetime.datetime | None = None,
) -> Concern:
    """Raises a concern about the person at the centre of the network.

    Any member, or a reviewing safeguarding lead, may raise one; family and friends raise
    them to the professionals. It is stored, audited and appended to the event log in one
    transaction; everyone who may see it is told (without its content), and high and urgent
    concerns ask the lead professionals and safeguarding leads to acknowledge them.
    """
    if not viewer.may_raise_concern:
        raise PermissionDenied("Only members of this network can raise a concern")
    visibility = visibility or Visibility.PROFESSIONALS
    _validate(
        viewer=viewer,
        category=category,
        severity=severity,
        description=description,
        visibility=visibility,
        happened_at=happened_at,
    )
    author_agency = viewer.membership.agency if viewer.membership else None
    with transaction.atomic():
        concern = Concern.objects.create(
            network=network,
            created_by=raised_by,
            author_agency=author_agency,
            category=category,
            severity=severity,
            description=description.strip(),
            happened_at=happened_at,
            visibility=visibility,
        )
        audit_record(
            actor=raised_by,
            action=AuditAction.CREATE,
            summary=f"Raised a {concern.get_severity_display().lower()} concern",
            object_type="concern",
            object_id=concern.pk,
            network=network,
        )
        network_event_append(
            network=network,
            kind=NetworkEventKind.CONCERN_RAISED,
            visibility=visibility,
            created_by_id=raised_by.pk,
            author_agency_id=concern.author_agency_id,
            payload=concern_event_payload(concern),
        )
        _notify_raised(concern)
    return concern


def _notify_raised(concern: Concern) -> None:
    audience = users_who_may_see(
        network=concern.network,
        visibility=concern.visibility,
        author_id=concern.created_by_id,
        author_agency_id=concern.author_agency_id,
    ) - {concern.created_by_id}
    leads = frozenset(reviewing_lead_ids(network=concern.network))
    asked = (
        concern_acknowledgers(concern) - {concern.created_by_id}
        if concern.severity in SEVERITIES_NEEDING_ACKNOWLEDGEMENT
        else set()
    )
    link = concern_url(concern)
    notify(
        users=User.objects.filter(pk__in=asked),
        network=concern.network,
        kind="concern.acknowledge",
        severity=concern.severity,
        text=f"A {concern.get_severity_display().lower()} concern needs your acknowledgement",
        link=link,
        dedupe_key=f"concern-{concern.pk}-raised",
        lead_ids=leads,
    )
    notify(
        users=User.objects.filter(pk__in=audience - asked),
        network=concern.network,
        kind="concern.raised",
        severity=concern.severity,
        text="A new concern was raised in a network you belong to",
        link=link,
        dedupe_key=f"concern-{concern.pk}-raised",
        lead_ids=leads,
    )


def concern_acknowledge(*, concern: Concern, viewer: Viewer, acknowledged_by: User) -> Concern:
    """A professional who may see the concern acknowledges it; the first time counts."""
    if not viewer.is_professional:
        raise PermissionDenied("Only professionals can acknowledge a concern")
    with transaction.atomic():
        locked = Concern.objects.select_for_update().get(pk=concern.pk)
        if locked.status != ConcernStatus.OPEN:
            raise ValidationError("This concern has already been acknowledged")
        locked.status = ConcernStatus.ACKNOWLEDGED
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = acknowledged_by
        locked.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
        ConcernUpdate.objects.create(
            concern=locked, kind=ConcernUpdateKind.ACKNOWLEDGED, created_by=acknowledged_by
        )
        audit_record(
            actor=acknowledged_by,
            action=AuditAction.UPDATE,
            summary="Acknowledged a concern",
            object_type="concern",
            object_id=locked.pk,
            network=locked.network,
        )
        network_event_append(
            network=locked.network,
            kind=NetworkEventKind.CONCERN_UPDATED,
            visibility=locked.visibility,
            created_by_id=locked.created_by_id,
            author_agency_id=locked.author_agency_id,
            payload=concern_event_payload(locked),
        )
    return locked
