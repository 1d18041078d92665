"""Identifiers are checked by their own rules, stored normalised, and each mistake is named."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from caregraph.identifiers import (
    case_reference_normalise,
    identifier_display,
    identifier_normalise,
    nhs_number_display,
    nhs_number_normalise,
    ni_number_normalise,
    upn_normalise,
)
from caregraph.models import IdentifierSystem
from tests.factories import nhs_number_for_test

VALID_NHS_NUMBER = nhs_number_for_test(0)
# 999 000 000 gives a check value of 10, so has no valid number. 999 000 001:
# 9*10 + 9*9 + 9*8 + 1*2 = 245, 245 % 11 = 3, 11 - 3 = 8, so 999 000 0018.
KNOWN_VALID_NHS_NUMBER = "9990000018"


def _refusal(normalise, raw: str) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        normalise(raw)
    return refused.value


def _base_with_check_value_10() -> str:
    for base in range(999_000_000, 999_001_000):
        digits = str(base)
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        if 11 - total % 11 == 10:
            return digits
    raise AssertionError("no base with check value 10 in the first thousand")


def test_the_test_range_generator_makes_numbers_the_check_accepts() -> None:
    assert VALID_NHS_NUMBER == KNOWN_VALID_NHS_NUMBER
    assert nhs_number_normalise(nhs_number_for_test(3)) == nhs_number_for_test(3)


@pytest.mark.parametrize(
    "typed",
    ["9990000018", "999 000 0018", "999-000-0018", " 999 - 000 - 0018 ", "999\t000\n0018"],
)
def test_nhs_number_typed_with_spaces_or_hyphens_is_stored_as_ten_digits(typed: str) -> None:
    assert nhs_number_normalise(typed) == "9990000018"


def test_each_kind_of_wrong_nhs_number_is_refused_with_its_own_message() -> None:
    wrong_check_digit = VALID_NHS_NUMBER[:9] + str((int(VALID_NHS_NUMBER[9]) + 1) % 10)
    refusals = {
        "check_digit": _refusal(nhs_number_normalise, wrong_check_digit),
        "length_9": _refusal(nhs_number_normalise, VALID_NHS_NUMBER[:9]),
        "length_11": _refusal(nhs_number_normalise, VALID_NHS_NUMBER + "1"),
        "not_digits": _refusal(nhs_number_normalise, "999 OOO 0018"),
        "check_value_10": _refusal(nhs_number_normalise, _base_with_check_value_10() + "0"),
        "required": _refusal(nhs_number_normalise, " - "),
    }

    assert {name: error.code for name, error in refusals.items()} == {
        "check_digit": "check_digit",
        "length_9": "length",
        "length_11": "length",
        "not_digits": "not_digits",
        "check_value_10": "check_value_10",
        "required": "required",
    }
    messages = {name: error.messages[0] for name, error in refusals.items()}
    assert len(set(messages.values())) == len(messages), messages
    assert messages["length_9"] == "An NHS Number is 10 digits long; you entered 9"
    assert messages["length_11"] == "An NHS Number is 10 digits long; you entered 11"
    assert "typing mistake" in messages["check_digit"]
    assert "check value of 10" in messages["check_value_10"]
    assert "only contain digits" in messages["not_digits"]


@pytest.mark.parametrize("last_digit", range(10))
def test_only_the_right_check_digit_is_accepted(last_digit: int) -> None:
    typed = VALID_NHS_NUMBER[:9] + str(last_digit)
    if typed == VALID_NHS_NUMBER:
        assert nhs_number_normalise(typed) == VALID_NHS_NUMBER
    else:
        assert _refusal(nhs_number_normalise, typed).code == "check_digit"


def test_a_check_value_of_11_means_a_check_digit_of_0() -> None:
    for base in range(999_000_000, 999_001_000):
        digits = str(base)
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        if total % 11 == 0:
            assert nhs_number_normalise(digits + "0") == digits + "0"
            return
    raise AssertionError("no base with check value 11 in the first thousand")


def test_nhs_number_is_shown_as_3_3_4() -> None:
    assert nhs_number_display("9990000018") == "999 000 0018"
    assert identifier_display(system=IdentifierSystem.NHS_NUMBER, value="9990000018") == (
        "999 000 0018"
    )


def test_other_identifiers_are_shown_as_stored() -> None:
    assert identifier_display(system=IdentifierSystem.UPN, value="B801200005001") == (
        "B801200005001"
    )


def test_upn_is_accepted_in_lower_case_with_spaces_and_stored_upper_case() -> None:
    assert upn_normalise("b801 2000 05001") == "B801200005001"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("B80120000500", "length"),
        ("A801200005001", "check_letter"),
        ("B8012000050X1", "format"),
        ("", "required"),
    ],
)
def test_wrong_upn_is_refused_saying_what_is_wrong(typed: str, code: str) -> None:
    assert _refusal(upn_normalise, typed).code == code


def test_ni_number_is_stored_without_spaces_in_capitals() -> None:
    assert ni_number_normalise("ab 12 34 56 c") == "AB123456C"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("AB123456E", "format"),  # the last letter is A to D
        ("Q1234567C", "format"),
        ("DA123456A", "prefix"),  # D is never a first letter
        ("AO123456A", "prefix"),  # O is never a second letter
        ("GB123456A", "prefix"),  # never issued
        ("", "required"),
    ],
)
def test_wrong_ni_number_is_refused_saying_what_is_wrong(typed: str, code: str) -> None:
    assert _refusal(ni_number_normalise, typed).code == code


def test_ni_number_prefix_refusal_names_the_prefix() -> None:
    assert _refusal(ni_number_normalise, "GB123456A").messages == [
        "No National Insurance number starts with GB"
    ]


def test_case_reference_is_trimmed_and_upper_cased() -> None:
    assert case_reference_normalise("  cs/2024-001.a ") == "CS/2024-001.A"


@pytest.mark.parametrize(("typed", "code"), [("CS 2024", "format"), ("A" * 31, "format")])
def test_case_reference_with_spaces_or_over_30_characters_is_refused(typed: str, code: str) -> None:
    assert _refusal(case_reference_normalise, typed).code == code


def test_identifier_normalise_uses_the_rules_of_the_system_named() -> None:
    assert identifier_normalise(system=IdentifierSystem.NHS_NUMBER, value="999-000-0018") == (
        "9990000018"
    )
    assert identifier_normalise(system=IdentifierSystem.NI_NUMBER, value="ab123456c") == (
        "AB123456C"
    )
    with pytest.raises(ValidationError) as refused:
        identifier_normalise(system="passport", value="123")
    assert refused.value.code == "system"
