"""Identifiers in any Unicode characters: normalised to plain ASCII, or refused; and the
`identifiers_check` command that finds stored rows breaking the rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from caregraph.identifiers import (
    case_reference_normalise,
    nhs_number_normalise,
    ni_number_normalise,
    upn_normalise,
)
from caregraph.models import Identifier, IdentifierSystem
from tests.factories import nhs_number_for_test
from tests.networks import network_create

NHS_NUMBER = nhs_number_for_test(0)  # 9990000018


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def in_digits_from(zero: int, number: str) -> str:
    return "".join(chr(zero + int(digit)) for digit in number)


@pytest.mark.parametrize(
    "typed",
    [
        full_width(NHS_NUMBER),
        full_width("999 000 0018"),
        in_digits_from(0x0660, NHS_NUMBER),  # Arabic-Indic
        in_digits_from(0x0966, NHS_NUMBER),  # Devanagari
        "999\u2013000\u20130018",  # en dashes
        "999\u3000000\u00a00018",  # ideographic and no-break spaces
        "\u200e999 000 0018\u200b",  # invisible marks carried by copy and paste
    ],
)
def test_an_nhs_number_in_any_digits_is_stored_as_ascii_digits(typed: str) -> None:
    assert nhs_number_normalise(typed) == NHS_NUMBER


@pytest.mark.parametrize(
    "typed",
    [
        NHS_NUMBER[:9] + "⁸",  # superscript: isdigit() is True, but it is no digit
        NHS_NUMBER[:9] + "⑧",
        NHS_NUMBER[:9] + "8\u0308",  # a combining mark on the last digit
    ],
)
def test_characters_that_only_look_numeric_are_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        nhs_number_normalise(typed)
    assert refused.value.code == "not_digits"


@pytest.mark.parametrize("digit", "0123456789")
def test_no_number_of_one_repeated_digit_is_accepted(digit: str) -> None:
    with pytest.raises(ValidationError) as refused:
        nhs_number_normalise(digit * 10)
    assert refused.value.code == "repeated_digit"
    assert refused.value.messages == [
        "This is not a real NHS Number: no NHS Number is one digit repeated 10 times"
    ]


def test_other_identifiers_in_full_width_letters_and_digits_are_stored_plain() -> None:
    assert upn_normalise(full_width("b801 2000 05001")) == "B801200005001"
    assert ni_number_normalise(full_width("ab 12 34 56 c")) == "AB123456C"
    assert case_reference_normalise(full_width("cs/2024-001")) == "CS/2024-001"


@pytest.mark.parametrize(
    ("normalise", "typed"),
    [
        (ni_number_normalise, "AB12345\u0665C"),  # Arabic-Indic five: normalised, accepted
        (upn_normalise, "B80120000500\u0661"),
    ],
)
def test_digits_of_other_scripts_count_in_every_system(normalise, typed: str) -> None:  # type: ignore[no-untyped-def]
    assert normalise(typed).isascii()


@pytest.mark.parametrize(
    ("normalise", "typed"),
    [
        (ni_number_normalise, "\u0410\u0412123456\u0421"),  # Cyrillic letters that look Latin
        (upn_normalise, "\u0392801200005001"),  # a Greek capital beta
        (case_reference_normalise, "CS/2024/00²"),
    ],
)
def test_look_alike_letters_and_superscripts_are_refused(normalise, typed: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        normalise(typed)


# --- identifiers_check ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_check_passes_when_every_stored_identifier_keeps_the_rules(capsys) -> None:  # type: ignore[no-untyped-def]
    network_create(nhs_number=nhs_number_for_test(1))

    call_command("identifiers_check")

    assert "Every stored identifier keeps the current rules." in capsys.readouterr().out


@pytest.mark.django_db
def test_the_check_lists_rows_stored_before_the_rules_and_fails(capsys) -> None:  # type: ignore[no-untyped-def]
    registered = network_create(nhs_number=nhs_number_for_test(2)).person
    other = network_create(nhs_number=nhs_number_for_test(3)).person
    # Rows written straight to the table, as the old rules let them in.
    repeated = Identifier.objects.create(
        person=other, system=IdentifierSystem.NHS_NUMBER, value="0000000000"
    )
    twin = network_create().person
    Identifier.objects.filter(person=twin).update(value=full_width(nhs_number_for_test(2)))
    full_width_row = Identifier.objects.get(person=twin)

    with pytest.raises(CommandError) as failed:
        call_command("identifiers_check")

    assert failed.value.returncode == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(f"identifier {repeated.pk}  nhs_number  person {other.pk}  ")
    assert "one digit repeated" in lines[0]
    assert lines[1].startswith(f"identifier {full_width_row.pk}  nhs_number  person {twin.pk}  ")
    assert "normal form" in lines[1]
    registered_row = Identifier.objects.get(person=registered)
    assert f"same identifier as row {registered_row.pk} (person {registered.pk})" in lines[2]
    output = "\n".join(lines)
    assert "0000000000" not in output
    assert full_width(nhs_number_for_test(2)) not in output
    assert "********00" in lines[0]
