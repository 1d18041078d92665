"""Patterns across agencies that no single concern shows, worked out as each concern arrives.

When a concern is raised, the concerns about the same person raised in the window before
it (``PATTERN_WINDOW_DAYS``) are counted once, with one query on the
``concern_network_raised`` index, never by rescanning every network. Two rules:

- ``agencies_in_window``: concerns from at least ``PATTERN_AGENCIES`` different agencies
  (by the agency each author acted for). Checked when the new concern has an agency.
- ``low_concerns_accumulate``: at least ``PATTERN_LOW_CONCERNS`` low concerns. Checked when
  the new concern is low.

The window runs from exactly ``PATTERN_WINDOW_DAYS`` before the new concern's ``raised_at``
up to it, both ends included: a concern raised exactly 30 days earlier counts, one raised a
second before that does not. Concerns count whatever their status, except withdrawn ones,
and whatever their visibility: the alert says only how many, never what.

Each network has at most one open alert per rule. While it is open, each new concern that
meets the rule joins it and moves its window end; once a lead has acknowledged it, the next
concern that meets the rule raises a new one. The reviewing safeguarding leads are told
when an alert is raised.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from caregraph.models import AuditAction, Network, Severity
from caregraph.policy import reviewing_lead_ids
from caregraph.services.audit import audit_record
from concerns.models import AlertRule, Concern, ConcernStatus, CumulativeAlert
from notifications.fanout import notify

ALERT_NOTIFICATION_SEVERITY = Severity.HIGH


def concern_pattern_window_start(*, raised_at: datetime.datetime) -> datetime.datetime:
    """The earliest moment a concern may have been raised and still count (included)."""
    return raised_at - datetime.timedelta(days=settings.PATTERN_WINDOW_DAYS)


def concern_patterns_check(*, concern: Concern) -> list[CumulativeAlert]:
    """Raises or extends the cumulative alerts that a newly raised concern completes.

    Call it inside the transaction that raised the concern. Returns the alerts the concern
    joined, new or already open.
    """
    checks_agencies = concern.author_agency_id is not None
    checks_low = concern.severity == Severity.LOW
    if not (checks_agencies or checks_low):
        return []
    window_start = concern_pattern_window_start(raised_at=concern.raised_at)
    # Raising a concern locks its network row, so concurrent concerns about one person are
    # counted one after the other; taken here too for callers that have not done so.
    list(Network.objects.select_for_update().filter(pk=concern.network_id).values_list("pk"))
    in_window = list(
        Concern.objects.filter(
            network_id=concern.network_id,
            raised_at__gte=window_start,
            raised_at__lte=concern.raised_at,
        )
        .exclude(status=ConcernStatus.WITHDRAWN)
        .values_list("pk", "author_agency_id", "severity")
    )
    alerts: list[CumulativeAlert] = []
    if checks_agencies:
        by_agency = [(pk, agency) for pk, agency, _severity in in_window if agency is not None]
        agencies = {agency for _pk, agency in by_agency}
        if len(agencies) >= settings.PATTERN_AGENCIES:
            alerts.append(
                _alert_raise_or_extend(
                    concern=concern,
                    rule=AlertRule.AGENCIES_IN_WINDOW,
                    window_start=window_start,
                    concern_ids=[pk for pk, _agency in by_agency],
                    summary=(
                        f"Concerns from {len(agencies)} agencies within "
                        f"{settings.PATTERN_WINDOW_DAYS} days"
                    ),
                )
            )
    if checks_low:
        low_ids = [pk for pk, _agency, severity in in_window if severity == Severity.LOW]
        if len(low_ids) >= settings.PATTERN_LOW_CONCERNS:
            alerts.append(
                _alert_raise_or_extend(
                    concern=concern,
                    rule=AlertRule.LOW_CONCERNS_ACCUMULATE,
                    window_start=window_start,
                    concern_ids=low_ids,
                    summary=(
                        f"{len(low_ids)} low concerns within {settings.PATTERN_WINDOW_DAYS} days"
                    ),
                )
            )
    return alerts


def _alert_raise_or_extend(
    *,
    concern: Concern,
    rule: str,
    window_start: datetime.datetime,
    concern_ids: list[int],
    summary: str,
) -> CumulativeAlert:
    alert = (
        CumulativeAlert.objects.select_for_update()
        .filter(network_id=concern.network_id, rule=rule, acknowledged_at__isnull=True)
        .first()
    )
    if alert is not None:
        alert.window_end = concern.raised_at
        alert.summary = summary
        alert.save(update_fields=["window_end", "summary"])
        alert.concerns.add(concern)
        return alert
    with transaction.atomic():
        alert = CumulativeAlert.objects.create(
            network_id=concern.network_id,
            rule=rule,
            window_start=window_start,
            window_end=concern.raised_at,
            summary=summary,
        )
        alert.concerns.add(*concern_ids)
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            summary=f"Cumulative concern alert raised: {summary}",
            object_type="cumulative_alert",
            object_id=alert.pk,
            network=concern.network,
        )
        leads = reviewing_lead_ids(network=concern.network)
        notify(
            user_ids=leads,
            network=concern.network,
            kind="concern.pattern",
            severity=ALERT_NOTIFICATION_SEVERITY,
            text="A pattern of concerns needs your review",
            link=reverse("network_overview", args=[concern.network_id]),
            dedupe_key=f"alert-{alert.pk}-raised",
            lead_ids=frozenset(leads),
        )
    return alert
