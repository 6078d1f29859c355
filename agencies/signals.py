"""Sign-in, sign-out and failed sign-in go to the access log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from scr.accesslog import client_ip
from scr.models import AccessEvent


@receiver(user_logged_in)
def log_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    AccessEvent.objects.create(user=user, username=user.username, action=AccessEvent.Action.LOGIN,
                               path=request.path if request else "",
                               ip_address=client_ip(request) if request else None)


@receiver(user_logged_out)
def log_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    AccessEvent.objects.create(user=user, username=user.username,
                               action=AccessEvent.Action.LOGOUT,
                               path=request.path if request else "",
                               ip_address=client_ip(request) if request else None)


@receiver(user_login_failed)
def log_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None,
                     **kwargs: Any) -> None:
    AccessEvent.objects.create(username=str(credentials.get("username", ""))[:150],
                               action=AccessEvent.Action.LOGIN_FAILED,
                               path=request.path if request else "",
                               ip_address=client_ip(request) if request else None)
