"""Sessions end after a spell of idleness, and after a fixed lifetime however busy."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client

from accounts.sessions import SESSION_SEEN_KEY, SESSION_STARTED_KEY
from accounts.tasks import session_clear_expired_task
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def signed_in_client() -> Client:
    client = Client()
    client.force_login(UserFactory.create())
    assert client.get("/").status_code == 200
    return client


def age_session(client: Client, *, started_ago: float, seen_ago: float) -> None:
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - started_ago
    session[SESSION_SEEN_KEY] = time.time() - seen_ago
    session.save()


def test_an_idle_session_is_signed_out() -> None:
    client = signed_in_client()
    age_session(
        client,
        started_ago=settings.SESSION_IDLE_SECONDS + 60,
        seen_ago=settings.SESSION_IDLE_SECONDS + 1,
    )

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
    assert client.get("/").status_code == 302


def test_a_busy_session_still_ends_at_its_absolute_lifetime() -> None:
    client = signed_in_client()
    age_session(client, started_ago=settings.SESSION_ABSOLUTE_SECONDS + 1, seen_ago=5)

    assert client.get("/").status_code == 302


def test_an_active_session_carries_on() -> None:
    client = signed_in_client()
    age_session(client, started_ago=3600, seen_ago=settings.SESSION_IDLE_SECONDS - 60)

    assert client.get("/").status_code == 200
    assert client.session[SESSION_SEEN_KEY] > time.time() - 5


def test_expired_sessions_are_cleared_by_the_periodic_job() -> None:
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    signed_in_client()
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    live = signed_in_client()

    assert session_clear_expired_task.delay().get() == 1
    assert Session.objects.filter(session_key=live.session.session_key).exists()
