"""Identifiers of a person: checked by their own rules and stored normalised.

Each check raises ``ValidationError`` with a message that says what is wrong, so that the
form or API can show it beside the field.
"""

import re

from django.core.exceptions import ValidationError
from stdnum import exceptions as stdnum_errors
from stdnum.gb import nhs, upn

from caregraph.models import IdentifierSystem

SEPARATORS = re.compile(r"[\s-]+")
NHS_WEIGHTS = range(10, 1, -1)


def nhs_number_check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit for 9 digits, or None where it would be 10 (no valid number)."""
    check = 11 - sum(int(d) * w for d, w in zip(first_nine, NHS_WEIGHTS, strict=False)) % 11
    if check == 10:
        return None
    return check % 11


def nhs_number_normalise(raw: str) -> str:
    """Returns the 10 digits of a valid NHS Number, or says exactly why it is not one."""
    number = SEPARATORS.sub("", raw or "")
    if not number:
        raise ValidationError("Enter an NHS Number", code="required")
    if not number.isdigit():
        raise ValidationError(
            "An NHS Number can only contain digits, spaces and hyphens", code="not_digits"
        )
    if len(number) != 10:
        raise ValidationError(
            f"An NHS Number is 10 digits long; you entered {len(number)}", code="length"
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


def upn_normalise(raw: str) -> str:
    number = SEPARATORS.sub("", raw or "").upper()
    if not number:
        raise ValidationError("Enter a Unique Pupil Number", code="required")
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


NINO_PATTERN = re.compile(r"^([A-Z]{2})(\d{6})([A-D])$")
NINO_BAD_FIRST, NINO_BAD_SECOND = set("DFIQUV"), set("DFIOQUV")
NINO_BAD_PREFIXES = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def ni_number_normalise(raw: str) -> str:
    number = SEPARATORS.sub("", raw or "").upper()
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
    reference = (raw or "").strip().upper()
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
