"""The cache, when Redis is away, behaves as an empty cache instead of failing the request.

Nothing here relies on the cache for correctness: sessions and the sign-in lockout
(django-axes) are in the database. The sign-in library keeps its rate-limit counts in the
cache, and with Redis down every sign-in answered 500. Now each cache call that cannot
reach Redis is logged and answered as a miss (a write is dropped): sign-in works, only
allauth's extra per-address rate limits are off until Redis is back, and `/readyz` says
Redis is down.
"""

from __future__ import annotations

from typing import Any

import structlog
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = structlog.get_logger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class TolerantRedisCache(RedisCache):
    def _tolerate(self, operation: str, default: Any, call: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except UNREACHABLE as error:
            log.warning("cache_unavailable", operation=operation, error=type(error).__name__)
            return default

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._tolerate("get", default, super().get, key, default, version)

    def get_many(self, keys: Any, version: int | None = None) -> Any:
        return self._tolerate("get_many", {}, super().get_many, keys, version)

    def add(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> Any:
        return self._tolerate("add", True, super().add, key, value, timeout, version)

    def set(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> None:
        self._tolerate("set", None, super().set, key, value, timeout, version)

    def set_many(self, data: Any, timeout: Any = None, version: int | None = None) -> Any:
        return self._tolerate("set_many", list(data), super().set_many, data, timeout, version)

    def touch(self, key: Any, timeout: Any = None, version: int | None = None) -> Any:
        return self._tolerate("touch", False, super().touch, key, timeout, version)

    def delete(self, key: Any, version: int | None = None) -> Any:
        return self._tolerate("delete", False, super().delete, key, version)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._tolerate("delete_many", None, super().delete_many, keys, version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        return self._tolerate("incr", delta, super().incr, key, delta, version)

    def has_key(self, key: Any, version: int | None = None) -> Any:
        return self._tolerate("has_key", False, super().has_key, key, version)

    def clear(self) -> None:
        self._tolerate("clear", None, super().clear)
