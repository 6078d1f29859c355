"""Evidence requests: each involved agency's report (IMR) and chronology, due by a date."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency
from scr.actions import Action
from scr.text import DESCRIPTION_LENGTH

from .base import ReviewRecord, ReviewScopedQuerySet, check_dates
from .lifecycle import Review

__all__ = [
    "EvidenceRequest",
    "EvidenceRequestQuerySet",
]


class EvidenceRequestQuerySet(ReviewScopedQuerySet):
    def for_user(self, user: object, action: Action = "view") -> models.QuerySet:
        """An agency lead sees only requests made to their own agency."""
        from agencies.roles import Role

        from ..access import direct_grant_reviews

        qs = super().for_user(user, action)
        if not getattr(user, "is_authenticated", False) or user.has_role(  # type: ignore[attr-defined]
                Role.BUSINESS_MANAGER):
            return qs
        own = user.agency_ids(Role.AGENCY_LEAD)  # type: ignore[attr-defined]
        return qs.filter(Q(review__in=direct_grant_reviews(user)) | Q(agency_id__in=own))


class EvidenceRequest(ReviewRecord):
    """A request to one agency for its agency report (IMR) and chronology."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="evidence_requests")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="evidence_requests")
    description = models.TextField(default="Agency report (IMR) and chronology",
                                   max_length=DESCRIPTION_LENGTH)
    requested_on = models.DateField(default=timezone.localdate)
    due_on = models.DateField()
    received_on = models.DateField(null=True, blank=True)
    withdrawn = models.BooleanField(default=False)

    objects = EvidenceRequestQuerySet.as_manager()

    @classmethod
    def history_in(cls, user: object, review: models.Model) -> models.QuerySet:
        """Narrower than the review: an agency lead reads only their agency's requests."""
        visible = cls.objects.for_user(user, "view_history").filter(review=review)
        return cls.history.filter(id__in=visible.values("pk"))  # type: ignore[attr-defined]

    class Meta:
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"Evidence from {self.agency}"

    def clean(self) -> None:
        check_dates(self, past_only=("requested_on", "received_on"), order=(
            ("due_on", "requested_on", "The due date cannot be before the request"),
            ("received_on", "requested_on", "It cannot be received before it was requested"),
        ))

    @property
    def is_overdue(self) -> bool:
        return not self.received_on and not self.withdrawn and self.due_on < timezone.localdate()
