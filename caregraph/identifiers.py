"""Identifiers of a person: checked by their own rules and stored normalised.

Each check raises ``ValidationError`` with a message that says what is wrong, so that the
form or API can show it beside the field.

Whatever was typed, a stored value is plain ASCII: every identifier first goes through
``identifier_characters_normalise``, so that the same number typed in full-width digits
(as an East Asian keyboard gives), or pasted with invisible characters, is the same value
when it is stored, looked up or matched, and never makes a second person.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from stdnum import exceptions as stdnum_errors
from stdnum.gb import nhs, upn

from caregraph.models import IdentifierSystem

SEPARATORS = re.compile(r"[\s-]+")
NHS_WEIGHTS = range(10, 1, -1)
ASCII_DIGITS = re.compile(r"[0-9]+")
MINUS_SIGN = "\u2212"


def identifier_characters_normalise(raw: str) -> str:
    """The characters of a typed identifier in their plain form, before any rule is checked.

    - A decimal digit of any script (full-width, Arabic-Indic, Devanagari, ...) becomes
      its ASCII digit: ``str.isdecimal`` and ``unicodedata.decimal``, never ``isdigit``,
      which is true for superscripts too.
    - Other characters with a numeric value (superscripts, circled numbers, fractions) are
      kept as they are, so that the rules refuse them instead of reading ² as 2.
    - Invisible format characters that copying and pasting carries along are dropped.
    - Everything else takes its NFKC form (a full-width letter becomes its ASCII letter),
      and every kind of dash becomes a hyphen.
    """
    characters = []
    for character in raw or "":
        if character.isdecimal():
            characters.append(str(unicodedata.decimal(character)))
        elif character.isnumeric():
            characters.append(character)
        elif unicodedata.category(character) == "Cf":
            continue
        else:
            characters.extend(
                "-" if unicodedata.category(plain) == "Pd" or plain == MINUS_SIGN else plain
                for plain in unicodedata.normalize("NFKC", character)
            )
    return "".join(characters)


def nhs_number_check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit for 9 digits, or None where it would be 10 (no valid number)."""
    check = 11 - sum(int(d) * w for d, w in zip(first_nine, NHS_WEIGHTS, strict=False)) % 11
    if check == 10:
        return None
    return check % 11


def nhs_number_normalise(raw: str) -> str:
    """Returns the 10 ASCII digits of a valid NHS Number, or says exactly why it is not one.

    Digits of any script count as the same digits; a number of one digit repeated passes the
    check digit but is never issued, so it is refused.
    """
    number = SEPARATORS.sub("", identifier_characters_normalise(raw))
    if not number:
        raise ValidationError("Enter an NHS Number", code="required")
    if not ASCII_DIGITS.fullmatch(number):
        raise ValidationError(
            "An NHS Number can only contain digits, spaces and hyphens", code="not_digits"
        )
    if len(number) != 10:
        raise ValidationError(
            f"An NHS Number is 10 digits long; you entered {len(number)}", code="length"
        )
    if len(set(number)) == 1:
        raise ValidationError(
            "This is not a real NHS Number: no NHS Number is one digit repeated 10 times",
            code="repeated_digit",
        )
    check = nhs_number_check_digit(number[:9])
    if check is None:
        raise ValidationError(
            "This is not a valid NHS Number: its first 9 digits give a check value of 10, "
            "which no NHS Number has",
            code="check_value_10",
        )
    if check != int(number[9]) or not nhs.is_valid(number):
        raise ValidationError(
            "The last digit of this NHS Number does not match the others: "
            "check it for a typing mistake",
            code="check_digit",
        )
    return number


def nhs_number_display(number: str) -> str:
    """An NHS Number as people read it: 3 3 4."""
    return f"{number[:3]} {number[3:6]} {number[6:]}" if len(number) == 10 else number


UPN_CHARACTERS = re.compile(r"[A-Z0-9]+")


def upn_normalise(raw: str) -> str:
    number = SEPARATORS.sub("", identifier_characters_normalise(raw)).upper()
    if not number:
        raise ValidationError("Enter a Unique Pupil Number", code="required")
    if not UPN_CHARACTERS.fullmatch(number):
        raise ValidationError(
            "A Unique Pupil Number can only contain letters, digits, spaces and hyphens",
            code="format",
        )
    try:
        return str(upn.validate(number))
    except stdnum_errors.InvalidLength as error:
        raise ValidationError(
            "A Unique Pupil Number is 13 characters long", code="length"
        ) from error
    except stdnum_errors.InvalidChecksum as error:
        raise ValidationError(
            "The check letter of this Unique Pupil Number does not match: "
            "check it for a typing mistake",
            code="check_letter",
        ) from error
    except stdnum_errors.ValidationError as error:
        raise ValidationError(
            "A Unique Pupil Number is a check letter, a 3-digit local authority number "
            "and 9 more characters",
            code="format",
        ) from error


NINO_PATTERN = re.compile(r"^([A-Z]{2})([0-9]{6})([A-D])$")
NINO_BAD_FIRST, NINO_BAD_SECOND = set("DFIQUV"), set("DFIOQUV")
NINO_BAD_PREFIXES = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def ni_number_normalise(raw: str) -> str:
    number = SEPARATORS.sub("", identifier_characters_normalise(raw)).upper()
    if not number:
        raise ValidationError("Enter a National Insurance number", code="required")
    match = NINO_PATTERN.match(number)
    if not match:
        raise ValidationError(
            "A National Insurance number is 2 letters, 6 digits and a letter from A to D, "
            "like AB 12 34 56 C",
            code="format",
        )
    prefix = match.group(1)
    if prefix[0] in NINO_BAD_FIRST or prefix[1] in NINO_BAD_SECOND or prefix in NINO_BAD_PREFIXES:
        raise ValidationError(f"No National Insurance number starts with {prefix}", code="prefix")
    return number


CASE_REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9/._-]{0,29}$")


def case_reference_normalise(raw: str) -> str:
    reference = identifier_characters_normalise(raw).strip().upper()
    if not reference:
        raise ValidationError("Enter the case reference", code="required")
    if not CASE_REFERENCE.match(reference):
        raise ValidationError(
            "A case reference is up to 30 letters, digits, hyphens, dots or slashes",
            code="format",
        )
    return reference


NORMALISERS = {
    IdentifierSystem.NHS_NUMBER: nhs_number_normalise,
    IdentifierSystem.UPN: upn_normalise,
    IdentifierSystem.NI_NUMBER: ni_number_normalise,
    IdentifierSystem.LA_CASE_REFERENCE: case_reference_normalise,
}


def identifier_normalise(*, system: str, value: str) -> str:
    if system not in NORMALISERS:
        raise ValidationError(f"Unknown identifier system {system!r}", code="system")
    return NORMALISERS[IdentifierSystem(system)](value)


def identifier_display(*, system: str, value: str) -> str:
    if system == IdentifierSystem.NHS_NUMBER:
        return nhs_number_display(value)
    return value


# --- Rows stored before the current rules ----------------------------------------------------


@dataclass(frozen=True)
class IdentifierRow:
    """One stored identifier, as `identifiers_review` reads it."""

    id: int
    system: str
    agency_id: int | None
    person_id: int
    value: str


@dataclass(frozen=True)
class IdentifierReview:
    """A stored identifier that breaks the current rules, and what a person should check."""

    row: IdentifierRow
    problem: str

    @property
    def masked_value(self) -> str:
        """Enough of the value to find it, not enough to read it out: the last 2 characters."""
        value = self.row.value
        return "*" * max(len(value) - 2, 0) + value[-2:]


def identifiers_review(rows: Iterable[IdentifierRow]) -> list[IdentifierReview]:
    """The stored identifiers that break the current rules, by id, each with its problem.

    A value is refused by its system's rules (a repeated-digit NHS Number, say), or is not in
    the form those rules store (full-width digits, lower case, spaces), or is the same as
    another row's once both are normalised: the same identifier twice, perhaps on two people.
    None of these is changed here: a person reviews each, and merges people where needed.
    """
    reviews: list[IdentifierReview] = []
    holders: dict[tuple[str, int | None, str], list[IdentifierRow]] = {}
    for row in rows:
        try:
            normalised = identifier_normalise(system=row.system, value=row.value)
        except ValidationError as refused:
            reviews.append(IdentifierReview(row=row, problem=" ".join(refused.messages)))
            continue
        if normalised != row.value:
            reviews.append(
                IdentifierReview(
                    row=row,
                    problem="Not stored in its normal form (for example full-width digits, "
                    "lower case or spaces)",
                )
            )
        holders.setdefault((row.system, row.agency_id, normalised), []).append(row)
    for same in holders.values():
        for row in same[1:]:
            reviews.append(
                IdentifierReview(
                    row=row,
                    problem=f"The same identifier as row {same[0].id} "
                    f"(person {same[0].person_id}) once both are normalised",
                )
            )
    return sorted(reviews, key=lambda review: review.row.id)
