"""The cache with Redis unreachable (scr/cache.py) answers as an empty cache: no call
raises, and after a failure Redis is left alone for a few seconds. (A real Redis stopped
and started under the pages: tests/test_faults.py.)"""

from __future__ import annotations

import time

import pytest

from scr.cache import ForgivingRedisCache
from scr.settings import cache_from_url
from tests.servers import free_port


def unreachable() -> ForgivingRedisCache:
    config = cache_from_url(f"redis://127.0.0.1:{free_port()}/0")  # nobody listens there
    assert config["BACKEND"] == "scr.cache.ForgivingRedisCache"
    return ForgivingRedisCache(str(config["LOCATION"]), {
        "OPTIONS": config["OPTIONS"], "KEY_PREFIX": "test"})


def test_an_unreachable_redis_is_an_empty_cache_that_stores_nothing() -> None:
    cache = unreachable()
    assert cache.get("figure", "default") == "default"
    cache.set("figure", 1)
    assert cache.add("figure", 1) is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]  # the keys not stored
    assert cache.has_key("figure") is False
    assert cache.get_or_set("figure", lambda: 42) == 42
    with pytest.raises(ValueError):
        cache.incr("generation")
    cache.delete("figure")
    cache.delete_many(["a"])
    assert cache.failures >= 9


def test_after_a_failure_redis_is_left_alone_for_a_few_seconds() -> None:
    cache = unreachable()
    client, attempts = cache._cache, []
    connect = client.get_client

    def counted(*args: object, **kwargs: object) -> object:
        attempts.append(1)
        return connect(*args, **kwargs)

    client.get_client = counted  # type: ignore[method-assign]
    cache.get("first")
    for _ in range(200):
        cache.get("figure")
    assert len(attempts) == 1 and cache.failures == 201
    cache._down_until = time.monotonic()  # the few seconds are over: Redis is tried again
    cache.get("figure")
    assert len(attempts) == 2
