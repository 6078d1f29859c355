"""Account security writes: second factors, passwords, and the notices they send.

Every change of a credential, an e-mail address or a role is told to the person by e-mail
(issue 9, defect 6): a change of address goes to the *old* address, so a manager who
changes someone's address and re-invites them cannot take the account over unseen. The
notices are queued with ``transaction.on_commit`` (nothing is sent for a change that rolls
back) to ``agencies.tasks.send_account_notice``.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import BackupCode, BackupCodeDevice, User, backup_code_digest
from scr.accesslog import client_ip
from scr.history import save_with_history
from scr.models import AccessEvent
from scr.outbox import enqueue
from scr.rules import fresh_locked, require_reason
from scr.sessions import end_other_sessions

BACKUP_DEVICE_NAME = "Backup codes"
APP_DEVICE_NAME = "Authenticator app"


def queue_account_notice(user: User, change: str, *, to: str | None = None) -> None:
    """Tell the person, after commit, that ``change`` happened to their account."""
    address = to if to is not None else user.email
    if address:
        enqueue("agencies.tasks.send_account_notice", user.pk, change, address)




def _log(request: HttpRequest | None, user: User, what: str) -> None:
    """An account-security event in the access log: who did it, to whom, what."""
    if request is None:
        return
    actor = request.user if request.user.is_authenticated else None
    AccessEvent.objects.create(user=actor, username=getattr(actor, "username", ""),
                               action=AccessEvent.Action.ACCOUNT, object_type="agencies.User",
                               object_id=str(user.pk), object_repr=f"{what}: {user}"[:200],
                               path=request.get_full_path()[:500], ip_address=client_ip(request))


# ---------------------------------------------------------------- second factor


@transaction.atomic
def totp_device_pending(user: User) -> TOTPDevice:
    """The authenticator-app device being set up (unconfirmed): the same one at every visit
    to the set-up page until it is confirmed, created on first ask. The person's row is
    locked while it is looked for, so two visits at once (a double click, a reload) still
    make one; any other pending device (left by an earlier race) goes."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk")
    device = pending.first()
    if device is None:
        return TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    pending.exclude(pk=device.pk).delete()
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The key as authenticator apps take it typed in: base32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


# Crockford's base 32 (no I, L, O, U): 23 characters are 115 bits.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 23


def _backup_code() -> str:
    plain = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(plain[i:i + 5] for i in range(0, CODE_LENGTH, 5))


def _new_backup_codes(user: User) -> list[str]:
    """New codes replace the old ones; only their hashes are kept (shown once)."""

    device, _ = BackupCodeDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE_NAME,
                                                       defaults={"confirmed": True})
    device.codes.all().delete()
    codes = [_backup_code() for _ in range(settings.BACKUP_CODE_COUNT)]
    for code in codes:
        BackupCode.objects.create(device=device, digest=backup_code_digest(code))
    return codes


@transaction.atomic
def second_factor_confirm(*, user: User, device: TOTPDevice, code: str,
                          request: HttpRequest | None = None) -> list[str] | None:
    """Confirm the app with a code it shows; returns the new backup codes (shown once), or
    None when the code is wrong."""
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError("This set-up has expired. Start again")
    if not device.verify_token(code.replace(" ", "")):
        return None
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _new_backup_codes(user)
    _log(request, user, "Two-factor sign-in set up")
    queue_account_notice(user, "Two-factor sign-in was set up on your account, with an "
                               "authenticator app and new backup codes.")
    return codes


@transaction.atomic
def backup_codes_renew(*, user: User, request: HttpRequest | None = None) -> list[str]:
    codes = _new_backup_codes(user)
    _log(request, user, "New backup codes")
    queue_account_notice(user, "New backup codes were made for your account; the old ones no "
                               "longer work.")
    return codes


def backup_codes_left(user: User) -> int:
    return BackupCode.objects.for_user(user).filter(used_at__isnull=True,
                                                    device__confirmed=True).count()


@transaction.atomic
def second_factor_reset(*, by: User, user: User, reason: str,
                        request: HttpRequest | None = None) -> User:
    """A business manager removes someone's second factor (a lost phone): their devices go,
    their sessions end, and they set up a new one at their next sign-in. Audited with the
    reason (the person's history) and told to them."""
    reason = require_reason(reason)
    if user.pk == by.pk:
        raise ValidationError("You cannot reset your own second factor. Ask another business "
                              "manager")
    stored = fresh_locked(user)
    for device in devices_for_user(stored, confirmed=None):
        device.delete()
    stored.second_factor_reset_at = timezone.now()
    save_with_history(stored, by=by, reason=f"Second factor reset: {reason}")
    end_other_sessions(stored, keep=None)
    _log(request, stored, "Second factor reset")
    queue_account_notice(stored, f"{by} reset the two-factor sign-in of your account "
                                 f"(reason: {reason}). You will set it up again when you next "
                                 "sign in.")
    user.refresh_from_db()
    return user


# ---------------------------------------------------------------- password


@transaction.atomic
def password_change(*, user: User, new_password: str, request: HttpRequest | None = None,
                    reason: str = "Password changed") -> User:
    """Set a new password (the form checked the current one and the rules); other sessions
    end because the password hash changes. The person is told."""
    stored = User.objects.select_for_update().get(pk=user.pk)
    stored.set_password(new_password)
    save_with_history(stored, by=user, reason=reason)
    _log(request, stored, reason)
    queue_account_notice(stored, "The password of your account was changed.")
    user.refresh_from_db()
    return user



def demo_logins_enabled() -> bool:
    return bool(settings.DEBUG or settings.DEMO_MODE)


class DemoAwareModelBackend(ModelBackend):
    """The model backend, except that demo accounts sign in only in DEBUG or DEMO_MODE.

    Their passwords are published in the README, so on a real deployment they
    must be dead even if someone ran seed_demo there.
    """

    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_demo", False) and not demo_logins_enabled():
            return False
        return super().user_can_authenticate(user)



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
