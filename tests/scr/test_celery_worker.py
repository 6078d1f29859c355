"""A real Celery worker on the real broker runs a real task against the real database."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from agencies.models import Agency
from scr.celery import app as celery_app
from scr.tasks import worker_ping

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"),
                       reason="CELERY_BROKER_URL is not set: no real broker to test against"),
]


@pytest.fixture
def real_worker(transactional_db: None) -> Iterator[None]:
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False,
                          queues=["default", "pdf"], shutdown_timeout=10):
            yield
    finally:
        celery_app.conf.task_always_eager = True


def test_worker_runs_a_task_that_reads_the_database(real_worker: None) -> None:
    Agency.objects.create(name="Worker test agency", kind=Agency.Kind.POLICE)
    reply = worker_ping.delay().get(timeout=30)
    assert reply == {"database": connection.vendor, "agencies": 1}


def test_healthz_reports_a_live_worker(real_worker: None, client: object, settings: object,
                                      ) -> None:
    import time

    from scr.models import Heartbeat
    from scr.tasks import beat_heartbeat

    settings.HEALTHZ_TOKEN = "worker-test-token"  # type: ignore[attr-defined]
    beat_heartbeat.delay()  # what beat sends every BEAT_HEARTBEAT_SECONDS, run by the worker
    deadline = time.monotonic() + 30
    while not Heartbeat.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    response = client.get("/healthz",  # type: ignore[attr-defined]
                          HTTP_AUTHORIZATION="Bearer worker-test-token")
    assert response.status_code == 200, response.content
    checks = response.json()["checks"]
    assert checks["worker"]["status"] == "ok"
    assert checks["beat"]["status"] == "ok" and checks["beat"]["age_seconds"] < 30
    assert set(checks["queues"]["lengths"]) == {"default", "pdf"}


def test_a_task_failing_in_the_worker_is_counted_and_logged_with_the_request_id(
        real_worker: None, client: object, settings: object) -> None:
    """A task queued in a request (the outbox keeps the request's id) fails in the worker:
    the worker's log records carry that request id, a ``TaskFailure`` row names the task,
    and /metrics counts it."""
    import logging
    import time

    from django.db import transaction

    from scr.models import TaskFailure
    from scr.outbox import enqueue
    from scr.requestid import RequestIdFilter, request_id

    class Records(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.ERROR)
            self.records: list[logging.LogRecord] = []
            self.addFilter(RequestIdFilter())  # as the project's console handler has it

        def emit(self, record: logging.LogRecord) -> None:
            self.records.append(record)

    settings.METRICS_TOKEN = "metrics-worker-token"  # type: ignore[attr-defined]
    collected = Records()
    tracer = logging.getLogger("celery.app.trace")  # Celery's own, which logs a task's failure
    tracer.addHandler(collected)
    token = request_id.set("req-worker-000000017")
    try:
        with transaction.atomic():  # no such refusal: the task raises in the worker
            enqueue("scr.tasks.check_refusals", 987654321)
        request_id.reset(token)
        deadline = time.monotonic() + 30
        # The failure is recorded (task_failure), then logged by Celery's tracer.
        while not (TaskFailure.objects.exists() and collected.records) and (
                time.monotonic() < deadline):
            time.sleep(0.2)
    finally:
        tracer.removeHandler(collected)
    failure = TaskFailure.objects.get()
    assert (failure.task, failure.request_id) == ("scr.tasks.check_refusals",
                                                  "req-worker-000000017")
    assert failure.exception.startswith("DoesNotExist")
    in_worker = [r for r in collected.records if "check_refusals" in r.getMessage()]
    assert in_worker and all(getattr(r, "request_id", None) == "req-worker-000000017"
                             for r in in_worker)
    text = client.get("/metrics",  # type: ignore[attr-defined]
                      HTTP_AUTHORIZATION="Bearer metrics-worker-token").content.decode()
    assert 'scr_celery_task_failures_total{task="scr.tasks.check_refusals"} 1.0' in text


def test_an_invitation_queued_on_commit_is_sent_by_the_worker(real_worker: None) -> None:
    import time

    from django.core import mail

    from agencies import services

    agency = Agency.objects.create(name="Invite agency", kind=Agency.Kind.HEALTH)
    services.user_invite(by=None, username="new.lead", email="new.lead@example.invalid",
                         first_name="New", last_name="Lead", role="agency_lead", agency=agency)
    deadline = time.monotonic() + 30
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [m.to for m in mail.outbox] == [["new.lead@example.invalid"]]
    from django.conf import settings

    assert f"{settings.SITE_URL.rstrip('/')}/set-password/" in mail.outbox[0].body
