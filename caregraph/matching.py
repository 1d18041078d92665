"""Demographic matching: people who may be one person, found without a shared identifier.
Reads only: `caregraph.services.matching` queues what it finds for review.

Matching answers from an index, never a scan of everyone: the candidate query is an OR of
blocking rules that each use one of the person table's indexes, and only the few people it
finds are scored in Python. That keeps it cheap enough to run after every registration.

A match is never acted on by itself. It goes into a review queue, where a safeguarding lead
or agency admin who may see both networks decides: merge, or "not the same person".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import jellyfish
from django.db.models import Q, QuerySet

from caregraph.models import Person

MATCH_THRESHOLD = 0.8
"""A candidate scoring at least this goes into the review queue."""

GIVEN_NAME_FLOOR = 0.75
"""Below this given-name similarity two people are never a match, however much else agrees:
twins share a family name, a date of birth and an address, and differ only here."""

CANDIDATE_ROWS_MAX = 500
"""The most rows one candidate query reads, so that a very common name stays cheap."""

NAME_WEIGHT, DATE_OF_BIRTH_WEIGHT, POSTCODE_WEIGHT = 0.45, 0.40, 0.15

# How much each kind of date-of-birth or postcode agreement counts, out of 1. Something
# missing on one record neither supports nor counts against the match.
DATE_OF_BIRTH_SCORES = {"same": 1.0, "swapped": 0.8, "missing": 0.5, "different": 0.0}
POSTCODE_SCORES = {"same": 1.0, "same_area": 0.5, "missing": 0.5, "different": 0.0}

DATE_OF_BIRTH_REASONS = {
    "same": "same date of birth",
    "swapped": "day and month of birth swapped",
    "missing": "no date of birth on one record",
    "different": "different date of birth",
}
POSTCODE_REASONS = {
    "same": "same postcode",
    "same_area": "same postcode area",
    "missing": "",
    "different": "different postcode",
}


@dataclass(frozen=True)
class MatchResult:
    """Someone who may be the same person, how likely (0 to 1) and why, in plain English."""

    candidate: Person
    score: float
    reasons: str


def _years_from(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def person_match_queryset(*, person: Person) -> QuerySet[Person]:
    """The people that may be `person`, by blocking rules that each use an index.

    A candidate is not merged away and is not the person, and has the same phonetic family
    name key and one of: the same date of birth; the same postcode; the same given name key
    with a date of birth within a year of theirs, or unknown on either record. A person
    without a family name key has no candidates.
    """
    family_key, given_key = person.family_name_key, person.given_name_key
    if not family_key:
        return Person.objects.none()
    blocks = Q()
    if person.date_of_birth is not None:
        blocks |= Q(date_of_birth=person.date_of_birth, family_name_key=family_key)
    if person.postcode:
        blocks |= Q(postcode=person.postcode, family_name_key=family_key)
    if given_key:
        same_name_keys = Q(family_name_key=family_key, given_name_key=given_key)
        if person.date_of_birth is not None:
            near_in_age = Q(
                date_of_birth__range=(
                    _years_from(person.date_of_birth, -1),
                    _years_from(person.date_of_birth, 1),
                )
            ) | Q(date_of_birth__isnull=True)
            same_name_keys &= near_in_age
        blocks |= same_name_keys
    if not blocks:
        return Person.objects.none()
    candidates = Person.objects.filter(blocks).filter(merged_into__isnull=True)
    if person.pk is not None:
        candidates = candidates.exclude(pk=person.pk)
    return candidates


def _name_similarity(first: str, second: str) -> float:
    first, second = first.strip().lower(), second.strip().lower()
    if not first or not second:
        return 0.0
    return float(jellyfish.jaro_winkler_similarity(first, second))


def _date_of_birth_agreement(first: datetime.date | None, second: datetime.date | None) -> str:
    if first is None or second is None:
        return "missing"
    if first == second:
        return "same"
    if (first.year, first.month, first.day) == (second.year, second.day, second.month):
        return "swapped"
    return "different"


def _postcode_agreement(first: str, second: str) -> str:
    if not first or not second:
        return "missing"
    if first == second:
        return "same"
    if first.split()[0] == second.split()[0]:
        return "same_area"
    return "different"


def person_match_score(*, person: Person, candidate: Person) -> MatchResult | None:
    """How alike two records are, and why; None when the given names are too far apart.

    Names count for 45% (the mean Jaro-Winkler similarity of given and family names), the
    date of birth for 40% (exact, or day and month swapped) and the postcode for 15% (exact,
    or the same outward code). Something missing on one record counts half.
    """
    given = _name_similarity(person.given_name, candidate.given_name)
    if given < GIVEN_NAME_FLOOR:
        return None
    family = _name_similarity(person.family_name, candidate.family_name)
    date_of_birth = _date_of_birth_agreement(person.date_of_birth, candidate.date_of_birth)
    postcode = _postcode_agreement(person.postcode, candidate.postcode)
    score = (
        NAME_WEIGHT * (given + family) / 2
        + DATE_OF_BIRTH_WEIGHT * DATE_OF_BIRTH_SCORES[date_of_birth]
        + POSTCODE_WEIGHT * POSTCODE_SCORES[postcode]
    )
    same_name = given == 1.0 and family == 1.0
    reasons = [
        DATE_OF_BIRTH_REASONS[date_of_birth],
        "same name" if same_name else "similar name",
        POSTCODE_REASONS[postcode],
    ]
    return MatchResult(
        candidate=candidate,
        score=round(score, 3),
        reasons=", ".join(reason for reason in reasons if reason),
    )


def person_match_candidates(*, person: Person, limit: int = 10) -> list[MatchResult]:
    """People who may be `person`, best first: those scoring at least MATCH_THRESHOLD.

    Reads only what the indexed blocking rules of `person_match_queryset` find.
    """
    results = []
    for candidate in person_match_queryset(person=person)[:CANDIDATE_ROWS_MAX]:
        result = person_match_score(person=person, candidate=candidate)
        if result is not None and result.score >= MATCH_THRESHOLD:
            results.append(result)
    results.sort(key=lambda result: (-result.score, result.candidate.pk))
    return results[:limit]
