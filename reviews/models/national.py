"""The national Child Safeguarding Practice Review Panel (DOMAIN.md stage 2): its reply to the
rapid review, as a structured outcome, and a national review recorded against a review.

- ``PanelReply`` — the Panel's reply (agrees with the decision, disagrees, or is considering a
  national review) with its date and what it said. Each outcome leads to its next step
  (``reviews.services.national``): a disagreement reopens the decision for the partnership to
  reconsider (``reconsidered_at`` is set once a decision is recorded again); "considering a
  national review" records a ``NationalReview`` against the review. A reply recorded in
  error is withdrawn (with a reason), never deleted.
- ``NationalReview`` — a national review the Panel considers or carries out about this case,
  with its status; its recommendations are recorded in the action plans
  (``actionplans.models.national``).

Both hold what the Panel wrote about an identifiable case, so they are read by those with
identifiable access to the review (never the board) and written by business managers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Self

from django.conf import settings
from django.db import models
from django.utils import timezone

from reviews.models.base import ReviewRecord, ReviewScopedQuerySet
from reviews.models.lifecycle import Review
from scr.actions import Action
from scr.text import DESCRIPTION_LENGTH, NARRATIVE_LENGTH, REASON_LENGTH

__all__ = ["NationalReview", "PanelReply"]


class IdentifiableQuerySet(ReviewScopedQuerySet):
    """Read with identifiable access to the review; changed by business managers."""

    review_action: dict[str, Action] = {
        "view": "view_identifiable", "change": "manage", "manage": "manage",
        "view_history": "view_history", "view_identifiable": "view_identifiable"}


if TYPE_CHECKING:
    IdentifiableManager = models.Manager.from_queryset(IdentifiableQuerySet)


class PanelReply(ReviewRecord):
    """The national Panel's reply to the rapid review report."""

    class Outcome(models.TextChoices):
        AGREES = "agrees", "Agrees with the decision"
        DISAGREES = "disagrees", "Disagrees with the decision"
        CONSIDERING_NATIONAL = "considering_national", "Considering a national review"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="panel_replies")
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    replied_on = models.DateField("date of the reply")
    summary = models.TextField(blank=True, max_length=NARRATIVE_LENGTH,
                               help_text="What the Panel said.")
    decision_at_reply = models.CharField(
        max_length=20, blank=True, help_text="The partnership's decision the Panel replied to.")
    reconsidered_at = models.DateTimeField(
        null=True, blank=True, help_text="A disagreement: when the partnership recorded its "
                                         "decision again.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn = models.BooleanField(default=False)
    withdrawal_reason = models.TextField(blank=True, max_length=REASON_LENGTH)

    objects: ClassVar[IdentifiableManager[Self]] = IdentifiableQuerySet.as_manager()

    class Meta:
        ordering = ["review", "-replied_on", "-id"]

    def __str__(self) -> str:
        return f"The national Panel's reply: {self.get_outcome_display()}"

    @property
    def awaiting_reconsideration(self) -> bool:
        return (self.outcome == self.Outcome.DISAGREES and not self.withdrawn
                and self.reconsidered_at is None)


class NationalReview(ReviewRecord):
    """A national review of this case, considered or carried out by the Panel."""

    class Status(models.TextChoices):
        CONSIDERING = "considering", "The Panel is considering it"
        COMMISSIONED = "commissioned", "Commissioned"
        PUBLISHED = "published", "Published"
        NOT_TAKEN_FORWARD = "not_taken_forward", "Not taken forward"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="national_reviews")
    reply = models.OneToOneField(PanelReply, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="national_review")
    status = models.CharField(max_length=20, choices=Status.choices,
                              default=Status.CONSIDERING)
    status_on = models.DateField(default=timezone.localdate)
    notes = models.TextField(blank=True, max_length=DESCRIPTION_LENGTH)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")

    objects: ClassVar[IdentifiableManager[Self]] = IdentifiableQuerySet.as_manager()

    class Meta:
        ordering = ["review", "-status_on", "-id"]

    def __str__(self) -> str:
        return f"National review: {self.get_status_display()}"
