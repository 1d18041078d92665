"""Identifiers typed in other Unicode characters through the API: one person, never two.

The attacks: the full-width form of a registered NHS Number made a second person; numbers of
one repeated digit (which pass the check digit but are never issued) were accepted.
"""

import pytest

from caregraph.models import Identifier, Person
from tests.api.helpers import API, client_for, coordinator_of, errors, network_create
from tests.factories import nhs_number_make, staff_create

pytestmark = pytest.mark.django_db
PEOPLE = f"{API}/people/"


def full_width(text: str) -> str:
    """What an East Asian keyboard types for ASCII letters and digits."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def registration(**fields: object) -> dict[str, object]:
    return {
        "given_name": "Jordan",
        "family_name": "Reilly",
        "date_of_birth": "2016-07-02",
        **fields,
    }


def test_the_full_width_form_of_a_registered_number_links_to_the_same_person() -> None:
    nhs_number = nhs_number_make()
    network = network_create(nhs_number=nhs_number)

    response = client_for(staff_create()).post(
        PEOPLE, registration(nhs_number=full_width(nhs_number))
    )

    assert response.status_code == 200
    assert response.json()["status"] == "exists"
    assert response.json()["join_request_url"] == f"{API}/networks/{network.pk}/join-requests/"
    assert Person.objects.count() == 1
    assert list(Identifier.objects.values_list("value", flat=True)) == [nhs_number]


@pytest.mark.parametrize("digits", ["arabic_indic", "full_width"])
def test_a_number_in_other_digits_is_stored_as_ascii_digits(digits: str) -> None:
    nhs_number = nhs_number_make()
    typed = (
        full_width(nhs_number)
        if digits == "full_width"
        else "".join(chr(0x0660 + int(d)) for d in nhs_number)
    )

    response = client_for(staff_create()).post(PEOPLE, registration(nhs_number=typed))

    assert response.status_code == 201
    assert response.json()["nhs_number"] == nhs_number
    assert Identifier.objects.get().value == nhs_number


@pytest.mark.parametrize(
    "typed",
    ["0000000000", "1111111111", "444 444 4444", "\uff17" * 10],  # full-width sevens
)
def test_a_number_of_one_repeated_digit_is_refused_naming_the_field(typed: str) -> None:
    staff = staff_create()

    as_field = client_for(staff).post(PEOPLE, registration(nhs_number=typed))
    in_identifiers = client_for(staff).post(
        PEOPLE, registration(identifiers=[{"system": "nhs_number", "value": typed}])
    )

    assert as_field.status_code == in_identifiers.status_code == 400
    assert errors(as_field) == {
        "nhs_number": [
            "This is not a real NHS Number: no NHS Number is one digit repeated 10 times"
        ]
    }
    assert "one digit repeated" in errors(in_identifiers)["identifiers.0.value"][0]
    assert not Person.objects.exists()


def test_superscript_digits_are_refused_not_read_as_digits() -> None:
    nhs_number = nhs_number_make()
    superscripts = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

    response = client_for(staff_create()).post(
        PEOPLE, registration(nhs_number=nhs_number.translate(superscripts))
    )

    assert response.status_code == 400
    assert errors(response) == {
        "nhs_number": ["An NHS Number can only contain digits, spaces and hyphens"]
    }


def test_search_by_full_width_digits_finds_the_person() -> None:
    nhs_number = nhs_number_make()
    network = network_create(nhs_number=nhs_number)

    found = client_for(coordinator_of(network)).get(
        PEOPLE, {"nhs_number": full_width(f"{nhs_number[:3]} {nhs_number[3:6]} {nhs_number[6:]}")}
    )

    assert found.status_code == 200
    assert [person["id"] for person in found.json()["results"]] == [network.person.pk]


def test_the_identifiers_endpoint_normalises_and_refuses_alike() -> None:
    held_number = nhs_number_make()
    network_create(nhs_number=held_number)
    network = network_create()
    client = client_for(coordinator_of(network))
    url = f"{API}/people/{network.person.pk}/identifiers/"

    held = client.post(url, {"system": "nhs_number", "value": full_width(held_number)})
    repeated = client.post(url, {"system": "nhs_number", "value": "2222222222"})
    ni_number = client.post(url, {"system": "ni_number", "value": full_width("ab 12 34 56 c")})

    assert held.status_code == 400
    assert "Another person's record has this identifier" in errors(held)["value"][0]
    assert repeated.status_code == 400
    assert "one digit repeated" in errors(repeated)["value"][0]
    assert ni_number.status_code == 201
    assert ni_number.json()["value"] == "AB123456C"
    assert Identifier.objects.filter(value=full_width(held_number)).count() == 0
