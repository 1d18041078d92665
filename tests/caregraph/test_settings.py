"""Production mode refuses to start half-configured, and passes Django's deploy checks."""

import secrets
import subprocess
import sys

import pytest

from tests.services import REPO

PRODUCTION = {
    "CAREGRAPH_MODE": "production",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "caregraph.example.org",
    "DATABASE_URL": "postgres://caregraph@127.0.0.1:5432/caregraph",
    "PATH": "/usr/bin:/bin",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_passes_the_deploy_checks() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("SECRET_KEY", "SECRET_KEY"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS"),
        ("DATABASE_URL", "DATABASE_URL"),
    ],
)
def test_production_refuses_to_start_without(missing: str, named: str) -> None:
    env = {key: value for key, value in PRODUCTION.items() if key != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert named in result.stderr


def test_production_refuses_a_guessable_secret_key() -> None:
    result = manage("check", env={**PRODUCTION, "SECRET_KEY": "x" * 60})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_embedded_mode_needs_no_configuration_at_all() -> None:
    result = manage("check", env={"PATH": "/usr/bin:/bin", "CAREGRAPH_VAR_DIR": "/tmp/cg-check"})
    assert result.returncode == 0, result.stderr
