"""The append-only access log.

Every view of a case page, every download and every export writes one
``AccessEvent``; so do sign-ins, sign-outs and failed sign-ins. Rows are never
updated or deleted: the model refuses it, the admin is read-only, and on
PostgreSQL a trigger refuses it too. It carries no simple-history table because
a row never changes (see docs/audit.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AccessEventQuerySet(models.QuerySet["AccessEvent"]):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("The access log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The access log is append-only.")

    def for_user(self, user: object, action: str = "view") -> AccessEventQuerySet:
        """Only the roles named in ``ACCESS_LOG_READER_ROLES`` (business managers) read it."""
        if getattr(user, "is_authenticated", False) and action == "view" and (
            user.has_role(*settings.ACCESS_LOG_READER_ROLES)  # type: ignore[attr-defined]
        ):
            return self.all()
        return self.none()


class AccessEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        DOWNLOAD = "download", "Downloaded"
        EXPORT = "export", "Exported"
        LOGIN = "login", "Signed in"
        LOGOUT = "logout", "Signed out"
        LOGIN_FAILED = "login_failed", "Failed sign-in"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                             blank=True, related_name="access_events")
    username = models.CharField(max_length=150, blank=True,
                                help_text="As typed, for failed sign-ins.")
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    # The review the object belongs to, so one search finds everything about a case.
    review_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    path = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or self.user_id} {self.action} {self.object_repr}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("The access log is append-only.")
