"""Demographic matching's writes: the likely matches of a newly registered person go into the
review queue, and a reviewer may decide a pair is not the same person (the matching itself is
in `caregraph.matching`; merging a pair is in `caregraph.services.merge`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from caregraph.matching import person_match_candidates
from caregraph.models import AuditAction, MatchCandidate, MatchStatus, Person
from caregraph.services.audit import audit_record
from caregraph.services.merge import merge_allowed


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


def match_candidate_dismiss(*, candidate: MatchCandidate, decided_by: User) -> MatchCandidate:
    """Records that a possible match is not the same person, so it is not asked about again.

    Only an open pair can be dismissed, and only by someone `merge_allowed` allows for the
    two people. Audited for both.
    """
    if not merge_allowed(user=decided_by, survivor=candidate.person, merged=candidate.candidate):
        raise PermissionDenied(
            "Only a safeguarding lead or agency admin who can see both networks may decide this"
        )
    with transaction.atomic():
        candidate = MatchCandidate.objects.select_for_update().get(pk=candidate.pk)
        if candidate.status != MatchStatus.OPEN:
            raise ValidationError("This possible match has already been decided")
        candidate.status = MatchStatus.DISMISSED
        candidate.decided_by = decided_by
        candidate.decided_at = timezone.now()
        candidate.save(update_fields=["status", "decided_by", "decided_at"])
        for person, other in (
            (candidate.person, candidate.candidate),
            (candidate.candidate, candidate.person),
        ):
            audit_record(
                actor=decided_by,
                action=AuditAction.UPDATE,
                summary=f"Decided this record and record {other.pk} are not the same person",
                object_type="match_candidate",
                object_id=candidate.pk,
                person=person,
            )
    return candidate
