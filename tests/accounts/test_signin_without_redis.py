"""Signing in while Redis is down: it works, and /readyz says which service is away.

Found with Redis stopped: every web sign-in answered 500 from the sign-in library's
rate-limit lock in the Redis cache. The cache now answers as an empty cache while Redis
cannot be reached; the lockout itself (django-axes) is kept in the database, so brute force
is still stopped.
"""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.cache import caches
from django.test import Client

from tests import services
from tests.factories import PASSWORD, UserFactory

LOGIN = "/account/login/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings: Any) -> None:
    """The cache and readiness check point at a Redis that is not there."""
    dead = f"redis://127.0.0.1:{services.free_port()}/0"
    settings.REDIS_URL = dead
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.TolerantRedisCache",
            "LOCATION": dead,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    caches._settings = None  # type: ignore[attr-defined]
    for alias in ("default",):
        if hasattr(caches._connections, alias):  # type: ignore[attr-defined]
            delattr(caches._connections, alias)  # type: ignore[attr-defined]


def test_a_family_member_signs_in_while_redis_is_down(redis_down: None) -> None:
    user = UserFactory.create(email="carer@example.org")
    client = Client(raise_request_exception=False)

    response = client.post(LOGIN, {"login": "carer@example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert user.display_name in client.get("/").content.decode()


def test_wrong_passwords_still_lock_out_while_redis_is_down(
    redis_down: None, settings: Any
) -> None:
    UserFactory.create(email="target@example.org")
    client = Client(raise_request_exception=False)

    answers = [
        client.post(LOGIN, {"login": "target@example.org", "password": "guess"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    right = Client().post(LOGIN, {"login": "target@example.org", "password": PASSWORD})

    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert right.status_code == 429
    assert "You cannot sign in at the moment" in right.content.decode()
    assert AccessAttempt.objects.filter(username="target@example.org").exists()


def test_readiness_names_redis_as_the_service_that_is_down(redis_down: None) -> None:
    response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["redis"]
    assert response.json()["checks"]["database"] == "ok"
