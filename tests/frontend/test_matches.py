"""The review queue of possible duplicates: merge, "not the same person", and undo."""

from __future__ import annotations

import datetime

import pytest

from agencies.models import StaffRole
from caregraph.models import MatchCandidate, MatchStatus, Merge, Person
from caregraph.services.matching import person_match_queue
from tests.frontend.conftest import error_summary, register, signed_in, staff, text

pytestmark = pytest.mark.django_db
QUEUE = "/people/matches/"


@pytest.fixture
def pair(practitioner, network) -> MatchCandidate:
    twin = register(
        practitioner,
        given_name="Eva",
        family_name="Thompson",
        date_of_birth=datetime.date(2016, 3, 27),
    )
    assert person_match_queue(person_id=twin.person.pk) == 1
    return MatchCandidate.objects.get()


@pytest.fixture
def lead(agency):
    return staff(agency=agency, role=StaffRole.SAFEGUARDING_LEAD)


def test_only_leads_and_admins_review(pair, practitioner, family_member) -> None:
    for user in (practitioner, family_member):
        client = signed_in(user)
        assert client.get(QUEUE).status_code == 404
        assert client.get(f"/people/matches/{pair.pk}/merge/").status_code == 404
        assert client.post(f"/people/matches/{pair.pk}/dismiss/").status_code == 404
    assert MatchCandidate.objects.get().status == MatchStatus.OPEN


def test_the_queue_shows_both_records_side_by_side_with_reasons(pair, lead) -> None:
    page = text(signed_in(lead).get(QUEUE))
    assert f"Records {pair.person_id} and {pair.candidate_id}" in page
    assert "Name Ava Thompson" in page
    assert "Name Eva Thompson" in page
    assert "Same date of birth, similar name, same postcode" in page
    assert "%" in page


def test_merging_needs_a_reason_and_can_be_undone(pair, lead, network) -> None:
    client = signed_in(lead)
    url = f"/people/matches/{pair.pk}/merge/"
    assert "Which record should be kept?" in text(client.get(url))

    no_reason = client.post(url, {"survivor": str(network.person.pk), "reason": ""})
    assert "Say why these records are the same person" in error_summary(no_reason)
    assert not Merge.objects.exists()

    merged = client.post(url, {"survivor": str(network.person.pk), "reason": "Same school"})

    assert merged["Location"] == QUEUE
    other = Person.objects.exclude(pk=network.person.pk).get()
    assert other.merged_into == network.person
    page = text(client.get(QUEUE))
    assert f"Record {other.pk} is merged into record {network.person.pk}" in page
    assert "There are no possible duplicates for you to review." in page
    merge = Merge.objects.get()
    assert f'href="/people/merges/{merge.pk}/undo/"' in client.get(QUEUE).content.decode()

    undo_url = f"/people/merges/{merge.pk}/undo/"
    no_reason = client.post(undo_url, {"reason": " "})
    assert "Say why you are undoing this merge" in error_summary(no_reason)
    assert Person.objects.get(pk=other.pk).merged_into is not None

    client.post(undo_url, {"reason": "Twins, not one person"})

    assert Person.objects.get(pk=other.pk).merged_into is None
    assert Merge.objects.get().undone_at is not None


def test_not_the_same_person_leaves_both_records(pair, lead) -> None:
    client = signed_in(lead)
    response = client.post(f"/people/matches/{pair.pk}/dismiss/")
    assert response["Location"] == QUEUE
    assert MatchCandidate.objects.get().status == MatchStatus.DISMISSED
    assert Person.objects.filter(merged_into__isnull=True).count() == 2
    assert "marked as not the same person" in text(client.get(QUEUE))


def test_a_reviewer_who_cannot_see_both_networks_is_not_shown_the_pair(pair) -> None:
    outsider = staff(role=StaffRole.SAFEGUARDING_LEAD)
    client = signed_in(outsider)
    assert "Thompson" not in text(client.get(QUEUE))
    assert client.get(f"/people/matches/{pair.pk}/merge/").status_code == 404
