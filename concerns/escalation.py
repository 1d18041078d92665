"""Escalating high and urgent concerns that nobody acknowledged in time.

A concern escalates when it is still open and unacknowledged once its age reaches the
threshold for its severity (``CONCERN_ESCALATION_MINUTES``: urgent 60 minutes, high 24
hours): raised at or before ``now - threshold``. It goes to the safeguarding leads of the
network's lead agency, and escalates at most once, however often and on however many
workers the periodic job runs.

The lead agency is the agency of the network's earliest active coordinator membership that
has an agency (by when they joined). A network with no such coordinator escalates to the
safeguarding leads of every agency reviewing it instead, so that an escalation always
reaches someone.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, StaffMembership, StaffRole
from caregraph.models import Membership, MembershipStatus
from caregraph.policy import reviewing_lead_ids
from concerns.followers import concern_audience, concern_url
from concerns.models import Concern, ConcernStatus, ConcernUpdateKind
from concerns.services import concern_change_record
from notifications.fanout import notify


def network_lead_agency_id(*, network_id: int) -> int | None:
    """The agency of the network's earliest active coordinator membership with an agency."""
    return (
        Membership.objects.filter(
            network_id=network_id,
            status=MembershipStatus.ACTIVE,
            is_coordinator=True,
            agency__isnull=False,
        )
        .order_by("joined_at", "pk")
        .values_list("agency_id", flat=True)
        .first()
    )


def concern_escalation_due_ids(*, now: datetime.datetime) -> list[int]:
    """Open, unacknowledged, unescalated concerns whose age has reached their threshold."""
    due: list[int] = []
    for severity, minutes in settings.CONCERN_ESCALATION_MINUTES.items():
        cutoff = now - datetime.timedelta(minutes=minutes)
        due += Concern.objects.filter(
            status=ConcernStatus.OPEN,
            severity=severity,
            raised_at__lte=cutoff,
            acknowledged_at__isnull=True,
            escalated_at__isnull=True,
        ).values_list("pk", flat=True)
    return due


def concern_escalate_due(*, now: datetime.datetime | None = None) -> int:
    """Escalates every concern that is due; returns how many this call escalated.

    Each is claimed with a conditional UPDATE (still open, unacknowledged and unescalated),
    so when two workers run together only one escalates it, and an acknowledgement that
    commits first wins. The escalation is recorded in the concern's history, the audit
    trail and the event log, and the lead agency's safeguarding leads who may open the
    concern are told; urgent ones reach them even if they turned e-mails off.
    """
    now = now or timezone.now()
    return sum(
        _concern_escalate(concern_id=concern_id, now=now)
        for concern_id in concern_escalation_due_ids(now=now)
    )


def _concern_escalate(*, concern_id: int, now: datetime.datetime) -> bool:
    with transaction.atomic():
        concern = Concern.objects.select_related("network", "created_by").get(pk=concern_id)
        agency_id = network_lead_agency_id(network_id=concern.network_id)
        claimed = Concern.objects.filter(
            pk=concern_id,
            status=ConcernStatus.OPEN,
            acknowledged_at__isnull=True,
            escalated_at__isnull=True,
        ).update(escalated_at=now, escalated_to_agency_id=agency_id)
        if not claimed:
            return False
        concern.escalated_at = now
        concern.escalated_to_agency_id = agency_id
        agency = Agency.objects.filter(pk=agency_id).first() if agency_id else None
        threshold = settings.CONCERN_ESCALATION_MINUTES[concern.severity]
        to_whom = f"the safeguarding leads of {agency}" if agency else "the safeguarding leads"
        concern_change_record(
            concern=concern,
            kind=ConcernUpdateKind.ESCALATED,
            actor=None,
            summary=f"Escalated an unacknowledged concern to {to_whom}",
            text=f"Not acknowledged within {_duration(threshold)}: escalated to {to_whom}.",
        )
        leads = _escalation_recipients(concern, agency_id=agency_id)
        notify(
            user_ids=leads,
            network=concern.network,
            kind="concern.escalated",
            severity=concern.severity,
            text=(
                f"An unacknowledged {concern.get_severity_display().lower()} concern "
                "has been escalated to you"
            ),
            link=concern_url(concern),
            dedupe_key=f"concern-{concern.pk}-escalated",
            lead_ids=frozenset(leads),
        )
    return True


def _escalation_recipients(concern: Concern, *, agency_id: int | None) -> set[int]:
    """The lead agency's safeguarding leads who may open the concern; failing them, every
    reviewing lead who may."""
    audience = concern_audience(concern)
    if agency_id is not None:
        agency_leads = set(
            StaffMembership.objects.filter(
                agency_id=agency_id, role=StaffRole.SAFEGUARDING_LEAD, is_active=True
            ).values_list("user_id", flat=True)
        )
        if agency_leads & audience:
            return agency_leads & audience
    return reviewing_lead_ids(network=concern.network) & audience


def _duration(minutes: int) -> str:
    if minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return "1 hour" if hours == 1 else f"{hours} hours"
