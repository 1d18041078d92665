"""The soak's two-minute version, in CI against the real services: `python -m bench.soak`.

It runs as a subprocess (its own redis-server, uvicorn with two workers, a supervised Celery
worker and beat, a throwaway database) and must exit 0, its report saying that no event was
lost or given twice and that no answer was a 500.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import services

REDIS_SERVER = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.timeout(900),
    pytest.mark.skipif(
        not Path(REDIS_SERVER).exists() and not services.required(),
        reason=f"no redis-server at {REDIS_SERVER}",
    ),
]


def figure(report: str, name: str) -> int:
    match = re.search(rf"^\s+{re.escape(name)}\s+(\d+)", report, re.MULTILINE)
    assert match, f"no line {name!r} in the report:\n{report}"
    return int(match.group(1))


def test_two_minutes_of_a_bad_day_lose_nothing_and_answer_no_500() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench.soak", "--minutes", "2", "--sockets", "100"],
        cwd=services.REPO,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=840,
        check=False,
    )
    report = run.stdout + run.stderr

    assert figure(report, "lost") == 0, report
    assert figure(report, "duplicated (given to the application twice)") == 0, report
    assert figure(report, "received only at the final resume") == 0, report
    assert re.search(r"^\s+500s \(any 5xx but 503\): 0$", report, re.MULTILINE), report
    assert run.returncode == 0, report
