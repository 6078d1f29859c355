"""The reviews app's background jobs (run by the worker, or in-process by default)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="reviews.tasks.evidence_notify", acks_late=True, reject_on_worker_lost=True)
def evidence_notify(request_id: int, event: str, number: int = 0) -> int:
    """E-mail the agency's leads that a request was sent or returned. Idempotent: the
    reminders ledger lets each lead get each e-mail once, so a redelivered task (acks_late)
    sends nothing twice. Returns how many e-mails were sent now."""
    from reviews.emails import send_evidence_emails

    return send_evidence_emails(request_id, event, number)
