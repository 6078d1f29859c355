"""The beat schedule on the embedded default: Celery beat's own scheduler, in this process.

With no broker (``CELERY_BROKER_URL`` empty: the embedded default of ``make run``) there is no
``celery beat`` and no worker, so the jobs of ``CELERY_BEAT_SCHEDULE`` — the daily digests
(with the hand-off notifications chosen for them), the audit chain's sealing, the outbox relay,
the sessions' clean-up — would never run and a newcomer would never see a digest. ``serve``
(``make run``) starts ``start_in_process_scheduler``: a daemon thread that runs Celery's own
``beat.Scheduler`` (its schedule entries and their ``crontab``/interval rules, in memory) and,
instead of sending a due task to a broker, runs it here (``task.apply``), as the eager tasks it
enqueues are run here too.

On start every job runs once, then on its schedule: the scheduler remembers nothing between
runs (as beat's in-memory scheduler), so it takes each job as last run a day ago. Every job is
idempotent (the reminders ledger sends each day's digest once, the sealer links each row once),
so this costs nothing when the job already ran today, and a newcomer who starts the app at
two in the afternoon of a working day sees the day's digest in the console.

Why not ``celery beat`` with an in-memory broker: beat would publish to a broker that only a
worker in the same process could read, which is this with two more moving parts; and why not
a second scheduler library (APScheduler, schedule): the schedule is already written once, for
Celery, in settings.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import beat
from django.db import close_old_connections, connections

logger = logging.getLogger(__name__)

__all__ = ["InProcessScheduler", "start_in_process_scheduler"]


class InProcessScheduler(beat.Scheduler):
    """Celery's in-memory beat scheduler, running each due task in this process."""

    def setup_schedule(self) -> None:
        self.app.loader.import_default_modules()  # every app's tasks registered here
        super().setup_schedule()
        for entry in self.schedule.values():  # every job runs once at start (see above)
            entry.last_run_at = entry.default_now() - timedelta(days=1)

    @property
    def producer(self) -> None:  # type: ignore[override]  # no broker to publish to
        return None

    def apply_entry(self, entry: beat.ScheduleEntry, producer: Any = None) -> None:
        """As beat's, but quiet about the jobs that run every few seconds (the outbox relay
        would fill the console); a failure is logged whatever the job."""
        every: Any = getattr(entry.schedule, "run_every", None)  # interval schedules only
        frequent = isinstance(every, timedelta) and every < timedelta(minutes=5)
        logger.log(logging.DEBUG if frequent else logging.INFO,
                   "Scheduler: running %s (%s) in-process", entry.name, entry.task)
        try:
            self.apply_async(entry, producer=producer, advance=False)
        except Exception:
            logger.exception("Scheduler: %s failed", entry.name)

    def apply_async(self, entry: Any, producer: Any = None, advance: bool = True,
                    **kwargs: Any) -> Any:
        entry = self.reserve(entry) if advance else entry
        task = self.app.tasks.get(str(entry.task))
        if task is None:
            raise beat.SchedulingError(f"No task called {entry.task}")
        return task.apply(entry.args, entry.kwargs)


def _app() -> Any:
    from scr.celery import app

    return app


def run(stop: threading.Event, scheduler: InProcessScheduler | None = None,
        after_tick: Callable[[], object] = lambda: None) -> None:
    """Tick until ``stop`` is set: each tick runs what is due and says how long to wait."""
    scheduler = scheduler or InProcessScheduler(_app())
    while not stop.is_set():
        try:
            wait = scheduler.tick()
        except Exception:  # a job's failure is logged by beat; never stop the schedule
            logger.exception("Scheduler: tick failed")
            wait = 5.0
        after_tick()
        longest = float(scheduler.max_interval or 5)
        stop.wait(max(min(float(wait), longest), 0.5) if wait else 0)


def _thread(stop: threading.Event) -> None:
    """The scheduler's thread: its own database connections, closed when stale (as a request
    does) and at the end."""
    try:
        run(stop, after_tick=close_old_connections)
    finally:
        connections.close_all()


def start_in_process_scheduler() -> threading.Event:
    """Start the schedule in a daemon thread (it ends with the process); returns the event that
    stops it."""
    stop = threading.Event()
    thread = threading.Thread(target=_thread, args=(stop,), name="in-process-beat", daemon=True)
    thread.start()
    logger.info("Scheduler: the beat schedule runs in this process (no broker configured)")
    return stop
