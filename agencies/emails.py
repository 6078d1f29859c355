"""The e-mails about a person's own account: the invitation to set a password, and notices of
changes to their credentials, e-mail address or roles. Sent by the worker
(``agencies.tasks``); they carry no case data.

Each is sent once per queued task: the task's id (the outbox row's, ``outbox-<id>``, the same
for every delivery of it) is the period of a claim in the reminders ledger, so a task
delivered twice (its acknowledgement lost with the broker, a row relayed twice) sends one
e-mail. A new invitation or notice is a new row, hence a new e-mail."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from agencies.models import User
from scr.reminders import send_once

__all__ = ["send_account_notice_email", "send_invitation_email"]


def _send(user: User, kind: str, once: str | None, message: EmailMessage) -> bool:
    if once is None:  # called outside a task: nothing to deduplicate by
        return message.send() > 0
    return send_once(user, user, kind, once[-20:], message)


def send_invitation_email(user_id: int, once: str | None = None) -> bool:
    """E-mail a set-password link; ``once`` (the task's id) sends it once whatever
    redeliveries do. True if it was sent now."""
    from django.urls import reverse

    user = User.objects.get(pk=user_id)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    from django.conf import settings

    link = settings.SITE_URL.rstrip("/") + reverse(
        "password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return _send(user, "account_invitation", once, EmailMessage(
        subject="You have been invited to the case review service",
        body=f"Hello {user.first_name},\n\nSet your password to sign in: {link}\n",
        to=[user.email]))


def send_account_notice_email(user_id: int, change: str, to: str,
                              once: str | None = None) -> bool:
    user = User.objects.get(pk=user_id)
    return _send(user, "account_notice", once, EmailMessage(
        subject="A change to your account on the case review service",
        body=(f"Hello {user.first_name or user.username},\n\n{change}\n\n"
              "If you did not expect this change, contact your business manager at once: "
              "someone else may be using your account.\n"),
        to=[to]))
