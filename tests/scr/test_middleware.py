"""The session middleware writes the session only when something changed (scr/middleware.py):
every save is an UPDATE and, in PostgreSQL, a dead row."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore

from scr import middleware
from tests.conftest import Personas, client_for


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    clock = SimpleNamespace(now=1_800_000_000.0)
    monkeypatch.setattr(middleware, "time", SimpleNamespace(time=lambda: clock.now))
    return clock


@pytest.fixture
def session_saves(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The session keys of every session save, in order."""
    saves: list[str] = []
    real_save = SessionStore.save

    def save(self: SessionStore, must_create: bool = False) -> Any:
        saves.append(self.session_key or "")
        return real_save(self, must_create=must_create)

    monkeypatch.setattr(SessionStore, "save", save)
    yield saves


def test_a_second_request_within_a_minute_does_not_save_the_session(
    personas: Personas, frozen_clock: SimpleNamespace, session_saves: list[str],
) -> None:
    client = client_for(personas.manager)  # signing in records when the session started
    session_saves.clear()
    assert client.get("/").status_code == 200
    frozen_clock.now += 30
    assert client.get("/").status_code == 200
    frozen_clock.now += 29
    assert client.get("/").status_code == 200
    assert session_saves == []


def test_the_session_is_saved_again_once_a_minute_has_passed(
    personas: Personas, frozen_clock: SimpleNamespace, session_saves: list[str],
) -> None:
    client = client_for(personas.manager)
    client.get("/")
    started = client.session[middleware.STARTED]
    session_saves.clear()
    frozen_clock.now += 61
    assert client.get("/").status_code == 200
    assert len(session_saves) == 1
    session = client.session
    assert session[middleware.SEEN] == int(frozen_clock.now)
    assert session[middleware.STARTED] == started  # the start time never moves


def test_the_session_row_is_untouched_by_a_request_within_the_minute(
    personas: Personas, frozen_clock: SimpleNamespace,
) -> None:
    from django.contrib.sessions.models import Session

    client = client_for(personas.manager)
    client.get("/")
    key = client.session.session_key
    before = Session.objects.get(session_key=key)
    frozen_clock.now += 10
    client.get("/")
    after = Session.objects.get(session_key=key)
    assert (after.session_data, after.expire_date) == (before.session_data, before.expire_date)
