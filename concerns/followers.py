"""Who hears of a concern, and what they are told: that something changed, never what.

Everyone who may open a concern is its audience; nobody else is told anything about it.
Its followers (the raiser, whoever acknowledged it and, for high and urgent concerns, those
asked to acknowledge it) hear of later changes.
"""

from __future__ import annotations

from django.urls import reverse

from agencies.models import Involvement
from caregraph.models import Visibility
from caregraph.policy import involvement_open_now, reviewing_lead_ids, users_who_may_see
from concerns.models import Concern, ConcernUpdate, Severity
from notifications.fanout import Notice, notices_queue, notify

SEVERITIES_NEEDING_ACKNOWLEDGEMENT = {Severity.HIGH, Severity.URGENT}


def _article(severity: str) -> str:
    return "An" if severity == Severity.URGENT else "A"


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


def concern_audience(concern: Concern) -> set[int]:
    """Everyone who may open the concern: nobody else is told anything about it."""
    return users_who_may_see(
        network=concern.network,
        visibility=concern.visibility,
        author_id=concern.created_by_id,
        author_agency_id=concern.author_agency_id,
    )


def concern_acknowledgers(concern: Concern, *, audience: set[int] | None = None) -> set[int]:
    """Who is asked to acknowledge: lead professionals of open involvement and the leads."""
    if audience is None:
        audience = concern_audience(concern)
    lead_professionals = set(
        Involvement.objects.filter(network=concern.network, lead_professional__isnull=False)
        .filter(involvement_open_now())
        .values_list("lead_professional_id", flat=True)
    )
    return (lead_professionals & audience) | (
        reviewing_lead_ids(network=concern.network) & audience
    )


def concern_followers(concern: Concern, *, audience: set[int] | None = None) -> set[int]:
    """Who hears of later changes: the raiser, whoever acknowledged it and, for high and
    urgent concerns, those asked to acknowledge it; only those who may still open it."""
    if audience is None:
        audience = concern_audience(concern)
    followers = {concern.created_by_id}
    if concern.acknowledged_by_id is not None:
        followers.add(concern.acknowledged_by_id)
    if concern.severity in SEVERITIES_NEEDING_ACKNOWLEDGEMENT:
        followers |= concern_acknowledgers(concern, audience=audience)
    return followers & audience


def concern_raised_notify(concern: Concern) -> None:
    """Tells everyone who may open a new concern, but its raiser, that one was raised, and
    asks the acknowledgers of a high or urgent one to acknowledge it: one job, handed out
    after commit."""
    everyone = concern_audience(concern)
    audience = everyone - {concern.created_by_id}
    leads = frozenset(reviewing_lead_ids(network=concern.network))
    asked = (
        concern_acknowledgers(concern, audience=everyone) - {concern.created_by_id}
        if concern.severity in SEVERITIES_NEEDING_ACKNOWLEDGEMENT
        else set()
    )
    link = concern_url(concern)
    notices_queue(
        network=concern.network,
        notices=[
            Notice(
                user_ids=frozenset(asked),
                kind="concern.acknowledge",
                severity=concern.severity,
                text=f"{_article(concern.severity)} {concern.get_severity_display().lower()} "
                "concern needs your acknowledgement",
                link=link,
                dedupe_key=f"concern-{concern.pk}-raised",
                lead_ids=leads,
            ),
            Notice(
                user_ids=frozenset(audience - asked),
                kind="concern.raised",
                severity=concern.severity,
                text="A new concern was raised in a network you belong to",
                link=link,
                dedupe_key=f"concern-{concern.pk}-raised",
                lead_ids=leads,
            ),
        ],
    )


def concern_followers_notify(
    concern: Concern,
    *,
    actor_id: int | None,
    kind: str,
    text: str,
    dedupe_key: str,
    update: ConcernUpdate | None = None,
) -> None:
    """Tells the concern's followers, except whoever made the change, that it changed; of a
    note, only those who may see the note."""
    audience = concern_audience(concern)
    followers = concern_followers(concern, audience=audience) - {actor_id}
    if update is not None:
        followers &= concern_update_audience(update, audience=audience)
    notify(
        user_ids=followers,
        network=concern.network,
        kind=kind,
        severity=concern.severity,
        text=text,
        link=concern_url(concern),
        dedupe_key=dedupe_key,
        lead_ids=frozenset(reviewing_lead_ids(network=concern.network)),
    )


def concern_update_audience(update: ConcernUpdate, *, audience: set[int] | None = None) -> set[int]:
    """Everyone who may read an entry of a concern's history: who may see the concern and,
    for an entry with its own visibility, the entry too."""
    concern = update.concern
    if audience is None:
        audience = concern_audience(concern)
    if update.visibility == Visibility.NETWORK:
        return audience
    return audience & users_who_may_see(
        network=concern.network,
        visibility=update.visibility,
        author_id=update.created_by_id,
        author_agency_id=update.author_agency_id,
    )
