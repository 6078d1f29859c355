"""Running the same work in several threads at once, each on its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def run_at_once(work: Callable[[], T], times: int = 2, timeout: float = 30) -> list[T]:
    """Start ``work`` in ``times`` threads released together by a barrier; return what each
    returned. Any thread's exception fails the caller; each thread closes its connection."""
    start = threading.Barrier(times)
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait(timeout=10)
            results.append(work())
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert errors == [], errors
    return results
