"""The e-mails about a person's own account: the invitation to set a password, and notices of
changes to their credentials, e-mail address or roles. Sent by the worker
(``agencies.tasks``); they carry no case data."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from agencies.models import User

__all__ = ["send_account_notice_email", "send_invitation_email"]


def send_invitation_email(user_id: int) -> None:
    from django.urls import reverse

    user = User.objects.get(pk=user_id)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    from django.conf import settings

    link = settings.SITE_URL.rstrip("/") + reverse(
        "password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    send_mail(
        subject="You have been invited to the case review service",
        message=f"Hello {user.first_name},\n\nSet your password to sign in: {link}\n",
        from_email=None,
        recipient_list=[user.email],
    )


def send_account_notice_email(user_id: int, change: str, to: str) -> None:
    user = User.objects.get(pk=user_id)
    send_mail(
        subject="A change to your account on the case review service",
        message=(f"Hello {user.first_name or user.username},\n\n{change}\n\n"
                 "If you did not expect this change, contact your business manager at once: "
                 "someone else may be using your account.\n"),
        from_email=None, recipient_list=[to])
