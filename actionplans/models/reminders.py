"""Monitoring reminders: what each daily digest said, who is on leave, who escalations reach.

- ``Digest`` — one daily digest e-mail as sent: its ledger row in ``scr.ReminderSent`` (the
  claim that makes it exactly once), the items it listed (references and pseudonyms only,
  never identifiable data) and the reviews and agencies they belong to, so a business
  manager can read the reminder history per review and per agency.
- ``ReminderPause`` — reminders paused for a person (on leave), from a date, with a reason.
- ``SeniorLead`` — an agency's named senior lead, who also receives escalations.
"""

from __future__ import annotations

from datetime import date
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agencies.models import Agency, User
from reviews.models import Review
from scr.actions import Action as ScopeAction
from scr.history import EVERY_FIELD
from scr.models import ReminderSent
from scr.text import REASON_LENGTH

__all__ = [
    "Digest",
    "DigestManager",
    "DigestQuerySet",
    "ReminderPause",
    "SeniorLead",
]


def _is_manager(user: User) -> bool:
    from agencies.models.roles import Role

    return bool(getattr(user, "is_authenticated", False)
                and user.has_role(Role.BUSINESS_MANAGER))


class DigestManager(models.Manager["Digest"]):
    """Digests that went: a digest is recorded with its claim, before its e-mail is sent, and
    is shown from the moment its ledger row is marked sent (``scr.reminders``). Relations and
    the sending service use the unfiltered ``_base_manager``."""

    def get_queryset(self) -> DigestQuerySet:
        return DigestQuerySet(self.model, using=self._db).filter(ledger__sent_at__isnull=False)

    def for_user(self, user: User, action: ScopeAction = "view") -> models.QuerySet[Digest]:
        return self.get_queryset().for_user(user, action)


class DigestQuerySet(models.QuerySet["Digest"]):
    def for_user(self, user: User, action: ScopeAction = "view") -> models.QuerySet[Digest]:
        """Everyone reads the digests sent to them; business managers read every one."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if _is_manager(user):
            return self.all()
        return self.filter(recipient=user) if action == "view" else self.none()


class Digest(models.Model):
    """One daily digest e-mail, as it was sent."""

    ledger = models.OneToOneField(ReminderSent, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="digests")
    day = models.DateField()
    subject = models.CharField(max_length=200)
    # [{"kind", "text", "url", "due", "review_id", "agency_id", "escalation"}]: no names.
    items = models.JSONField(default=list)
    escalations = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)
    reviews = models.ManyToManyField(Review, related_name="+", blank=True)
    agencies = models.ManyToManyField(Agency, related_name="+", blank=True)

    objects = DigestManager()
    history = HistoricalRecords()
    history_fields = EVERY_FIELD  # its page shows every field to whoever may read it (scr.history)

    class Meta:
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["recipient", "day"])]

    def __str__(self) -> str:
        return f"Digest of {self.day:%-d %B %Y}"


class ManagerOnlyQuerySet(models.QuerySet):
    def for_user(self, user: User, action: ScopeAction = "view") -> Self:
        """Business managers pause reminders and name senior leads; the person concerned
        sees their own pauses."""
        if _is_manager(user):
            return self.all()
        if getattr(user, "is_authenticated", False) and action == "view" and hasattr(
                self.model, "user"):
            return self.filter(user=user)
        return self.none()


class ReminderPauseQuerySet(ManagerOnlyQuerySet):
    def in_force(self, on: date) -> ReminderPauseQuerySet:
        return self.filter(Q(starts_on__lte=on) & (Q(ends_on__isnull=True) | Q(ends_on__gte=on)))


class ReminderPause(models.Model):
    """No digests to this person from ``starts_on`` to ``ends_on`` (open-ended if blank)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="reminder_pauses")
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(null=True, blank=True)
    reason = models.TextField(max_length=REASON_LENGTH)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")

    objects = ReminderPauseQuerySet.as_manager()
    history = HistoricalRecords()
    history_fields = EVERY_FIELD  # its page shows every field to whoever may read it (scr.history)

    class Meta:
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        until = f" to {self.ends_on:%-d %B %Y}" if self.ends_on else ""
        return f"Reminders paused from {self.starts_on:%-d %B %Y}{until}"


class SeniorLead(models.Model):
    """An agency's named senior lead: escalations about the agency reach them too."""

    agency = models.OneToOneField(Agency, on_delete=models.PROTECT, related_name="senior_lead")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="senior_lead_of")
    named_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")

    objects = ManagerOnlyQuerySet.as_manager()
    history = HistoricalRecords()
    history_fields = EVERY_FIELD  # its page shows every field to whoever may read it (scr.history)

    def __str__(self) -> str:
        return f"Senior lead of {self.agency}"
