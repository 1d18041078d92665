"""The scan of the run's logs finds NHS Numbers and e-mail addresses, and little else."""

from __future__ import annotations

import logging

import pytest

from tests.factories import nhs_number_make
from tests.log_scan import PersonalDataScan, personal_data_find


def kinds(text: str) -> list[str]:
    return [kind for kind, _ in personal_data_find(text)]


@pytest.mark.parametrize(
    "text",
    [
        "to=friend@example.org",
        "{'error': \"SMTPRecipientsRefused: {'a.b+c@mail.example.co.uk': (550, b'')}\"}",
    ],
)
def test_an_e_mail_address_is_found(text: str) -> None:
    assert kinds(text) == ["e-mail address"]


def test_an_nhs_number_is_found_with_or_without_spaces() -> None:
    number = nhs_number_make()
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"

    assert kinds(f"nhs_number={number}") == ["NHS Number"]
    assert kinds(f"searched for {spaced}.") == ["NHS Number"]


@pytest.mark.parametrize(
    "text",
    [
        "request_id=d4033a6df3a447a5b545f688f0258a21",  # hex ids
        "duration_ms=440.5 user_id=1",
        "2026-12-01T03:04:46.391838Z",
        "1111111111",  # passes the check digit, but one digit repeated is never issued
    ],
)
def test_ids_times_and_numbers_that_fail_the_check_digit_are_not_found(text: str) -> None:
    number = nhs_number_make()
    wrong_check_digit = number[:9] + str((int(number[9]) + 1) % 10)

    assert kinds(text) == []
    assert kinds(wrong_check_digit) == []


def test_the_handler_records_where_it_found_them_and_masks_them() -> None:
    scan = PersonalDataScan()
    logger = logging.getLogger("tests.log_scan.example")
    logger.addHandler(scan)
    logger.propagate = False  # kept from the run's own scan, which would rightly fail
    try:
        logger.warning("sent to %s", "friend@example.org")
    finally:
        logger.removeHandler(scan)
        logger.propagate = True

    [finding] = scan.findings
    assert finding.masked == "f***@example.org"
    assert finding.source == "log tests.log_scan.example"
    assert "test_the_handler_records_where_it_found_them" in finding.where
