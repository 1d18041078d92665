"""Real processes and services for tests: which are reachable, and how to start our own.

Tests that need PostgreSQL, Redis or Chromium carry a marker. Where the service is missing
they are skipped on a developer's machine; with CAREGRAPH_REQUIRE_SERVICES=1 (as in CI)
they fail instead, so nothing that needs a real service can pass by not running.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def required() -> bool:
    return os.environ.get("CAREGRAPH_REQUIRE_SERVICES") == "1"


def redis_reachable() -> str | None:
    """None when Redis answers, else why not."""
    if not settings.REDIS_URL:
        return "REDIS_URL is not set"
    url = urlparse(settings.REDIS_URL)
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), 2) as s:
            s.sendall(b"PING\r\n")
            if not s.recv(16).startswith(b"+PONG"):
                return "Redis did not answer PING"
    except OSError as error:
        return f"Redis at {settings.REDIS_URL} is unreachable: {error}"
    return None


def postgres_configured() -> str | None:
    if settings.DATABASES["default"]["ENGINE"] != "config.db.postgresql":
        return "DATABASE_URL does not point at PostgreSQL"
    return None


def chromium_present() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium is not installed at {CHROMIUM}"
    return None


MARKER_CHECKS = {
    "redis": redis_reachable,
    "postgres": postgres_configured,
    "browser": chromium_present,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url(settings_dict: Mapping[str, object]) -> str:
    """A DATABASE_URL for another process to reach the test database this process made."""
    if "sqlite" in str(settings_dict["ENGINE"]):
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


def child_env(database: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database,
        "CAREGRAPH_MODE": "embedded",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


class Process:
    """A child process of ours, stopped for certain when the test is done with it."""

    def __init__(self, args: list[str], env: dict[str, str], name: str) -> None:
        self.name = name
        self.log = Path(REPO / "var" / "test-logs" / f"{name}-{os.getpid()}.log")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = self.log.open("wb")
        self.popen = subprocess.Popen(
            args, env=env, cwd=REPO, stdout=self._log_file, stderr=subprocess.STDOUT
        )

    def output(self) -> str:
        self._log_file.flush()
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        self._log_file.close()


def asgi_server_start(env: dict[str, str], *, workers: int = 1) -> tuple[Process, str]:
    """Starts uvicorn serving our ASGI application; returns it and its base URL."""
    port = free_port()
    process = Process(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
        ],
        env,
        name=f"uvicorn-{port}",
    )
    base_url = f"http://127.0.0.1:{port}"
    wait_for_http(f"{base_url}/healthz", process)
    return process, base_url


def wait_for_http(url: str, process: Process, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited:\n{process.output()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"{process.name} did not answer {url} in {timeout}s:\n{process.output()}")


def wait_until(predicate, *, timeout: float = 20, interval: float = 0.2, what: str = "") -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
