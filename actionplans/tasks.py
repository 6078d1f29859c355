"""Celery tasks of the monitoring reminders (beat: ``daily-reminder-digests`` in settings).

``send_daily_digests`` (beat, once a day at ``REMINDER_DIGEST_HOUR``) finds who may have
something due and queues one ``send_digest_batch`` per ``REMINDER_BATCH_SIZE`` people. Both
are idempotent — the ledger makes each digest exactly once (``services.reminders``) — so
both acknowledge late and are requeued if their worker is lost: a second beat, a redelivery
after Redis's visibility timeout or a worker killed mid-batch sends nothing twice
(the batch's claims are held under a lease: see ``scr.reminders``).
"""

from __future__ import annotations

from datetime import date

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from actionplans.selectors.digests import digest_recipients, is_quiet_day
from actionplans.services.reminders import digests_send_batch

__all__ = ["send_daily_digests", "send_digest_batch"]


@shared_task(name="actionplans.tasks.send_daily_digests", acks_late=True,
             reject_on_worker_lost=True)
def send_daily_digests(day: str | None = None) -> int:
    """Queue the day's digests in batches; nothing on a quiet day. Returns the batches."""
    when = date.fromisoformat(day) if day else timezone.localdate()
    if is_quiet_day(when):
        return 0
    ids = list(digest_recipients(when).values_list("pk", flat=True))
    size = max(settings.REMINDER_BATCH_SIZE, 1)
    batches = [ids[i:i + size] for i in range(0, len(ids), size)]
    for batch in batches:
        send_digest_batch.delay(batch, when.isoformat())
    return len(batches)


@shared_task(name="actionplans.tasks.send_digest_batch", bind=True, acks_late=True,
             reject_on_worker_lost=True, max_retries=8, default_retry_delay=60)
def send_digest_batch(self: Task, user_ids: list[int], day: str) -> int:
    """Send one batch's digests; a failed send is retried for those people only (the ledger
    marks those that went), and people another worker holds are retried once its lease ends
    (sent by then, or given up by a worker that died)."""
    when = date.fromisoformat(day)
    if is_quiet_day(when):
        return 0
    batch = digests_send_batch(user_ids, when)
    if batch.retry:
        wait = float(self.default_retry_delay) if batch.failed else 1.0
        if batch.held_until is not None:
            wait = max(wait, (batch.held_until - timezone.now()).total_seconds() + 1)
        raise self.retry(args=(batch.retry, day), countdown=wait)
    return len(user_ids)
