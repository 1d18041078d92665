"""Registering a person, the "record already exists" page, requests to join, and search."""

from __future__ import annotations

import pytest

from caregraph.models import (
    AuditAction,
    AuditEvent,
    Identifier,
    JoinRequest,
    JoinRequestStatus,
    Membership,
    Person,
)
from tests.factories import UserFactory
from tests.frontend.conftest import NHS_NUMBER, error_summary, register, signed_in, staff, text

pytestmark = pytest.mark.django_db

REGISTER = "/people/register/"
SEARCH = "/people/search/"
FILLED = {
    "given_name": "Leo",
    "family_name": "Okafor",
    "date_of_birth_day": "9",
    "date_of_birth_month": "11",
    "date_of_birth_year": "2019",
    "postcode": "ls6 2ab",
    "address": "4 Hyde Park Road",
    "nhs_number": "",
    "upn": "",
    "ni_number": "",
    "case_reference": "",
}


def test_only_agency_staff_may_register(network, family_member) -> None:
    client = signed_in(family_member)
    assert client.get(REGISTER).status_code == 404
    assert client.post(REGISTER, FILLED).status_code == 404
    assert not Person.objects.filter(family_name="Okafor").exists()


def test_registering_opens_the_new_network_with_a_success_banner(practitioner) -> None:
    client = signed_in(practitioner)
    assert "Register a person" in text(client.get(REGISTER))

    response = client.post(
        REGISTER, {**FILLED, "nhs_number": "943 476 5919", "case_reference": "cin-2026/17"}
    )

    person = Person.objects.get(family_name="Okafor")
    assert response.status_code == 302
    assert response["Location"] == f"/networks/{person.network.pk}/"
    page = text(client.get(response["Location"]))
    assert "Success Leo Okafor is registered and their network started." in page
    assert "Postcode LS6 2AB" in page
    assert "NHS Number 943 476 5919" in page
    assert "CIN-2026/17" in page
    assert Membership.objects.get(network=person.network, user=practitioner).is_coordinator


def test_mistakes_are_named_in_the_error_summary_and_nothing_is_saved(practitioner) -> None:
    client = signed_in(practitioner)
    response = client.post(
        REGISTER,
        {
            **FILLED,
            "given_name": "",
            "date_of_birth_month": "",
            "postcode": "NOT A CODE",
            "nhs_number": "943 476 5918",
        },
    )

    summary = error_summary(response)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in summary
    assert "Enter the given name" in summary
    assert "Date of birth must include a month" in summary
    assert "Enter a real postcode" in summary
    assert "The last digit of this NHS Number does not match" in summary
    assert 'href="#id_date_of_birth_month"' in html
    assert 'href="#id_given_name"' in html
    assert "<title>Error: Register a person \u2013 Caregraph</title>" in html
    assert 'value="Okafor"' in html  # what was typed is kept
    assert 'value="943 476 5918"' in html
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "part"),
    [
        ("", "", "", "Enter the date of birth", "day"),
        ("31", "2", "2019", "Date of birth must be a real date", "day"),
        ("9", "11", "19", "Year must include 4 numbers", "year"),
        ("9", "", "", "Date of birth must include a month and year", "month"),
        ("9", "11", "2999", "Date of birth must be today or in the past", "day"),
    ],
)
def test_date_of_birth_errors_name_the_part(practitioner, day, month, year, message, part) -> None:
    response = signed_in(practitioner).post(
        REGISTER,
        {
            **FILLED,
            "date_of_birth_day": day,
            "date_of_birth_month": month,
            "date_of_birth_year": year,
        },
    )
    assert message in error_summary(response)
    assert f'href="#id_date_of_birth_{part}"' in response.content.decode()
    assert Person.objects.count() == 0


def test_a_known_identifier_shows_nothing_of_the_record_and_offers_to_ask(network, agency) -> None:
    other = staff()
    client = signed_in(other)

    response = client.post(REGISTER, {**FILLED, "nhs_number": NHS_NUMBER}, follow=True)

    page, html = text(response), response.content.decode()
    assert response.redirect_chain == [("/people/register/existing/", 302)]
    assert "A record already exists for this person" in page
    assert "Ask to join their network" in page
    for leak in ("Ava", "Thompson", "2016", "LS1", "Park Row", "Northfield", "943"):
        assert leak not in page, leak
    assert f"/networks/{network.pk}/" not in html
    assert Person.objects.count() == 1
    assert Identifier.objects.filter(value=NHS_NUMBER).count() == 1


def test_the_record_exists_page_is_not_found_without_a_registration(network) -> None:
    assert signed_in(staff()).get("/people/register/existing/").status_code == 404


def test_asking_to_join_then_the_coordinator_approves(practitioner, network) -> None:
    other = staff()
    client = signed_in(other)
    client.post(REGISTER, {**FILLED, "nhs_number": NHS_NUMBER})

    empty = client.post("/people/register/existing/", {"reason": " "})
    assert "Say why you need to join this network" in error_summary(empty)
    assert not JoinRequest.objects.exists()

    asked = client.post("/people/register/existing/", {"reason": "Allocated social worker"})
    assert asked["Location"] == "/"
    assert client.get(f"/networks/{network.pk}/").status_code == 404

    coordinator = signed_in(practitioner)
    requests_page = text(coordinator.get(f"/networks/{network.pk}/join-requests/"))
    assert f"{other.display_name}" in requests_page
    assert "Allocated social worker" in requests_page

    join_request = JoinRequest.objects.get()
    decided = coordinator.post(
        f"/networks/{network.pk}/join-requests/{join_request.pk}/", {"decision": "approve"}
    )
    assert decided.status_code == 302
    assert client.get(f"/networks/{network.pk}/").status_code == 200
    assert "Ava Thompson" in text(client.get("/"))


def test_a_declined_request_gives_no_access(practitioner, network) -> None:
    other = staff()
    asking = signed_in(other)
    asking.post(REGISTER, {**FILLED, "nhs_number": NHS_NUMBER})
    asking.post("/people/register/existing/", {"reason": "Allocated"})
    join_request = JoinRequest.objects.get()

    signed_in(practitioner).post(
        f"/networks/{network.pk}/join-requests/{join_request.pk}/", {"decision": "decline"}
    )

    assert JoinRequest.objects.get().status == JoinRequestStatus.DECLINED
    assert signed_in(other).get(f"/networks/{network.pk}/").status_code == 404


def test_only_coordinators_see_or_decide_requests_to_join(network, family_member) -> None:
    other = staff()
    asking = signed_in(other)
    asking.post(REGISTER, {**FILLED, "nhs_number": NHS_NUMBER})
    asking.post("/people/register/existing/", {"reason": "Allocated"})
    join_request = JoinRequest.objects.get()
    client = signed_in(family_member)

    assert client.get(f"/networks/{network.pk}/join-requests/").status_code == 404
    decided = client.post(
        f"/networks/{network.pk}/join-requests/{join_request.pk}/", {"decision": "approve"}
    )
    assert decided.status_code == 404
    assert JoinRequest.objects.get().status == JoinRequestStatus.PENDING


def test_search_by_nhs_number_finds_only_what_the_user_may_see(practitioner, network) -> None:
    found = signed_in(practitioner).post(SEARCH, {"nhs_number": "943-476-5919"})
    assert "Ava Thompson 27 March 2016 LS1 4AP" in text(found)
    assert f'href="/networks/{network.pk}/"' in found.content.decode()

    not_theirs = signed_in(staff()).post(SEARCH, {"nhs_number": NHS_NUMBER})
    assert "Ava Thompson" not in text(not_theirs)
    assert "We found nobody whose network you can see." in text(not_theirs)


def test_search_by_name_and_date_of_birth(practitioner, network) -> None:
    register(practitioner, given_name="Ava", family_name="Thompson", date_of_birth=None)
    response = signed_in(practitioner).post(
        SEARCH,
        {
            "family_name": "thompson",
            "given_name": "av",
            "date_of_birth_day": "27",
            "date_of_birth_month": "3",
            "date_of_birth_year": "2016",
        },
    )
    assert text(response).count("Ava Thompson") == 1


def test_searches_are_audited_without_what_was_searched_for(practitioner, network) -> None:
    signed_in(practitioner).post(SEARCH, {"nhs_number": NHS_NUMBER})
    stranger = staff()
    signed_in(stranger).post(
        SEARCH,
        {
            "family_name": "Thompson",
            "given_name": "Ava",
            "date_of_birth_day": "27",
            "date_of_birth_month": "3",
            "date_of_birth_year": "2016",
        },
    )

    searches = AuditEvent.objects.filter(action=AuditAction.SEARCH).order_by("pk")
    assert [(event.actor, event.person) for event in searches] == [
        (practitioner, network.person),
        (stranger, None),
    ]
    for event in searches:
        for searched in (NHS_NUMBER, "943 476", "Thompson", "Ava", "2016"):
            assert searched not in event.summary
    assert searches[0].summary == "Searched by NHS Number: found this record"


def test_search_says_what_is_missing(practitioner) -> None:
    client = signed_in(practitioner)
    nothing = client.post(SEARCH, {})
    assert "Enter an NHS Number, or a family name, given name and date of birth" in (
        error_summary(nothing)
    )
    partial = client.post(SEARCH, {"family_name": "Thompson"})
    assert "Enter the given name" in error_summary(partial)
    assert "Enter the date of birth" in error_summary(partial)
    assert 'value="Thompson"' in partial.content.decode()
    wrong = client.post(SEARCH, {"nhs_number": "123"})
    assert "An NHS Number is 10 digits long; you entered 3" in error_summary(wrong)
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


def test_family_may_search_their_own_networks(network, family_member) -> None:
    assert "Ava Thompson" in text(signed_in(family_member).post(SEARCH, {"nhs_number": NHS_NUMBER}))
    assert signed_in(UserFactory.create()).get(SEARCH).status_code == 200
