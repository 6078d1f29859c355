"""Side effects of people management, run by the worker (or in-process by default)."""

from __future__ import annotations

from celery import Task, shared_task

from agencies.emails import send_account_notice_email, send_invitation_email


@shared_task(name="agencies.tasks.send_invitation", bind=True, acks_late=True,
             reject_on_worker_lost=True)
def send_invitation(self: Task, user_id: int) -> None:
    """E-mail a set-password link, once per queued task: a redelivery of the same task (same
    id, the outbox row's) sends nothing again (agencies/emails.py)."""
    send_invitation_email(user_id, once=self.request.id)


@shared_task(name="agencies.tasks.send_account_notice", bind=True, acks_late=True,
             reject_on_worker_lost=True)
def send_account_notice(self: Task, user_id: int, change: str, to: str) -> None:
    """Tell a person about a change to their account (address, role, password, second
    factor), once per queued task (as above)."""
    send_account_notice_email(user_id, change, to, once=self.request.id)
