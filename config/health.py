"""Liveness and readiness: `/healthz` says the process is up; `/readyz` that it can serve.

Readiness checks the database and, where one is configured, Redis, with django-health-check,
and answers 503 naming what failed so that a load balancer stops sending traffic.
"""

import typing

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.contrib.redis import Redis
from health_check.views import HealthCheckView
from redis.asyncio import Redis as RedisClient

REDIS_TIMEOUT_SECONDS = 2


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def redis_client() -> RedisClient:
    return RedisClient.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )


class ReadinessView(HealthCheckView):
    def get_checks(self) -> typing.Generator[HealthCheck, None, None]:
        yield Database()
        if settings.REDIS_URL:
            yield Redis(client_factory=redis_client)

    async def get(self, request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
        await super().get(request, *args, **kwargs)
        checks = {
            ("redis" if isinstance(result.check, Redis) else "database"): (
                "ok" if not result.error else f"unavailable: {result.error}"
            )
            for result in self.results
        }
        failed = [name for name, state in checks.items() if state != "ok"]
        return JsonResponse(
            {"status": "unavailable" if failed else "ok", "failed": failed, "checks": checks},
            status=503 if failed else 200,
        )
