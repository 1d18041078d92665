"""Demographic matching's one write: the likely matches of a newly registered person go into
the review queue (the matching itself is in `caregraph.matching`)."""

from __future__ import annotations

from caregraph.matching import person_match_candidates
from caregraph.models import MatchCandidate, Person


def person_match_queue(*, person_id: int) -> int:
    """Queues each likely match of one person for review; returns how many it newly queued.

    Safe to run again: a pair is stored once, whichever of the two was registered first and
    whatever was decided about it, so a dismissed pair is not asked about again. Someone
    merged away, or no longer there, has nothing to queue.
    """
    person = Person.objects.filter(pk=person_id, merged_into__isnull=True).first()
    if person is None:
        return 0
    queued = 0
    for result in person_match_candidates(person=person):
        first_id, second_id = sorted((person.pk, result.candidate.pk))
        # Pairs are stored lowest id first; one stored the other way round still counts.
        if MatchCandidate.objects.filter(person_id=second_id, candidate_id=first_id).exists():
            continue
        _, created = MatchCandidate.objects.get_or_create(
            person_id=first_id,
            candidate_id=second_id,
            defaults={"score": result.score, "reasons": result.reasons[:200]},
        )
        queued += created
    return queued
