"""What stops and explains the statutory clocks: parallel processes, pauses, delays."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from reviews.models.base import ReviewRecord, check_dates
from reviews.models.lifecycle import Review
from scr.text import DESCRIPTION_LENGTH, NARRATIVE_LENGTH, REASON_LENGTH

__all__ = [
    "ClockKind",
    "ClockPause",
    "DelayExplanation",
    "ParallelProcess",
]


class ParallelProcess(ReviewRecord):
    class Kind(models.TextChoices):
        CRIMINAL = "criminal", "Criminal proceedings"
        INQUEST = "inquest", "Inquest"
        DHR = "dhr", "Domestic Homicide Review"
        SAR = "sar", "Safeguarding Adults Review"
        COURT = "court", "Court orders"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="parallel_processes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField(blank=True, max_length=DESCRIPTION_LENGTH)
    opened_on = models.DateField()
    cleared_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["opened_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({'cleared' if self.cleared_on else 'open'})"

    @property
    def is_open(self) -> bool:
        return self.cleared_on is None

    def clean(self) -> None:
        check_dates(self, past_only=("opened_on", "cleared_on"),
                    order=(("cleared_on", "opened_on", "It cannot clear before it started"),))


class ClockKind(models.TextChoices):
    NOTIFICATION = "notification", "Notify the national Panel"
    RAPID_REVIEW = "rapid_review", "Rapid review"
    FINAL_REPORT = "final_report", "Final report"
    PUBLICATION_NOTICE = "publication_notice", "Send the report to the national Panel"


class ClockPause(ReviewRecord):
    """A clock stopped for a reason (usually a parallel process), then resumed."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="clock_pauses")
    clock = models.CharField(max_length=30, choices=ClockKind.choices)
    reason = models.TextField(max_length=REASON_LENGTH)
    parallel_process = models.ForeignKey(ParallelProcess, on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="pauses")
    paused_on = models.DateField()
    resumed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["paused_on"]
        constraints = [
            models.UniqueConstraint(fields=["review", "clock"], condition=Q(resumed_on__isnull=True),
                                    name="one_open_pause_per_clock"),
        ]

    def __str__(self) -> str:
        return f"{self.get_clock_display()} paused {self.paused_on:%-d %B %Y}"

    def clean(self) -> None:
        check_dates(self, past_only=("paused_on", "resumed_on"),
                    order=(("resumed_on", "paused_on", "A clock cannot resume before it was "
                                                       "paused"),))


class DelayExplanation(ReviewRecord):
    """Why a clock was missed: required before a missed clock stops showing as unexplained."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="delay_explanations")
    clock = models.CharField(max_length=30, choices=ClockKind.choices)
    explanation = models.TextField(max_length=NARRATIVE_LENGTH)
    recorded_on = models.DateField(default=timezone.localdate)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "clock"],
                                               name="one_explanation_per_clock")]

    def __str__(self) -> str:
        return f"Delay explained: {self.get_clock_display()}"
