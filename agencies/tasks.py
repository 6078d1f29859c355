"""Side effects of people management, run by the worker (or in-process by default)."""

from __future__ import annotations

from celery import shared_task

from agencies.emails import send_account_notice_email, send_invitation_email


@shared_task(name="agencies.tasks.send_invitation", acks_late=True, reject_on_worker_lost=True)
def send_invitation(user_id: int) -> None:
    """E-mail a set-password link. Safe to repeat: a second link works like the first."""
    send_invitation_email(user_id)


@shared_task(name="agencies.tasks.send_account_notice", acks_late=True, reject_on_worker_lost=True)
def send_account_notice(user_id: int, change: str, to: str) -> None:
    """Tell a person about a change to their account (address, role, password, second
    factor). A repeat sends the same notice again: better than a lost one."""
    send_account_notice_email(user_id, change, to)
