"""The cache never takes a page down: Django's Redis cache, with Redis unreachable,
behaves as an empty cache that stores nothing, so pages are computed afresh (slower) and
served.

Only derived figures live in the cache (``scr.figures``); sessions are in the database
(``SESSION_ENGINE`` is Django's default, ``db``), sign-in throttling (django-axes,
``scr.throttle``) too, so a lost cache signs nobody out and unlocks nobody. Django's own
``RedisCache`` raises ``redis.ConnectionError`` from every call while Redis is down, and
each call waits for its own connection attempt; this subclass answers as a miss instead
(``get`` gives the default, ``add`` False, writes are dropped, ``incr`` raises the
``ValueError`` of a missing key), logs the first failure of an outage, and after a failure
leaves Redis alone for ``RETRY_SECONDS`` so a page that reads twenty figures does not wait
twenty times. ``failures`` counts what it swallowed: ``scr.figures`` reads it to know that a
generation bump was lost and owes it.

Why not django-redis's ``IGNORE_EXCEPTIONS``: it is a second Redis client for one option,
and it still tries Redis on every call while it is down.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

__all__ = ["ForgivingRedisCache"]

logger = logging.getLogger(__name__)
T = TypeVar("T")
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class ForgivingRedisCache(RedisCache):
    """Django's ``RedisCache`` that answers as an empty cache while Redis is unreachable."""

    RETRY_SECONDS = 5.0

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self.failures = 0
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _try(self, call: Callable[[], T], fallback: Callable[[], T]) -> T:
        if time.monotonic() < self._down_until:
            with self._lock:
                self.failures += 1
            return fallback()
        try:
            value = call()
        except UNREACHABLE as error:
            with self._lock:
                self.failures += 1
                first = self._down_until == 0.0
                self._down_until = time.monotonic() + self.RETRY_SECONDS
            if first:
                logger.warning("Cache unreachable (%s): pages are computed without it", error)
            return fallback()
        if self._down_until:
            self._down_until = 0.0
            logger.warning("Cache reachable again")
        return value

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._try(lambda: super(ForgivingRedisCache, self).get(key, default, version),
                         lambda: default)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: int | None = None) -> bool:
        return self._try(lambda: super(ForgivingRedisCache, self).add(key, value, timeout,
                                                                      version), lambda: False)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: int | None = None) -> None:
        self._try(lambda: super(ForgivingRedisCache, self).set(key, value, timeout, version),
                  lambda: None)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None,
              ) -> bool:
        return self._try(lambda: super(ForgivingRedisCache, self).touch(key, timeout, version),
                         lambda: False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._try(lambda: super(ForgivingRedisCache, self).delete(key, version),
                         lambda: False)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._try(lambda: super(ForgivingRedisCache, self).get_many(keys, version),
                         dict)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._try(lambda: super(ForgivingRedisCache, self).has_key(key, version),
                         lambda: False)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        def missing() -> int:
            raise ValueError(f"Key '{key}' not found (the cache is unreachable)")

        return self._try(lambda: super(ForgivingRedisCache, self).incr(key, delta, version),
                         missing)

    def set_many(self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT,
                 version: int | None = None) -> list[Any]:
        return self._try(lambda: super(ForgivingRedisCache, self).set_many(data, timeout,
                                                                           version),
                         lambda: list(data))

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._try(lambda: super(ForgivingRedisCache, self).delete_many(keys, version),
                  lambda: None)

    def clear(self) -> None:
        self._try(lambda: super(ForgivingRedisCache, self).clear(), lambda: None)
