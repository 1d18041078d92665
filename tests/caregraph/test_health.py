"""Liveness and readiness, as a load balancer sees them."""

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.test import Client

from tests.proxy import TcpProxy

pytestmark = pytest.mark.django_db


def test_healthz_answers_while_the_process_is_up(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ready_with_a_working_database(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REDIS_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok"}


@pytest.fixture
def redis_through_proxy(settings) -> Iterator[TcpProxy]:  # type: ignore[no-untyped-def]
    real = urlparse(settings.REDIS_URL)
    proxy = TcpProxy(real.hostname or "127.0.0.1", real.port or 6379)
    proxy.start()
    settings.REDIS_URL = real._replace(netloc=f"127.0.0.1:{proxy.port}").geturl()
    yield proxy
    proxy.close()


@pytest.mark.redis
def test_readyz_answers_503_naming_redis_while_it_is_unreachable(
    client: Client, redis_through_proxy: TcpProxy
) -> None:
    assert client.get("/readyz").status_code == 200

    redis_through_proxy.stop()
    down = client.get("/readyz")

    assert down.status_code == 503
    assert down.json()["failed"] == ["redis"]
    assert down.json()["checks"]["database"] == "ok"

    redis_through_proxy.start()
    back = client.get("/readyz")

    assert back.status_code == 200
    assert back.json()["status"] == "ok"
    assert f":{redis_through_proxy.port}/" in settings.REDIS_URL  # it was the proxy we cut
