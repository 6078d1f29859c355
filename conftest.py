"""Root conftest: make every test run tasks in-process unless it asks for a real worker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _eager_celery_by_default(request: pytest.FixtureRequest) -> Iterator[None]:
    from scr.celery import app

    if request.node.get_closest_marker("integration"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
