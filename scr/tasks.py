"""Cross-cutting tasks: the worker ping and beat heartbeat used by /healthz, housekeeping, PDF
renders."""

from __future__ import annotations

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from scr.models import Heartbeat
from scr.outbox import relay_pending
from scr.renders import RENDER_TIME_LIMIT, render_run


@shared_task(name="scr.tasks.worker_ping", acks_late=True, reject_on_worker_lost=True,
             ignore_result=False)
def worker_ping() -> dict[str, object]:
    """Prove a worker can run a task *and* reach the database.

    Read-only, hence idempotent and safe to acknowledge late. The table it counts is named
    in settings (``WORKER_PING_MODEL``) so scr imports no app.
    """
    model = apps.get_model(settings.WORKER_PING_MODEL)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"database": connection.vendor,
            str(model._meta.verbose_name_plural): model._default_manager.count()}


@shared_task(name="scr.tasks.clear_expired_sessions", acks_late=True, reject_on_worker_lost=True)
def clear_expired_sessions() -> None:
    call_command("clearsessions")


@shared_task(name="scr.tasks.render_pdf", acks_late=True, reject_on_worker_lost=True,
             time_limit=RENDER_TIME_LIMIT, soft_time_limit=RENDER_TIME_LIMIT - 30)
def render_pdf(record_id: int) -> str | None:
    """Render one ``RenderRecord`` (queue ``pdf``). Idempotent: ``render_run`` does nothing
    for a record another delivery has finished, so acknowledging late is safe."""
    record = render_run(record_id)
    return record.status if record is not None else None


@shared_task(name="scr.tasks.check_refusals", acks_late=True, reject_on_worker_lost=True)
def check_refusals(event_id: int) -> int:
    """Alert the business managers when refusals pile up (scr/refusals.py). Idempotent:
    each alert is claimed in the reminders ledger before it is sent."""
    from scr.refusals import alert_if_probing

    return alert_if_probing(event_id)


@shared_task(name="scr.tasks.relay_outbox", ignore_result=True)
def relay_outbox() -> int:
    """Send the outbox's pending rows (scr/outbox.py): every few seconds by beat, and when a
    worker starts. Safe to overlap: rows are locked with SKIP LOCKED."""
    return relay_pending()


@shared_task(name="scr.tasks.seal_audit_chain", acks_late=True, reject_on_worker_lost=True)
def seal_audit_chain() -> int:
    """Link every audit row not yet in the hash chain (scr/auditchain.py). Idempotent: one
    sealer at a time (an advisory lock), and a row is linked once."""
    from scr.auditchain import seal

    return seal()


@shared_task(name="scr.tasks.email_notifications", acks_late=True, reject_on_worker_lost=True)
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail notifications their people want at once (scr/notifications.py). Idempotent:
    each is claimed in the reminders ledger before it is sent."""
    from scr.notifications import email_notifications as send

    return send(notification_ids)


@shared_task(name="scr.tasks.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    """Record that the beat scheduler is running (every ``BEAT_HEARTBEAT_SECONDS``), for
    /healthz's "last beat run" and the ``scr_beat_last_run_age_seconds`` gauge. Idempotent:
    one row, overwritten."""
    Heartbeat.objects.update_or_create(name="beat", defaults={"at": timezone.now()})
