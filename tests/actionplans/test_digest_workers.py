"""Exactly once with real Celery workers on the real Redis broker, counted at a real SMTP
server through Django's SMTP backend: two workers at once, and a worker killed mid-batch
then restarted. The workers are separate processes (``celery -A scr worker``) on the test
database; the ledger (``scr.reminders``: each batch's claims held under a lease, each row
marked sent as the server accepts it) is what keeps each digest to one e-mail."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from actionplans import tasks
from actionplans.models import Action, Digest
from agencies.models import User
from scr.celery import app as celery_app
from scr.models import OutboxMessage, ReminderSent
from tests.actionplans.helpers import an_action, monitoring_review
from tests.actionplans.smtp import Mailbox, smtp_server
from tests.factories import MembershipFactory, UserFactory
from tests.personas import Personas, make_personas

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgresql,
    pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"),
                       reason="CELERY_BROKER_URL is not set: no real broker to test against"),
]

ROOT = Path(__file__).resolve().parents[2]
WEDNESDAY = date(2026, 12, 2)


def owners(p: Personas, n: int) -> list[User]:
    """``n`` police officers, each owning one action due within the look-ahead."""
    rec = monitoring_review(p).recommendations.get()
    people = []
    for i in range(n):
        person = UserFactory(username=f"officer{i:02d}", email=f"officer{i:02d}@example.invalid")
        MembershipFactory(user=person, role="agency_lead", agency=p.police)
        action = an_action(p, rec, owner=person)
        Action.objects.filter(pk=action.pk).update(target_date=WEDNESDAY + timedelta(days=5))
        people.append(person)
    # Each action assigned told the agency's leads (scr/notifications.py), whose e-mails went
    # to the broker on commit: what is counted here is the digests, so the arrangement's
    # queue is emptied (and any row the relay kept is marked relayed).
    celery_app.control.purge()
    OutboxMessage.objects.filter(sent_at__isnull=True).update(sent_at=timezone.now())
    return people


class Worker:
    """One ``celery worker`` process on the test database, sending through real SMTP."""

    def __init__(self, name: str, smtp_port: int, log: Path) -> None:
        settings = connection.settings_dict
        url = (f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:"
               f"{settings['PORT'] or 5432}/{settings['NAME']}")
        env = {**os.environ, "DATABASE_URL": url, "SCR_TESTING": "1",
               "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port), "EMAIL_USE_TLS": "0",
               "REMINDER_BATCH_SIZE": "5", "CELERY_VISIBILITY_TIMEOUT": "4",
               # A killed worker's claims come free within the test (300 s by default).
               "REMINDER_LEASE_SECONDS": "12",
               "CELERY_UNACKED_RESTORE_INTERVAL": "1", "CELERY_UNACKED_RESTORE_THROTTLE": "1"}
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "scr", "worker", "-Q", "default",
             "--pool", "solo", "-n", f"{name}@%h", "--without-gossip", "--without-mingle",
             "--loglevel", "INFO"], cwd=ROOT, env=env, stdout=self.log, stderr=self.log)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acknowledgement; the task stays unacknowledged in Redis."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def broker(transactional_db: None) -> Iterator[None]:
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    try:
        yield
    finally:
        celery_app.control.purge()
        celery_app.conf.task_always_eager = True


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_two_workers_at_once_send_each_digest_once(broker: None, tmp_path: Path) -> None:
    p = make_personas()
    people = owners(p, 20)
    expected = {u.email for u in people} | {p.manager.email}
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        workers = [Worker(f"w{i}", port, tmp_path / "workers.log") for i in (1, 2)]
        try:
            day = WEDNESDAY.isoformat()
            # Two beats at once, and every batch delivered twice back to back, so the two
            # workers send the same people's digests at the same moment.
            tasks.send_daily_digests.delay(day)
            tasks.send_daily_digests.delay(day)
            ids = [*sorted(u.pk for u in people), p.manager.pk]
            for i in range(0, len(ids), 5):
                tasks.send_digest_batch.delay(ids[i:i + 5], day)
                tasks.send_digest_batch.delay(ids[i:i + 5], day)
            assert wait_for(lambda: set(mailbox.delivered) >= expected), (
                (tmp_path / "workers.log").read_text()[-3000:])
            time.sleep(3)  # let every duplicate delivery run to its end
        finally:
            for worker in workers:
                worker.stop()
    assert dict(mailbox.delivered) == dict.fromkeys(expected, 1)
    assert Digest.objects.count() == len(expected)
    assert ReminderSent.objects.filter(kind="daily_digest", period=day).count() == len(expected)


def test_a_worker_killed_mid_batch_and_restarted_sends_the_rest_and_nothing_twice(
        broker: None, tmp_path: Path) -> None:
    p = make_personas()
    people = owners(p, 12)
    expected = {u.email for u in people} | {p.manager.email}
    killed = threading.Event()
    workers: list[Worker] = []

    def kill_at_the_fifth(n: int) -> str | None:
        """The 5th message of the batch: kill the worker before it hears back, so its
        transaction (claim and digest record) dies with it."""
        if n == 5 and not killed.is_set():
            workers[0].kill()
            killed.set()
            return "451 4.3.0 Try again later"
        return None

    mailbox = Mailbox(on_message=kill_at_the_fifth)
    with smtp_server(mailbox) as port:
        workers.append(Worker("first", port, tmp_path / "workers.log"))
        try:
            # One batch of all 13 people (the worker's batch size is 5; send it as one).
            tasks.send_digest_batch.delay([*sorted(u.pk for u in people), p.manager.pk],
                                          WEDNESDAY.isoformat())
            assert wait_for(killed.is_set), (tmp_path / "workers.log").read_text()[-3000:]
            assert mailbox.total() == 4
            assert Digest.objects.count() == 4  # the 5th's transaction died with the worker
            workers.append(Worker("restarted", port, tmp_path / "workers.log"))
            assert wait_for(lambda: set(mailbox.delivered) >= expected, timeout=90), (
                (tmp_path / "workers.log").read_text()[-3000:])
            time.sleep(2)
        finally:
            for worker in workers:
                worker.stop()
    assert dict(mailbox.delivered) == dict.fromkeys(expected, 1)
    assert Digest.objects.count() == len(expected)
