"""A real Celery worker on the real broker sends the evidence notifications' e-mails queued
on commit (through the outbox), once per lead, however often the task is delivered."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from scr.celery import app as celery_app
from scr.models import Notification, ReminderSent
from scr.tasks import email_notifications
from tests.conftest import Personas
from tests.reviews.evidence import helpers as h

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


def wait_for(condition: object, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.1)


def test_the_worker_emails_each_lead_once_when_a_request_is_sent(
        real_worker: None, personas: Personas) -> None:
    request = h.send_imr(personas, h.evidence_review(personas))[0]
    lead = "police_lead@example.invalid"

    def to_lead() -> list[object]:
        # The arrangement's own hand-offs (the panel appointed) e-mail others: not counted.
        return [m for m in mail.outbox if m.to == [lead]]

    wait_for(to_lead)
    time.sleep(1)  # a second e-mail to the lead, if there were one, would have come by now
    assert len(to_lead()) == 1
    # The same task delivered again (Redis redelivers unacknowledged tasks): nothing more.
    # (Tasks store no result in the app; this test asks for one to read the count.)
    notification = Notification.objects.get(object_id=request.pk, kind="evidence_requested")
    assert email_notifications.apply_async(([notification.pk],), ignore_result=False).get(
        timeout=30) == 0
    assert len(to_lead()) == 1
    assert ReminderSent.objects.filter(kind="notification",
                                       recipient_id=personas.police_lead.pk).count() == 1
