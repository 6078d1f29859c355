"""The beat schedule on the embedded default (``make run`` → ``manage.py serve``): Celery
beat's own scheduler runs each due job of ``CELERY_BEAT_SCHEDULE`` in this process, each job
once at start, so a newcomer sees the day's digest without Redis or a worker."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings

from scr.celery import app
from scr.models import AuditLink
from scr.scheduler import InProcessScheduler, run
from tests.conftest import Personas
from tests.reviews.evidence import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def embedded_default() -> Iterator[None]:
    """Tasks in-process, as with no broker (the suite otherwise runs with one)."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = eager


def _tick_until_idle(scheduler: InProcessScheduler) -> list[str]:
    ran: list[str] = []
    original = scheduler.apply_async

    def recording(entry: Any, *args: Any, **kwargs: Any) -> Any:
        ran.append(entry.name)
        return original(entry, *args, **kwargs)

    scheduler.apply_async = recording  # type: ignore[method-assign]
    for _ in range(20):
        if scheduler.tick():  # a wait: nothing more is due now
            break
    return ran


@override_settings(REMINDER_QUIET_DAYS=[])
def test_at_start_every_job_of_the_beat_schedule_runs_in_process_once(
        embedded_default: None, personas: Personas) -> None:
    h.send_imr(personas, h.evidence_review(personas))  # the police lead has evidence due
    mail.outbox.clear()
    scheduler = InProcessScheduler(app)
    ran = _tick_until_idle(scheduler)
    assert sorted(set(ran)) == sorted(app.conf.beat_schedule)
    assert len(ran) == len(set(ran)), "each job once at start"
    digests = [m for m in mail.outbox if "reminders for" in m.subject]
    assert [personas.police_lead.email] in [m.to for m in digests]
    assert AuditLink._base_manager.exists()  # the audit chain was sealed
    # Nothing is due again at once, and the digest is never sent twice in a day.
    assert _tick_until_idle(scheduler) == []
    fresh = InProcessScheduler(app)  # a restart the same day
    _tick_until_idle(fresh)
    assert len([m for m in mail.outbox if "reminders for" in m.subject]) == len(digests)


def test_the_thread_stops_when_asked(embedded_default: None) -> None:
    stop = threading.Event()
    stop.set()
    run(stop, InProcessScheduler(app))  # returns at once: the flag is checked before a tick
