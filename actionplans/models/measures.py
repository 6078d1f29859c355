"""Measured impact: each action's success measure as numbers over time (issue 21, item 2).

- ``Measurement`` — one value of an action's success measure on a date, from a source
  ("Audit of strategy meetings"), optionally backed by a secure document (an
  ``ImpactEvidence`` version, through ``scr.documents``). One live measurement per action is
  its **baseline** (``is_baseline``), and says which way is better (``improves_when``); the
  others are the measurements over time. A measurement is withdrawn with a reason, never
  deleted; its history keeps who recorded or withdrew it and why.

Scope: the action's (``ActionChildQuerySet``): business managers, the lead agency's leads
(who also record them), the review's reviewer and panel read them; the board reads only the
aggregate (which recommendations' measures did not move), never the values' sources.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from actionplans.models.plans import (
    Action,
    ActionChildQuerySet,
    ActionScopedRecord,
    ImpactEvidence,
)
from reviews.models import Review
from scr.text import REASON_LENGTH

if TYPE_CHECKING:
    from actionplans.models.plans import ActionChildManager

__all__ = ["Measurement"]


class Measurement(ActionScopedRecord):
    """One value of an action's success measure (or its baseline)."""

    class Better(models.TextChoices):
        HIGHER = "higher", "A higher value is better"
        LOWER = "lower", "A lower value is better"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="measurements")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="measurements")
    is_baseline = models.BooleanField(default=False)
    improves_when = models.CharField(max_length=10, choices=Better.choices, blank=True,
                                     help_text="On the baseline: which way is an improvement.")
    value = models.DecimalField(max_digits=12, decimal_places=2)
    unit = models.CharField(max_length=40, blank=True, help_text="For example “%” or “cases”.")
    measured_on = models.DateField()
    source = models.CharField(max_length=200, help_text="Where the value comes from.")
    evidence = models.ForeignKey(ImpactEvidence, on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="measurements")
    withdrawn = models.BooleanField(default=False)
    withdrawn_reason = models.TextField(blank=True, max_length=REASON_LENGTH)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[ActionChildManager[Self]] = ActionChildQuerySet.as_manager()

    class Meta:
        ordering = ["measured_on", "id"]
        indexes = [models.Index(fields=["action", "withdrawn", "measured_on"])]
        constraints = [
            models.UniqueConstraint(fields=["action"],
                                    condition=Q(is_baseline=True, withdrawn=False),
                                    name="one_live_baseline_per_action"),
            models.CheckConstraint(condition=Q(is_baseline=False, improves_when="")
                                   | Q(is_baseline=True, improves_when__in=["higher", "lower"]),
                                   name="baseline_says_which_way_is_better"),
        ]

    def __str__(self) -> str:
        what = "Baseline" if self.is_baseline else "Measurement"
        return f"{what} of {self.measured_on:%-d %B %Y}"
