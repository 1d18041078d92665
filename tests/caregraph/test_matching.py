"""Demographic matching: likely duplicates go into a review queue, found from an index."""

from __future__ import annotations

import datetime
import random
from typing import Any

import pytest
from django.db import connection

from agencies.models import Agency, StaffMembership, StaffRole
from caregraph.matching import MATCH_THRESHOLD, person_match_candidates, person_match_queryset
from caregraph.models import MatchCandidate, MatchStatus, MemberKind, Person
from caregraph.selectors import match_candidates_open
from caregraph.services.matching import match_candidate_dismiss, person_match_queue
from caregraph.services.merge import person_merge
from caregraph.services.people import name_key
from tests.factories import (
    AgencyFactory,
    involvement_add_for_test,
    member_add_for_test,
    person_register_for_test,
    staff_create,
)

BORN = datetime.date(2015, 3, 14)


@pytest.fixture
def register(django_capture_on_commit_callbacks: Any):
    """Registers a person the way a practitioner does, running the matching after commit."""

    def register(**details: Any) -> Person:
        with django_capture_on_commit_callbacks(execute=True):
            registration = person_register_for_test(**details)
        return registration.person

    return register


def _pair(first: Person, second: Person) -> MatchCandidate | None:
    low, high = sorted((first.pk, second.pk))
    return MatchCandidate.objects.filter(person_id=low, candidate_id=high).first()


def _person(**details: Any) -> Person:
    """An unsaved person, as someone about to be registered, for asking who they may be."""
    person = Person(**details)
    person.given_name_key = name_key(person.given_name)
    person.family_name_key = name_key(person.family_name)
    return person


@pytest.mark.django_db
def test_a_similar_name_with_the_same_date_of_birth_is_queued_with_reasons(register) -> None:
    jon = register(given_name="Jon", family_name="Smith", date_of_birth=BORN, postcode="LS6 2AB")

    john = register(given_name="John", family_name="Smyth", date_of_birth=BORN, postcode="LS6 2AB")

    pair = _pair(jon, john)
    assert pair is not None
    assert pair.status == MatchStatus.OPEN
    assert pair.reasons == "same date of birth, similar name, same postcode"
    assert MATCH_THRESHOLD <= pair.score < 1


@pytest.mark.django_db
def test_a_similar_name_and_date_of_birth_match_after_a_move(register) -> None:
    jon = register(given_name="Jon", family_name="Smith", date_of_birth=BORN, postcode="LS6 2AB")

    john = register(given_name="John", family_name="Smith", date_of_birth=BORN, postcode="M1 1AE")

    pair = _pair(jon, john)
    assert pair is not None
    assert pair.reasons == "same date of birth, similar name, different postcode"


@pytest.mark.django_db
def test_a_different_date_of_birth_and_postcode_is_not_queued(register) -> None:
    register(given_name="Jon", family_name="Smith", date_of_birth=BORN, postcode="LS6 2AB")

    register(
        given_name="John",
        family_name="Smith",
        date_of_birth=datetime.date(2014, 9, 2),
        postcode="M1 1AE",
    )

    assert MatchCandidate.objects.count() == 0


@pytest.mark.django_db
def test_twins_with_different_given_names_are_not_queued(register) -> None:
    register(given_name="Oliver", family_name="Hughes", date_of_birth=BORN, postcode="LS6 2AB")

    register(given_name="Harry", family_name="Hughes", date_of_birth=BORN, postcode="LS6 2AB")

    assert MatchCandidate.objects.count() == 0


@pytest.mark.django_db
def test_day_and_month_swapped_is_queued_and_said(register) -> None:
    first = register(date_of_birth=datetime.date(2015, 3, 4), postcode="LS6 2AB")

    second = register(date_of_birth=datetime.date(2015, 4, 3), postcode="LS6 2AB")

    pair = _pair(first, second)
    assert pair is not None
    assert pair.reasons == "day and month of birth swapped, same name, same postcode"


@pytest.mark.django_db
def test_the_same_name_and_postcode_without_a_date_of_birth_just_reaches_the_threshold(
    register,
) -> None:
    first = register(date_of_birth=None, postcode="LS6 2AB")

    second = register(date_of_birth=BORN, postcode="LS6 2AB")

    pair = _pair(first, second)
    assert pair is not None
    assert pair.score == MATCH_THRESHOLD
    assert pair.reasons == "no date of birth on one record, same name, same postcode"


@pytest.mark.django_db
def test_the_same_name_alone_is_not_enough(register) -> None:
    register(date_of_birth=None, postcode="")

    register(date_of_birth=BORN, postcode="LS6 2AB")

    assert MatchCandidate.objects.count() == 0


@pytest.mark.django_db
def test_queueing_again_adds_nothing_and_never_stores_the_pair_both_ways(register) -> None:
    first = register(date_of_birth=BORN)
    second = register(date_of_birth=BORN)
    assert MatchCandidate.objects.count() == 1

    assert person_match_queue(person_id=second.pk) == 0
    assert person_match_queue(person_id=first.pk) == 0

    assert MatchCandidate.objects.count() == 1


@pytest.mark.django_db
def test_queueing_counts_only_what_it_added() -> None:
    first = person_register_for_test(date_of_birth=BORN).person
    second = person_register_for_test(date_of_birth=BORN).person
    third = person_register_for_test(date_of_birth=BORN).person

    assert person_match_queue(person_id=third.pk) == 2
    assert person_match_queue(person_id=first.pk) == 1  # with the second; the third is known
    assert person_match_queue(person_id=second.pk) == 0


@pytest.mark.django_db
def test_a_pair_decided_not_to_be_one_person_is_not_asked_about_again(register) -> None:
    agency = AgencyFactory.create()
    first = register(agency=agency, date_of_birth=BORN)
    second = register(agency=agency, date_of_birth=BORN)
    pair = _pair(first, second)
    assert pair is not None
    match_candidate_dismiss(
        candidate=pair, decided_by=staff_create(role=StaffRole.SAFEGUARDING_LEAD, agency=agency)
    )

    assert person_match_queue(person_id=second.pk) == 0

    pair.refresh_from_db()
    assert pair.status == MatchStatus.DISMISSED


@pytest.mark.django_db
def test_a_person_merged_away_is_not_a_candidate(register) -> None:
    agency = AgencyFactory.create()
    kept = register(agency=agency, date_of_birth=BORN)
    folded = register(agency=agency, date_of_birth=BORN)
    person_merge(
        survivor=kept,
        merged=folded,
        performed_by=staff_create(role=StaffRole.SAFEGUARDING_LEAD, agency=agency),
        reason="Same child, registered twice",
    )

    newcomer = register(agency=agency, date_of_birth=BORN)

    assert [result.candidate for result in person_match_candidates(person=newcomer)] == [kept]
    assert _pair(newcomer, folded) is None
    assert person_match_queue(person_id=folded.pk) == 0


@pytest.mark.django_db
def test_matching_is_one_query(register, django_assert_num_queries) -> None:
    for _ in range(3):
        register(date_of_birth=BORN, postcode="LS6 2AB")
    newcomer = _person(given_name="Amelia", family_name="Hughes", date_of_birth=BORN)

    with django_assert_num_queries(1):
        results = person_match_candidates(person=newcomer)

    assert len(results) == 3


@pytest.mark.django_db
def test_the_best_match_comes_first_and_the_limit_is_kept(register) -> None:
    register(given_name="Amelie", date_of_birth=BORN, postcode="LS6 2AB")
    exact = register(date_of_birth=BORN, postcode="LS6 2AB")
    register(date_of_birth=BORN, postcode="LS6 9ZZ")
    newcomer = _person(
        given_name="Amelia", family_name="Hughes", date_of_birth=BORN, postcode="LS6 2AB"
    )

    results = person_match_candidates(person=newcomer, limit=2)

    assert len(results) == 2
    assert results[0].candidate == exact
    assert results[0].score == 1.0
    assert results[0].score >= results[1].score


# The blocking rules: who the candidate query finds at all, before any scoring.


def _found(person: Person) -> set[str]:
    return {found.given_name for found in person_match_queryset(person=person)}


@pytest.mark.django_db
def test_blocking_same_date_of_birth_needs_the_same_family_name_key() -> None:
    person_register_for_test(given_name="Same", family_name="Smyth", date_of_birth=BORN)
    person_register_for_test(given_name="Other", family_name="Jones", date_of_birth=BORN)

    assert _found(_person(given_name="Zed", family_name="Smith", date_of_birth=BORN)) == {"Same"}


@pytest.mark.django_db
def test_blocking_same_postcode_needs_the_same_family_name_key() -> None:
    elsewhere = datetime.date(1980, 1, 1)
    person_register_for_test(
        given_name="Same", family_name="Smith", date_of_birth=elsewhere, postcode="LS6 2AB"
    )
    person_register_for_test(
        given_name="Other", family_name="Jones", date_of_birth=elsewhere, postcode="LS6 2AB"
    )
    person_register_for_test(
        given_name="Near", family_name="Smith", date_of_birth=elsewhere, postcode="LS6 2AD"
    )

    found = _found(
        _person(given_name="Zed", family_name="Smith", date_of_birth=BORN, postcode="LS6 2AB")
    )

    assert found == {"Same"}


@pytest.mark.django_db
def test_blocking_same_name_keys_reaches_a_year_either_side_and_no_further() -> None:
    for given, born in [
        ("Jon", datetime.date(2014, 3, 14)),  # a year before: found
        ("Jhon", datetime.date(2016, 3, 14)),  # a year after: found
        ("Jonny", datetime.date(2014, 3, 13)),  # a year and a day before: not found
        ("Joan", datetime.date(2016, 3, 15)),  # a year and a day after: not found
        ("Jan", None),  # unknown: found
    ]:
        person_register_for_test(given_name=given, family_name="Smith", date_of_birth=born)
    assert len({name_key(given) for given in ("John", "Jon", "Jhon", "Jonny", "Joan", "Jan")}) == 1

    found = _found(_person(given_name="John", family_name="Smith", date_of_birth=BORN))

    assert found == {"Jon", "Jhon", "Jan"}


@pytest.mark.django_db
def test_blocking_a_year_from_29_february_is_28_february() -> None:
    person_register_for_test(given_name="Jon", family_name="Smith", date_of_birth=None)
    person_register_for_test(
        given_name="Jonny", family_name="Smith", date_of_birth=datetime.date(2015, 2, 28)
    )
    person_register_for_test(
        given_name="Joan", family_name="Smith", date_of_birth=datetime.date(2015, 2, 27)
    )

    leap = _person(given_name="John", family_name="Smith", date_of_birth=datetime.date(2016, 2, 29))

    assert _found(leap) == {"Jon", "Jonny"}


@pytest.mark.django_db
def test_blocking_without_a_date_of_birth_finds_the_same_name_keys_of_any_age() -> None:
    person_register_for_test(given_name="Jon", family_name="Smith", date_of_birth=BORN)
    person_register_for_test(
        given_name="Jhon", family_name="Smith", date_of_birth=datetime.date(1950, 1, 1)
    )
    person_register_for_test(given_name="Amy", family_name="Smith", date_of_birth=BORN)

    assert _found(_person(given_name="John", family_name="Smith")) == {"Jon", "Jhon"}


@pytest.mark.django_db
def test_blocking_without_a_family_name_key_finds_nobody() -> None:
    person_register_for_test(given_name="Jon", family_name="-", date_of_birth=BORN)

    assert _found(_person(given_name="Jon", family_name="-", date_of_birth=BORN)) == set()


@pytest.mark.django_db
def test_blocking_leaves_out_the_person_themself() -> None:
    person = person_register_for_test(date_of_birth=BORN, postcode="LS6 2AB").person

    assert _found(person) == set()


# The review queue: who may see which pairs.


def _lead(agency: Agency) -> Any:
    return staff_create(role=StaffRole.SAFEGUARDING_LEAD, agency=agency)


@pytest.mark.django_db
def test_a_safeguarding_lead_sees_open_pairs_whose_networks_they_both_see(register) -> None:
    agency = AgencyFactory.create()
    first = register(agency=agency, date_of_birth=BORN)
    second = register(agency=agency, date_of_birth=BORN)

    assert list(match_candidates_open(user=_lead(agency))) == [_pair(first, second)]


@pytest.mark.django_db
def test_a_lead_who_sees_only_one_of_the_networks_does_not_see_the_pair(register) -> None:
    northfield, riverside = AgencyFactory.create(), AgencyFactory.create()
    register(agency=northfield, date_of_birth=BORN)
    elsewhere = register(agency=riverside, date_of_birth=BORN)
    lead = _lead(northfield)
    assert list(match_candidates_open(user=lead)) == []

    involvement_add_for_test(network=elsewhere.network, agency=northfield)

    assert len(match_candidates_open(user=lead)) == 1


@pytest.mark.django_db
def test_practitioners_and_family_never_see_the_queue_even_as_members_of_both(register) -> None:
    agency = AgencyFactory.create()
    practitioner = staff_create(agency=agency)
    first = register(registered_by=practitioner, agency=agency, date_of_birth=BORN)
    second = register(registered_by=practitioner, agency=agency, date_of_birth=BORN)
    relative = member_add_for_test(network=first.network).user
    member_add_for_test(network=second.network, user=relative)
    assert MatchCandidate.objects.count() == 1

    assert list(match_candidates_open(user=practitioner)) == []
    assert list(match_candidates_open(user=relative)) == []


@pytest.mark.django_db
def test_an_agency_admin_sees_pairs_in_networks_they_are_a_member_of(register) -> None:
    agency = AgencyFactory.create()
    admin = staff_create(role=StaffRole.AGENCY_ADMIN, agency=agency)
    first = register(agency=agency, date_of_birth=BORN)
    second = register(agency=agency, date_of_birth=BORN)
    assert list(match_candidates_open(user=admin)) == []  # the admin sees neither network

    for person in (first, second):
        member_add_for_test(
            network=person.network, user=admin, kind=MemberKind.PROFESSIONAL, agency=agency
        )

    assert len(match_candidates_open(user=admin)) == 1


@pytest.mark.django_db
def test_a_lead_no_longer_active_sees_nothing(register) -> None:
    agency = AgencyFactory.create()
    lead = _lead(agency)
    register(agency=agency, date_of_birth=BORN)
    register(agency=agency, date_of_birth=BORN)
    StaffMembership.objects.filter(user=lead).update(is_active=False)

    assert list(match_candidates_open(user=lead)) == []


@pytest.mark.django_db
def test_decided_pairs_and_pairs_with_someone_merged_away_leave_the_queue(register) -> None:
    agency = AgencyFactory.create()
    lead = _lead(agency)
    first = register(agency=agency, date_of_birth=BORN)
    second = register(agency=agency, date_of_birth=BORN)
    third = register(agency=agency, date_of_birth=BORN)
    assert len(match_candidates_open(user=lead)) == 3
    pair = _pair(first, second)
    assert pair is not None

    match_candidate_dismiss(candidate=pair, decided_by=lead)
    assert len(match_candidates_open(user=lead)) == 2

    person_merge(survivor=first, merged=third, performed_by=lead, reason="One child")
    # (first, third) is merged; (second, third) has someone merged away.
    assert list(match_candidates_open(user=lead)) == []


# The query answers from an index, not a scan of everyone.


SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Khan", "Patel"]
FORENAMES = ["Oliver", "Amelia", "George", "Isla", "Noah", "Ava", "Muhammad", "Freya", "Leo"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_candidate_query_uses_the_person_indexes_on_postgresql() -> None:
    chance = random.Random(20)
    people = []
    for _ in range(6000):
        given, family = chance.choice(FORENAMES), chance.choice(SURNAMES)
        people.append(
            Person(
                given_name=given,
                family_name=family,
                given_name_key=name_key(given),
                family_name_key=name_key(family),
                date_of_birth=datetime.date(1935, 1, 1)
                + datetime.timedelta(days=chance.randrange(90 * 365)),
                postcode=f"LS{chance.randrange(1, 30)} {chance.randrange(1, 10)}AB",
            )
        )
    Person.objects.bulk_create(people, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE caregraph_person")
    newcomer = _person(
        given_name="Amelia", family_name="Smith", date_of_birth=BORN, postcode="LS6 2AB"
    )

    plan = person_match_queryset(person=newcomer).explain()

    # One arm of the OR that no index answers would make the whole query a scan.
    assert "Seq Scan on caregraph_person" not in plan, plan
    assert "Index Scan" in plan, plan
    indexes = ("person_dob_family_key", "person_postcode_family_key", "person_name_keys")
    assert any(index in plan for index in indexes), plan
