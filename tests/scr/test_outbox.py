"""The transactional outbox (scr/outbox.py): a queued task is a row of the same transaction,
sent after the commit, kept when the broker is down and sent by the relay later."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from agencies import services as people
from agencies.models import Role
from scr import outbox
from scr.models import OutboxMessage
from tests.conftest import Personas


@pytest.fixture
def broker_down(settings: Any) -> Any:
    """Tasks published for real (not eagerly) to a broker nobody listens on."""
    from scr.celery import app

    previous = (app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_write_url)
    app.conf.task_always_eager = False
    # Port 1: connection refused at once. Celery reads its conf through Django's settings.
    settings.CELERY_BROKER_URL = app.conf.broker_url = app.conf.broker_write_url = (
        "redis://127.0.0.1:1/0")
    app._pool = app.amqp._producer_pool = None  # fresh pools for the new broker URL
    yield app
    app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_write_url = previous
    settings.CELERY_BROKER_URL = previous[1]
    app._pool = app.amqp._producer_pool = None


def test_a_queued_task_is_written_with_the_change_and_sent_after_the_commit(
        personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
            people.user_invite(by=personas.manager, username="newlead", email="new@example.org",
                           first_name="New", last_name="Lead", role=Role.AGENCY_LEAD,
                           agency=personas.police)
    message = OutboxMessage.objects.get(task="agencies.tasks.send_invitation")
    assert message.sent_at is not None and message.attempts == 1
    assert [m.to for m in mail.outbox] == [["new@example.org"]]


def test_a_change_rolled_back_queues_nothing(personas: Personas,
                                            django_capture_on_commit_callbacks: Any) -> None:
    before = OutboxMessage.objects.count()  # the arrangement's own hand-offs, if any
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), \
            transaction.atomic():
        outbox.enqueue("agencies.tasks.send_invitation", personas.police_lead.pk)
        raise RuntimeError("the change failed")
    assert OutboxMessage.objects.count() == before
    assert not OutboxMessage.objects.filter(task="agencies.tasks.send_invitation").exists()
    assert mail.outbox == []


def test_with_the_broker_down_the_action_succeeds_at_once_and_the_relay_sends_it_later(
        personas: Personas, broker_down: Any, django_capture_on_commit_callbacks: Any) -> None:
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        user = people.user_invite(by=personas.manager, username="offline",
                                  email="off@example.org", first_name="Off", last_name="Line",
                                  role=Role.AGENCY_LEAD, agency=personas.police)
    assert time.monotonic() - started < 5  # was 19.5 s and a 500
    assert user.pk is not None
    pending = OutboxMessage.objects.get(task="agencies.tasks.send_invitation")
    assert pending.sent_at is None and pending.attempts == 1 and pending.last_error
    assert outbox.relay_pending() == 0  # still down: kept, not lost
    broker_down.conf.task_always_eager = True  # the broker is back (in-process here)
    assert outbox.relay_pending() == 1
    pending.refresh_from_db()
    assert pending.sent_at is not None
    assert [m.to for m in mail.outbox] == [["off@example.org"]]
    assert outbox.relay_pending() == 0  # sent once
    assert len(mail.outbox) == 1


def test_a_row_delivered_twice_sends_its_e_mail_once(
        personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    """Every delivery of a row carries the row's task id; the account e-mails claim it in the
    reminders ledger, so a second delivery (a lost acknowledgement, a second relay) sends
    nothing. A new row (a new notice) is a new e-mail."""
    from agencies.tasks import send_account_notice, send_invitation

    with django_capture_on_commit_callbacks(execute=True):
        user = people.user_invite(by=personas.manager, username="twice", email="tw@example.org",
                                  first_name="Twice", last_name="Sent", role=Role.AGENCY_LEAD,
                                  agency=personas.police)
    message = OutboxMessage.objects.get(task="agencies.tasks.send_invitation")
    assert len(mail.outbox) == 1
    send_invitation.apply(args=message.args, task_id=outbox.task_id(message), throw=True)
    assert len(mail.outbox) == 1  # the redelivery sent nothing

    for row in (1, 1, 2):
        send_account_notice.apply(args=[user.pk, "Your role changed.", user.email],
                                  task_id=f"outbox-notice-{row}", throw=True)
    assert [m.subject for m in mail.outbox[1:]] == [
        "A change to your account on the case review service"] * 2
