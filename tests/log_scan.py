"""No NHS Number and no e-mail address appears in the logs of a test run.

Every log record the test process emits is formatted and scanned as it is made (a handler
on the root logger, kept there for the whole session), and at the end of the run so are the
logs of the processes the tests started (var/test-logs/*-<pid>.log). Any match fails the
session, listing the test, the logger and the value (masked). The rule is the one in
config/logging.py: log lines carry ids, never personal data, so a match is fixed where it is
logged, never by loosening this scan.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from caregraph.identifiers import nhs_number_check_digit

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
# Ten digits, alone or as 3-3-4 with spaces or hyphens; not part of a longer run or a decimal.
NHS_NUMBER = re.compile(r"(?<![\w.])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\w)")


@dataclass(frozen=True)
class Finding:
    where: str
    source: str
    kind: str
    masked: str

    def __str__(self) -> str:
        return f"{self.kind} {self.masked} in {self.source}, during {self.where}"


def _is_nhs_number(digits: str) -> bool:
    return nhs_number_check_digit(digits[:9]) == int(digits[9]) and len(set(digits)) > 1


def personal_data_find(text: str) -> Iterator[tuple[str, str]]:
    """(kind, masked value) for each NHS Number and e-mail address in the text."""
    for match in EMAIL.finditer(text):
        local, _, domain = match.group().partition("@")
        yield "e-mail address", f"{local[:1]}***@{domain}"
    for match in NHS_NUMBER.finditer(text):
        digits = "".join(match.groups())
        if _is_nhs_number(digits):
            yield "NHS Number", f"{digits[:3]}*****{digits[-2:]}"


class PersonalDataScan(logging.Handler):
    """Scans each log record as it is emitted; `findings` keeps what it found."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.findings: list[Finding] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # a record that cannot be formatted is scanned as its parts
            text = f"{record.msg!r} {record.args!r}"
        where = os.environ.get("PYTEST_CURRENT_TEST", "the session's set-up").split(" (")[0]
        for kind, masked in personal_data_find(text):
            self.findings.append(Finding(where, f"log {record.name}", kind, masked))

    def keep_installed(self) -> None:
        """Back on the root logger if a logging configuration replaced its handlers."""
        root = logging.getLogger()
        if self not in root.handlers:
            root.addHandler(self)

    def child_logs_scan(self, directory: Path, pid: int) -> None:
        """The logs of the processes this run started (tests/services.py names them)."""
        for path in sorted(directory.glob(f"*-{pid}.log")):
            text = path.read_text(errors="replace")
            for number, line in enumerate(text.splitlines(), start=1):
                for kind, masked in personal_data_find(line):
                    self.findings.append(
                        Finding("a process the tests started", f"{path}:{number}", kind, masked)
                    )

    def report(self, limit: int = 50) -> list[str]:
        """The findings, each once, most of them: enough to find where each is logged."""
        unique = list(dict.fromkeys(str(finding) for finding in self.findings))
        more = [f"... and {len(unique) - limit} more"] if len(unique) > limit else []
        return unique[:limit] + more
