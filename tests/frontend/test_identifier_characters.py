"""Identifiers typed in other Unicode characters on the pages: one person, never two."""

from __future__ import annotations

import pytest

from caregraph.models import Identifier, Person
from tests.frontend.conftest import NHS_NUMBER, error_summary, signed_in, staff, text

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


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_registering_the_full_width_form_of_a_known_number_asks_to_join(network) -> None:
    response = signed_in(staff()).post(
        REGISTER, {**FILLED, "nhs_number": full_width(NHS_NUMBER)}, follow=True
    )

    assert response.redirect_chain == [("/people/register/existing/", 302)]
    assert "A record already exists for this person" in text(response)
    assert Person.objects.count() == 1
    assert list(Identifier.objects.values_list("value", flat=True)) == [NHS_NUMBER]


def test_a_repeated_digit_number_is_named_in_the_error_summary(practitioner) -> None:
    response = signed_in(practitioner).post(REGISTER, {**FILLED, "nhs_number": "000 000 0000"})

    assert response.status_code == 200
    assert (
        "This is not a real NHS Number: no NHS Number is one digit repeated 10 times"
        in error_summary(response)
    )
    assert 'href="#id_nhs_number"' in response.content.decode()
    assert not Person.objects.exists()


def test_full_width_letters_and_digits_are_stored_plain(practitioner) -> None:
    response = signed_in(practitioner).post(
        REGISTER,
        {**FILLED, "ni_number": full_width("ab 12 34 56 c"), "case_reference": full_width("cin/7")},
    )

    assert response.status_code == 302
    assert set(Identifier.objects.values_list("value", flat=True)) == {"AB123456C", "CIN/7"}


def test_search_by_full_width_digits_finds_the_person(practitioner, network) -> None:
    found = signed_in(practitioner).post(SEARCH, {"nhs_number": full_width("943-476-5919")})

    assert "Ava Thompson 27 March 2016 LS1 4AP" in text(found)
    assert f'href="/networks/{network.pk}/"' in found.content.decode()
