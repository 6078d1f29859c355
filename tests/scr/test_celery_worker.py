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
    settings.HEALTHZ_TOKEN = "worker-test-token"  # type: ignore[attr-defined]
    response = client.get("/healthz",  # type: ignore[attr-defined]
                          HTTP_AUTHORIZATION="Bearer worker-test-token")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["worker"]["status"] == "ok"


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
