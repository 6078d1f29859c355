"""The transactional outbox: a task a service queues is a row written in the same
transaction as the change, relayed to the broker after the commit.

``enqueue("scr.tasks.render_pdf", record.pk)`` inside a service writes an
``OutboxMessage`` and asks, on commit, for that one row to be relayed at once (the usual
case: a few milliseconds later the task is on the broker). When the broker is down the
relay gives up quickly (no retries on publish: the row is the retry), the user's action has
already succeeded, and the row stays pending; the beat task ``scr.tasks.relay_outbox``
(every few seconds) and each worker's start send whatever is pending. Nothing is lost if
the web process dies between the commit and the relay: the row is committed.

A row may be sent twice (a relay that published and then failed to mark it sent; a task
whose acknowledgement was lost with the broker): every task is idempotent by construction
(the reminders ledger, render records; a task with no record of its own claims its e-mail
in the ledger by its task id, which is the row's, ``outbox-<id>``), so the outbox promises
*at least once* and the tasks make it once. Rows are locked with ``SKIP LOCKED`` so two relays never send the
same row at the same time.

Why not a library: django-celery-outbox and similar packages are small, young and tie the
schema to their own; this is one table and two functions over Celery's own
``app.tasks[name].apply_async`` (which also runs tasks in-process on the embedded default,
``task_always_eager``, through the same path). Services never import the tasks module, so
``scr.tasks`` importing the services it runs is no cycle.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from scr.models import OutboxMessage
from scr.requestid import TASK_HEADER, current

__all__ = ["enqueue", "relay", "relay_pending", "task_id"]

logger = logging.getLogger(__name__)
RELAY_BATCH = 500


def enqueue(task: str, *args: Any) -> OutboxMessage:
    """Queue ``task`` with ``args`` as part of the caller's transaction (with the id of the
    request that asked, for the worker's logs: scr.requestid)."""
    with transaction.atomic():
        message = OutboxMessage.objects.create(task=task, args=list(args),
                                               request_id=current())
        transaction.on_commit(lambda: relay(message.pk))
    return message


_TASKS_LOADED = False


def _publish(message: OutboxMessage) -> None:
    global _TASKS_LOADED
    from scr.celery import app

    if not _TASKS_LOADED:  # every app's tasks registered, in the web process too (once)
        app.loader.import_default_modules()
        _TASKS_LOADED = True
    task = app.tasks[message.task]
    if app.conf.task_always_eager:
        task.apply(args=message.args, task_id=task_id(message), throw=True)
    else:
        task.apply_async(args=message.args, task_id=task_id(message), retry=False,
                         headers={TASK_HEADER: message.request_id} if message.request_id else {})


def task_id(message: OutboxMessage) -> str:
    """The Celery task id of a row: the same for every delivery of it (a second relay of a row
    already published, a redelivery by Redis), so a task can claim its side effect once by
    it in the reminders ledger (``agencies.emails``)."""
    return f"outbox-{message.pk}"


def _send(message: OutboxMessage) -> bool:
    try:
        _publish(message)
    except Exception as failed:  # broker down, task refused: the row stays pending
        if getattr(failed, "__module__", "").startswith(("kombu", "redis", "amqp", "celery")) or (
                isinstance(failed, OSError | ConnectionError)):
            message.attempts += 1
            message.last_error = f"{type(failed).__name__}: {failed}"[:500]
            message.save(update_fields=["attempts", "last_error"])
            logger.warning("Outbox: %s not sent yet (%s); the relay will retry", message,
                           message.last_error)
            return False
        raise
    message.sent_at = timezone.now()
    message.attempts += 1
    message.save(update_fields=["sent_at", "attempts"])
    return True


def relay(message_id: int) -> bool:
    """Send one pending row now (after its commit). False if it stays pending."""
    with transaction.atomic():
        message = (OutboxMessage.objects.select_for_update(skip_locked=True)
                   .filter(pk=message_id, sent_at__isnull=True).first())
        if message is None:  # already sent, or another relay holds it
            return False
        return _send(message)


def relay_pending(limit: int = RELAY_BATCH) -> int:
    """Send pending rows, oldest first; stop at the first the broker refuses. Returns how many
    were sent."""
    sent = 0
    ids = list(OutboxMessage.objects.filter(sent_at__isnull=True).order_by("created_at", "id")
               .values_list("pk", flat=True)[:limit])
    for message_id in ids:
        with transaction.atomic():
            message = (OutboxMessage.objects.select_for_update(skip_locked=True)
                       .filter(pk=message_id, sent_at__isnull=True).first())
            if message is None:
                continue
            if not _send(message):
                break
            sent += 1
    return sent
