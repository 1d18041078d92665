"""Who hears of a concern, and what they are told: that something changed, never what.

Everyone who may open a concern is its audience; nobody else is told anything about it.
Its followers (the raiser, whoever acknowledged it and, for high and urgent concerns, those
asked to acknowledge it) hear of later changes.

A change's request only names whom to tell; who of them may open the concern (and the note)
is worked out by the notification job after commit, from everyone's standing then
(`notifications.fanout.Notice.readers_of`), so that raising a concern in a network of
hundreds costs its request no more than in a network of ten.
"""

from __future__ import annotations

from django.urls import reverse

from agencies.models import Involvement
from caregraph.models import Visibility
from caregraph.policy import involvement_open_now, users_who_may_see
from concerns.models import Concern, ConcernUpdate, Severity
from notifications.fanout import Notice, RecordReaders, notices_queue

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


def _lead_professional_ids(concern: Concern) -> set[int]:
    return set(
        Involvement.objects.filter(network=concern.network, lead_professional__isnull=False)
        .filter(involvement_open_now())
        .values_list("lead_professional_id", flat=True)
    )


def _readers_of(concern: Concern) -> RecordReaders:
    return RecordReaders(
        visibility=concern.visibility,
        author_id=concern.created_by_id,
        author_agency_id=concern.author_agency_id,
    )


def concern_raised_notify(concern: Concern) -> None:
    """Tells everyone who may open a new concern, but its raiser, that one was raised, and
    asks the acknowledgers of a high or urgent one to acknowledge it: one job, handed out
    after commit, which works out who may open it. The request asks: the second notice has
    the same key, so those asked are not also told that it was raised."""
    needs_acknowledgement = concern.severity in SEVERITIES_NEEDING_ACKNOWLEDGEMENT
    link = concern_url(concern)
    readers = (_readers_of(concern),)
    raiser = frozenset({concern.created_by_id})
    notices_queue(
        network=concern.network,
        notices=[
            Notice(
                user_ids=frozenset(
                    _lead_professional_ids(concern) if needs_acknowledgement else ()
                ),
                to_reviewing_leads=needs_acknowledgement,
                readers_of=readers,
                except_ids=raiser,
                kind="concern.acknowledge",
                severity=concern.severity,
                text=f"{_article(concern.severity)} {concern.get_severity_display().lower()} "
                "concern needs your acknowledgement",
                link=link,
                dedupe_key=f"concern-{concern.pk}-raised",
            ),
            Notice(
                user_ids=frozenset(),
                to_readers=True,
                readers_of=readers,
                except_ids=raiser,
                kind="concern.raised",
                severity=concern.severity,
                text="A new concern was raised in a network you belong to",
                link=link,
                dedupe_key=f"concern-{concern.pk}-raised",
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
    note, only those who may see the note. The followers are the raiser, whoever acknowledged
    it and, for high and urgent concerns, those asked to acknowledge it (the lead
    professionals of open involvement and the reviewing safeguarding leads); which of them
    may still open the concern (and the note) is worked out by the job."""
    named = {concern.created_by_id}
    if concern.acknowledged_by_id is not None:
        named.add(concern.acknowledged_by_id)
    needs_acknowledgement = concern.severity in SEVERITIES_NEEDING_ACKNOWLEDGEMENT
    if needs_acknowledgement:
        named |= _lead_professional_ids(concern)
    readers = [_readers_of(concern)]
    if update is not None and update.visibility != Visibility.NETWORK:
        readers.append(
            RecordReaders(
                visibility=update.visibility,
                author_id=update.created_by_id,
                author_agency_id=update.author_agency_id,
            )
        )
    notices_queue(
        network=concern.network,
        notices=[
            Notice(
                user_ids=frozenset(named),
                to_reviewing_leads=needs_acknowledgement,
                readers_of=tuple(readers),
                except_ids=frozenset() if actor_id is None else frozenset({actor_id}),
                kind=kind,
                severity=concern.severity,
                text=text,
                link=concern_url(concern),
                dedupe_key=dedupe_key,
            )
        ],
    )
