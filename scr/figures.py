"""Per-person figures that change rarely (home-page tasks, board figures), cached in
Django's cache (Redis when configured, local memory otherwise).

Invalidation: every write of case data goes through ``scr.history.save_with_history``,
which calls ``note_case_write``; once the transaction commits, a *generation* number is
bumped, and every cached figure is keyed by it (and by person and day), so a figure
never outlives a committed change. A request that itself holds uncommitted writes (an
outer transaction, as in tests) computes afresh and caches nothing, so it can neither
miss its own writes nor leave a figure for others that may yet be rolled back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

if TYPE_CHECKING:
    from scr.http import User

T = TypeVar("T")
GENERATION_KEY = "scr:case-data-generation"
FIGURE_TIMEOUT = 15 * 60  # seconds: a safety net; invalidation is by generation
_MISSING = object()


_owed = False  # a bump this process could not make while the cache was unreachable


def bump_generation() -> None:
    """Move every cached figure out of reach. A lost key restarts from the clock, so it
    cannot fall back to a generation whose figures are still stored. A bump lost because
    the cache was unreachable (``scr.cache``) is owed, and made by this process's next read
    of the generation: the cache may come back with the figures of before the write."""
    global _owed
    failures = getattr(cache, "failures", 0)
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
    _owed = getattr(cache, "failures", 0) != failures


def generation() -> int:
    if _owed:
        bump_generation()
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY, 0)
    return int(value)


def _pending(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Case-data writes on this connection wait for a commit."""
    conn = connections[using]
    return conn.in_atomic_block and any(
        entry[1] is bump_generation for entry in conn.run_on_commit)


def note_case_write(using: str = DEFAULT_DB_ALIAS) -> None:
    """Called for every tracked write: bump the generation once the transaction commits
    (at once outside a transaction; once per transaction however many writes)."""
    if not _pending(using):
        transaction.on_commit(bump_generation, using=using)


def cached_figure(name: str, user: User, compute: Callable[[], T]) -> T:
    """``compute()`` for this person today, from the cache while no case data changed."""
    if _pending():
        return compute()
    key = f"scr:figure:{name}:{generation()}:{user.pk}:{timezone.localdate().isoformat()}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, FIGURE_TIMEOUT)
    return value
