"""Recommendations of national reviews (the national Panel's own reports, and a national review
recorded against one of the partnership's reviews), each mapped to the local actions that
answer it. The actions are ordinary actions of an action plan: they are tracked (progress,
RAG, evidence of impact, closure) exactly like any other; the mapping says which national
recommendation each answers.

- ``NationalReport`` — a national report (its title, the Panel's publication date, a link),
  optionally the ``reviews.NationalReview`` of one of this partnership's reviews it came from.
- ``NationalRecommendation`` — one of its recommendations, numbered.
- ``NationalRecommendationAction`` — a local action mapped to it (withdrawn, never deleted).

National reports are public documents: every signed-in person reads them; business managers
record them and map actions. A mapping is read by whoever reads its action.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from actionplans.models.plans import Action
from agencies.models import User
from reviews.models import NationalReview
from scr.actions import Action as ScopeAction
from scr.history import EVERY_FIELD
from scr.text import NARRATIVE_LENGTH, REASON_LENGTH

__all__ = ["NationalRecommendation", "NationalRecommendationAction", "NationalReport"]


def _manager(user: User) -> bool:
    from agencies.models.roles import Role

    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.BUSINESS_MANAGER))


class NationalQuerySet(models.QuerySet):
    """Read by every signed-in, active person; changed by business managers."""

    def for_user(self, user: User, action: ScopeAction = "view") -> Self:
        if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
            return self.none()
        if action == "view":
            return self.all()
        return self.all() if _manager(user) else self.none()


if TYPE_CHECKING:
    NationalManager = models.Manager.from_queryset(NationalQuerySet)


class NationalReport(models.Model):
    title = models.CharField(max_length=300)
    published_on = models.DateField("published by the Panel on")
    url = models.URLField(blank=True, max_length=500)
    national_review = models.ForeignKey(
        NationalReview, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The national review of one of this partnership's reviews it reports.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[NationalManager[Self]] = NationalQuerySet.as_manager()
    history = HistoricalRecords()
    history_fields = EVERY_FIELD

    class Meta:
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.title


class NationalRecommendation(models.Model):
    report = models.ForeignKey(NationalReport, on_delete=models.PROTECT,
                               related_name="recommendations")
    number = models.PositiveIntegerField()
    text = models.TextField(max_length=NARRATIVE_LENGTH)

    objects: ClassVar[NationalManager[Self]] = NationalQuerySet.as_manager()
    history = HistoricalRecords()
    history_fields = EVERY_FIELD

    class Meta:
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"],
                                               name="one_national_recommendation_number")]

    def __str__(self) -> str:
        return f"National recommendation {self.number}"


class MappingQuerySet(models.QuerySet):
    """A mapping is read by whoever reads its action; changed by business managers."""

    def for_user(self, user: User, action: ScopeAction = "view") -> Self:
        if action == "view":
            return self.filter(action__in=Action.objects.for_user(user, "view").values("pk"))
        return self.all() if _manager(user) else self.none()


class NationalRecommendationAction(models.Model):
    recommendation = models.ForeignKey(NationalRecommendation, on_delete=models.PROTECT,
                                       related_name="mappings")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="+")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)
    withdrawn = models.BooleanField(default=False)
    withdrawal_reason = models.TextField(blank=True, max_length=REASON_LENGTH)

    objects = MappingQuerySet.as_manager()
    history = HistoricalRecords()
    history_fields = EVERY_FIELD

    class Meta:
        ordering = ["recommendation", "action"]
        constraints = [models.UniqueConstraint(fields=["recommendation", "action"],
                                               condition=Q(withdrawn=False),
                                               name="national_recommendation_action_once")]

    def __str__(self) -> str:
        return "A local action answering a national recommendation"
