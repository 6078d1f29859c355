"""The log of searches for a registered person across the partnership's reviews.

A business manager may ask whether someone in the pseudonym register of one review (or a
name or identifier they type) appears in another review. Each such search is identifiable
processing of a person's data, so each is logged: who, when, what was searched and why
(a reason is required), and which reviews it found. The log is append-only: the model and
its queryset refuse updates and deletes, a PostgreSQL trigger refuses them too (migration
0001), and simple-history keeps the creation with its author.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from scr.actions import Action
from scr.anonymise import IDENTIFIER_KINDS
from scr.history import EVERY_FIELD
from scr.text import DESCRIPTION_LENGTH, REASON_LENGTH

if TYPE_CHECKING:
    from agencies.models import User

__all__ = ["PersonLookup", "PersonLookupQuerySet"]

APPEND_ONLY = "The log of searches for a person is append-only."


class PersonLookupQuerySet(models.QuerySet["PersonLookup"]):
    def update(self, **kwargs: object) -> int:
        raise PermissionError(APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError(APPEND_ONLY)

    def for_user(self, user: User, action: Action = "view") -> PersonLookupQuerySet:
        """Business managers read the log (they alone may search for a person); nobody
        changes it."""
        from agencies.models.roles import Role

        if (getattr(user, "is_authenticated", False) and user.is_active and action == "view"
                and user.has_role(Role.BUSINESS_MANAGER)):
            return self.all()
        return self.none()


class PersonLookup(models.Model):
    """One search for a person across reviews, with its reason and what it found."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                           related_name="person_lookups")
    # From a person in a register ("another review" than theirs), or typed.
    subject = models.ForeignKey("reviews.Subject", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+")
    name = models.CharField(max_length=200, blank=True)
    identifier_kind = models.CharField(max_length=20, choices=IDENTIFIER_KINDS, blank=True)
    identifier = models.CharField(max_length=DESCRIPTION_LENGTH, blank=True)
    reason = models.TextField(max_length=REASON_LENGTH)
    found = models.JSONField(default=list, blank=True,
                             help_text="The references of the reviews it found.")

    objects = PersonLookupQuerySet.as_manager()
    history = HistoricalRecords()
    history_fields = EVERY_FIELD  # read by business managers alone, who see it all (scr.history)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        # Never the name searched: str() reaches logs and history titles.
        return f"Search for a person, {self.at:%-d %B %Y %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError(APPEND_ONLY)
