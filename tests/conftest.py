from __future__ import annotations

import dataclasses
import os
import tempfile
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from config.celery import app as celery_app
from tests import services
from tests.log_scan import Finding, PersonalDataScan

LOG_SCAN = PersonalDataScan()
# Files shared in tests are stored here, never in var/ (tests/sharedfiles use their own).
SHARED_FILES_DIR = tempfile.mkdtemp(prefix="caregraph-shared-files-")


def pytest_sessionstart(session: pytest.Session) -> None:
    LOG_SCAN.keep_installed()


def pytest_runtest_setup(item: pytest.Item) -> None:
    LOG_SCAN.keep_installed()
    for marker, check in services.MARKER_CHECKS.items():
        if item.get_closest_marker(marker) is None:
            continue
        missing = check()
        if missing is None:
            continue
        if services.required():
            pytest.fail(f"needs {marker}, which CI requires: {missing}", pytrace=False)
        pytest.skip(f"needs {marker}: {missing}")


def _uses_other_processes(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction", False)
    return bool(transactional) or "transactional_db" in request.fixturenames


@pytest.fixture(autouse=True)
def _test_defaults(settings: Any, request: pytest.FixtureRequest) -> Iterator[None]:
    # A per-test cache: allauth's rate limits and used-code memory must not leak between
    # tests, and clearing a shared Redis would wipe a developer's data.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": uuid.uuid4().hex,  # locmem caches of one name share their store
        }
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "shared_files": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": SHARED_FILES_DIR, "base_url": None},
        },
    }
    if not _uses_other_processes(request):
        # Argon2 is deliberately slow. Tests whose users sign in to a server process keep it,
        # since that process checks passwords with the real hashers.
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run where they are queued unless a test starts a real worker.
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture(scope="session")
def test_database_url(django_db_setup: None, django_db_blocker) -> str:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        return services.database_url(connection.settings_dict)


@pytest.fixture(scope="session")
def asgi_server(test_database_url: str) -> Iterator[str]:
    """One uvicorn process serving the app against the test database; yields its URL.

    Tests that use it need data committed (``transactional_db``) for the server to see it.
    """
    process, base_url = services.asgi_server_start(services.child_env(test_database_url))
    yield base_url
    process.stop()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """No NHS Number or e-mail address in the run's logs (tests/log_scan.py), or it fails.

    In a parallel run each worker scans its own records and processes and hands its findings
    to the controller (`pytest_testnodedown`), which fails the run and reports them.
    """
    LOG_SCAN.child_logs_scan(services.REPO / "var" / "test-logs", os.getpid())
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["log_findings"] = [dataclasses.asdict(f) for f in LOG_SCAN.findings]
        return
    if LOG_SCAN.findings and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """A pytest-xdist worker has finished: its log findings become the run's."""
    for finding in getattr(node, "workeroutput", {}).get("log_findings", []):
        LOG_SCAN.findings.append(Finding(**finding))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not LOG_SCAN.findings:
        return
    terminalreporter.section("personal data in the logs", sep="=", red=True, bold=True)
    terminalreporter.write_line(
        "Logs carry ids, never NHS Numbers or e-mail addresses (config/logging.py). Found:"
    )
    for line in LOG_SCAN.report():
        terminalreporter.write_line(f"  {line}")
