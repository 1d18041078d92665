"""People through the API: registering, finding, reading and changing, and what leaks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import StaffRole
from api.models import IdempotencyKey
from api.tasks import idempotency_key_purge_task
from caregraph.models import AuditAction, AuditEvent, Identifier, Network, Person
from tests.api.helpers import (
    API,
    client_for,
    coordinator_of,
    errors,
    member_add,
    network_create,
    nhs_number_make,
)
from tests.factories import AgencyFactory, UserFactory, staff_create

pytestmark = pytest.mark.django_db
PEOPLE = f"{API}/people/"


def registration(**fields: object) -> dict[str, object]:
    return {
        "given_name": "Jordan",
        "family_name": "Reilly",
        "date_of_birth": "2016-07-02",
        "postcode": "ne1 4st",
        "address": "3 Pilgrim Street",
        **fields,
    }


def test_staff_register_a_person_and_coordinate_their_new_network() -> None:
    staff = staff_create()
    nhs_number = nhs_number_make()

    response = client_for(staff).post(
        PEOPLE, registration(nhs_number=f"{nhs_number[:3]} {nhs_number[3:6]} {nhs_number[6:]}")
    )

    assert response.status_code == 201
    body = response.json()
    person = Person.objects.get()
    assert body["id"] == person.pk
    assert body["network_id"] == person.network.pk
    assert body["postcode"] == "NE1 4ST"
    assert body["nhs_number"] == nhs_number
    assert [i["system"] for i in body["identifiers"]] == ["nhs_number"]
    assert response["Location"] == f"{API}/people/{person.pk}/"
    assert coordinator_of(person.network) == staff


def test_a_known_nhs_number_in_another_format_links_without_leaking_anything() -> None:
    nhs_number = nhs_number_make()
    network = network_create(given_name="Kayleigh", family_name="Wood", nhs_number=nhs_number)
    stranger = staff_create()

    response = client_for(stranger).post(
        PEOPLE,
        registration(
            given_name="K",
            family_name="Wood-Smith",
            nhs_number=f"{nhs_number[:3]}-{nhs_number[3:6]}-{nhs_number[6:]}",
        ),
    )

    assert response.status_code == 200
    assert response.json() == {
        "status": "exists",
        "matched_on": ["nhs_number"],
        "join_request_url": f"{API}/networks/{network.pk}/join-requests/",
    }
    for private in ("Kayleigh", "2015", "NE1", "Grey Street", nhs_number):
        assert private not in response.content.decode()
    assert Person.objects.count() == 1
    assert Network.objects.count() == 1
    assert client_for(stranger).get(f"{API}/networks/{network.pk}/").status_code == 404


def test_the_join_request_url_from_registration_lets_them_ask_to_join() -> None:
    nhs_number = nhs_number_make()
    network = network_create(nhs_number=nhs_number)
    stranger = staff_create()
    exists = client_for(stranger).post(PEOPLE, registration(nhs_number=nhs_number)).json()

    asked = client_for(stranger).post(exists["join_request_url"], {"reason": "New GP"})
    approved = client_for(coordinator_of(network)).post(
        f"{exists['join_request_url']}{asked.json()['id']}/approve/"
    )

    assert asked.status_code == 201
    assert approved.status_code == 200
    assert client_for(stranger).get(f"{API}/networks/{network.pk}/").status_code == 200


def test_only_agency_staff_may_register() -> None:
    response = client_for(UserFactory.create()).post(PEOPLE, registration())

    assert response.status_code == 403
    assert errors(response) == {"non_field_errors": ["Only agency staff can register a person"]}
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("nhs_number", "message"),
    [
        ("943 476 5918", "The last digit of this NHS Number does not match the others"),
        ("943 476 591", "An NHS Number is 10 digits long; you entered 9"),
        ("943 476 591A", "An NHS Number can only contain digits, spaces and hyphens"),
    ],
)
def test_a_wrong_nhs_number_is_named_with_what_is_wrong(nhs_number: str, message: str) -> None:
    staff = staff_create()

    registering = client_for(staff).post(PEOPLE, registration(nhs_number=nhs_number))
    searching = client_for(staff).get(PEOPLE, {"nhs_number": nhs_number})

    for response in (registering, searching):
        assert response.status_code == 400
        assert list(errors(response)) == ["nhs_number"]
        assert errors(response)["nhs_number"][0].startswith(message)
    assert not Person.objects.exists()


def test_the_three_nhs_number_mistakes_have_three_different_messages() -> None:
    staff = staff_create()
    messages = {
        errors(client_for(staff).post(PEOPLE, registration(nhs_number=value)))["nhs_number"][0]
        for value in ("9434765918", "943476591", "94347659AB")
    }
    assert len(messages) == 3


def test_other_mistakes_are_named_by_field() -> None:
    response = client_for(staff_create()).post(
        PEOPLE,
        {
            "family_name": "Reilly",
            "date_of_birth": "2 July 2016",
            "postcode": "nowhere",
            "identifiers": [{"system": "upn", "value": "X"}],
        },
    )

    assert response.status_code == 400
    assert set(errors(response)) == {
        "given_name",
        "date_of_birth",
        "postcode",
        "identifiers.0.value",
    }
    assert errors(response)["postcode"] == ["Enter a real postcode, like SW1A 1AA"]


def test_a_retry_with_the_same_idempotency_key_creates_nothing() -> None:
    client = client_for(staff_create())
    body = registration(nhs_number=nhs_number_make())

    first = client.post(PEOPLE, body, HTTP_IDEMPOTENCY_KEY="register-jordan-1")
    again = client.post(PEOPLE, body, HTTP_IDEMPOTENCY_KEY="register-jordan-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert again["Location"] == first["Location"]
    assert Person.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1


def test_an_idempotency_key_reused_elsewhere_is_refused() -> None:
    staff = staff_create()
    client = client_for(staff)
    created = client.post(
        PEOPLE, registration(nhs_number=nhs_number_make()), HTTP_IDEMPOTENCY_KEY="k-1"
    )
    person_id = created.json()["id"]

    elsewhere = client.post(
        f"{API}/people/{person_id}/identifiers/",
        {"system": "ni_number", "value": "AB123456C"},
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    other_body = client.post(PEOPLE, registration(given_name="Sam"), HTTP_IDEMPOTENCY_KEY="k-1")

    assert elsewhere.status_code == other_body.status_code == 422
    assert "already used for a different request" in errors(elsewhere)["non_field_errors"][0]
    assert not Identifier.objects.filter(system="ni_number").exists()
    assert Person.objects.count() == 1


def test_keys_are_per_user_and_a_failed_request_can_be_corrected_and_resent() -> None:
    one, two = client_for(staff_create()), client_for(staff_create())

    failed = one.post(PEOPLE, registration(postcode="nowhere"), HTTP_IDEMPOTENCY_KEY="same")
    corrected = one.post(PEOPLE, registration(), HTTP_IDEMPOTENCY_KEY="same")
    someone_else = two.post(PEOPLE, registration(given_name="Sam"), HTTP_IDEMPOTENCY_KEY="same")

    assert failed.status_code == 400
    assert corrected.status_code == someone_else.status_code == 201
    assert Person.objects.count() == 2


def test_a_member_reads_the_person_and_only_professionals_see_identifiers() -> None:
    nhs_number = nhs_number_make()
    network = network_create(nhs_number=nhs_number)
    aunt = member_add(network).user
    url = f"{API}/people/{network.person.pk}/"

    professional = client_for(coordinator_of(network)).get(url)
    family = client_for(aunt).get(url)

    assert professional.status_code == family.status_code == 200
    assert professional.json()["nhs_number"] == nhs_number
    assert professional.json()["identifiers"][0]["value"] == nhs_number
    assert family.json()["given_name"] == "Alex"
    assert family.json()["nhs_number"] is None
    assert family.json()["identifiers"] is None
    assert client_for(aunt).get(f"{url}identifiers/").json()["results"] == []
    assert professional["ETag"]
    views = AuditEvent.objects.filter(person=network.person, action=AuditAction.VIEW, channel="api")
    assert {event.actor for event in views} == {coordinator_of(network), aunt}


def test_someone_outside_the_network_gets_404_for_the_person() -> None:
    network = network_create()
    url = f"{API}/people/{network.person.pk}/"
    for outsider in (staff_create(), UserFactory.create()):
        response = client_for(outsider).get(url)
        assert response.status_code == 404
        assert errors(response) == {"non_field_errors": ["Not found."]}
    assert client_for(staff_create()).get(f"{API}/people/999999/").json() == response.json()


def test_a_change_needs_the_etag_of_the_version_it_was_made_from() -> None:
    network = network_create()
    coordinator = coordinator_of(network)
    client = client_for(coordinator)
    url = f"{API}/people/{network.person.pk}/"
    etag = client.get(url)["ETag"]

    missing = client.patch(url, {"given_name": "Alexandra"})
    changed = client.patch(url, {"given_name": "Alexandra"}, HTTP_IF_MATCH=etag)
    stale = client.patch(url, {"family_name": "Green"}, HTTP_IF_MATCH=etag)

    assert missing.status_code == 428
    assert "If-Match" in errors(missing)["non_field_errors"][0]
    assert changed.status_code == 200
    assert changed.json()["given_name"] == "Alexandra"
    assert changed["ETag"] != etag
    assert stale.status_code == 412
    assert "has changed since you last read it" in errors(stale)["non_field_errors"][0]
    person = Person.objects.get()
    assert (person.given_name, person.family_name) == ("Alexandra", "Morgan")
    fresh = client.patch(url, {"family_name": "Green"}, HTTP_IF_MATCH=changed["ETag"])
    assert fresh.status_code == 200


def test_a_change_with_a_wrong_field_is_named_and_changes_nothing() -> None:
    network = network_create()
    client = client_for(coordinator_of(network))
    url = f"{API}/people/{network.person.pk}/"

    response = client.patch(
        url, {"postcode": "nowhere", "given_name": "X"}, HTTP_IF_MATCH=client.get(url)["ETag"]
    )

    assert response.status_code == 400
    assert list(errors(response)) == ["postcode"]
    assert Person.objects.get().given_name == "Alex"


def test_family_cannot_change_the_person_and_strangers_get_404() -> None:
    network = network_create()
    aunt = member_add(network).user
    url = f"{API}/people/{network.person.pk}/"
    etag = client_for(aunt).get(url)["ETag"]

    family = client_for(aunt).patch(url, {"given_name": "X"}, HTTP_IF_MATCH=etag)
    stranger = client_for(staff_create()).patch(url, {"given_name": "X"}, HTTP_IF_MATCH=etag)

    assert family.status_code == 403
    assert stranger.status_code == 404
    assert Person.objects.get().given_name == "Alex"


def test_professionals_add_identifiers_and_a_held_one_is_refused() -> None:
    network = network_create()
    other = network_create(nhs_number=nhs_number_make())
    client = client_for(coordinator_of(network))
    url = f"{API}/people/{network.person.pk}/identifiers/"
    held = other.person.identifiers.get().value

    added = client.post(url, {"system": "la_case_reference", "value": "cin/2024/77"})
    duplicate = client.post(url, {"system": "nhs_number", "value": held})
    listed = client.get(url)

    assert added.status_code == 201
    assert added.json()["value"] == "CIN/2024/77"
    assert added.json()["agency_id"] == coordinator_of(network).staff_memberships.get().agency_id
    assert duplicate.status_code == 400
    assert "Another person's record has this identifier" in errors(duplicate)["value"][0]
    assert [i["system"] for i in listed.json()["results"]] == ["la_case_reference", "nhs_number"]


def test_family_cannot_add_identifiers() -> None:
    network = network_create()
    aunt = member_add(network).user

    response = client_for(aunt).post(
        f"{API}/people/{network.person.pk}/identifiers/", {"system": "upn", "value": "x"}
    )

    assert response.status_code == 403


def test_search_finds_only_people_the_user_may_see_and_audits_without_the_terms() -> None:
    nhs_number = nhs_number_make()
    mine = network_create(family_name="Reilly", nhs_number=nhs_number)
    network_create(family_name="Reilly")  # someone else's
    client = client_for(coordinator_of(mine))

    by_number = client.get(PEOPLE, {"nhs_number": f"{nhs_number[:5]} {nhs_number[5:]}"})
    by_name = client.get(PEOPLE, {"family_name": "reilly", "date_of_birth": "2015-03-14"})
    stranger = client_for(staff_create()).get(PEOPLE, {"nhs_number": nhs_number})

    assert [p["id"] for p in by_number.json()["results"]] == [mine.person.pk]
    assert by_number.json()["results"][0]["network_id"] == mine.pk
    assert [p["id"] for p in by_name.json()["results"]] == [mine.person.pk]
    assert stranger.json()["count"] == 0
    searches = AuditEvent.objects.filter(action=AuditAction.SEARCH, channel="api")
    assert searches.filter(person=mine.person).count() == 2
    assert all(nhs_number not in event.summary for event in searches)
    assert all("Reilly" not in event.summary.title() for event in searches)


def test_a_search_needs_something_to_search_by() -> None:
    response = client_for(staff_create()).get(PEOPLE, {"given_name": "Alex"})

    assert response.status_code == 400
    assert "non_field_errors" in errors(response)


def test_a_reviewing_safeguarding_lead_reads_but_does_not_edit_as_a_member() -> None:
    agency = AgencyFactory.create()
    network = network_create(agency=agency)
    lead = staff_create(agency=agency, role=StaffRole.SAFEGUARDING_LEAD)
    url = f"{API}/people/{network.person.pk}/"
    client = client_for(lead)

    read = client.get(url)
    change = client.patch(url, {"given_name": "X"}, HTTP_IF_MATCH=read["ETag"])

    assert read.status_code == 200
    assert read.json()["identifiers"] is not None
    assert change.status_code == 403  # a lead reviews; joining is how they would edit


def test_stored_answers_are_forgotten_after_a_day() -> None:
    client = client_for(staff_create())
    client.post(PEOPLE, registration(), HTTP_IDEMPOTENCY_KEY="old")
    client.post(PEOPLE, registration(given_name="Sam"), HTTP_IDEMPOTENCY_KEY="new")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(days=2))

    assert idempotency_key_purge_task() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
