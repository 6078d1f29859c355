"""A person's second factors: TOTP devices are django-otp's own; backup codes are stored
hashed, one row per code, used once."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django_otp.models import Device, DeviceManager, ThrottlingMixin, TimestampMixin

from agencies.models.people import User
from scr.actions import Action

__all__ = [
    "BackupCode",
    "BackupCodeDevice",
    "BackupCodeDeviceManager",
    "BackupCodeQuerySet",
    "backup_code_digest",
]


class BackupCodeDeviceManager(DeviceManager):
    def for_user(self, user: User, action: Action = "view") -> models.QuerySet[Any]:
        """A person's second-factor records are theirs alone (their account page)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)


class BackupCodeQuerySet(models.QuerySet["BackupCode"]):
    def for_user(self, user: User, action: Action = "view") -> BackupCodeQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(device__user=user)


class BackupCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """One-time backup codes, a django-otp device (``match_token`` finds it).

    django-otp's own static device keeps its codes in plain text; ASVS 5.0 6.5.2 wants
    lookup secrets hashed. These codes carry 115 bits (23 random base-32 characters), so a
    plain SHA-256 is enough (6.5.2 asks a password hash only below 112 bits) and a code is
    found by its hash in one indexed query. Wrong codes are throttled like the app's codes.
    """

    objects = BackupCodeDeviceManager()

    def get_throttle_factor(self) -> int:
        from django.conf import settings

        return int(getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1))

    def verify_token(self, token: str) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        code = self.codes.filter(digest=backup_code_digest(token), used_at__isnull=True).first()
        if code is None:
            self.throttle_increment()
            return False
        code.used_at = timezone.now()
        code.save(update_fields=["used_at"])
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True


def backup_code_digest(code: str) -> str:
    """SHA-256 of a code as typed, ignoring case, spaces and dashes."""
    import hashlib

    plain = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(plain.encode()).hexdigest()


class BackupCode(models.Model):
    """One backup code: its hash only, and when it was used (a code works once)."""

    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)

    objects = BackupCodeQuerySet.as_manager()

    def __str__(self) -> str:
        return f"backup code {self.pk} ({'used' if self.used_at else 'unused'})"
