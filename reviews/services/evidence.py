"""Evidence requests to the agencies involved, and their receipt."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, User
from scr.history import save_with_history
from scr.rules import fresh_locked

from ..models import EvidenceRequest, Review
from .base import open_review_locked

__all__ = [
    "evidence_request_create",
    "evidence_request_received",
]


@transaction.atomic(durable=True)
def evidence_request_create(*, by: User, review: Review, agency: Agency, due_on: date,
                            description: str) -> EvidenceRequest:
    review = open_review_locked(review)
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": "The due date cannot be in the past"})
    if not review.involvements.filter(agency=agency).exists():
        raise ValidationError({"agency": f"{agency} is not involved in this review"})
    request = EvidenceRequest(review=review, agency=agency, due_on=due_on,
                              description=description)
    request.full_clean()
    if review.evidence_requests.filter(agency=agency, description=description, due_on=due_on,
                                       received_on__isnull=True, withdrawn=False).exists():
        raise ValidationError("This request has already been sent. Nothing was changed.")
    return save_with_history(request, by=by, reason="Evidence requested")


@transaction.atomic(durable=True)
def evidence_request_received(*, by: User, request: EvidenceRequest,
                              received_on: date) -> EvidenceRequest:
    open_review_locked(request.review)
    stored = fresh_locked(request)
    if stored.received_on is not None:
        raise ValidationError("This evidence has already been marked as received. "
                              "Nothing was changed.")
    if stored.withdrawn:
        raise ValidationError("This request was withdrawn.")
    stored.received_on = received_on
    stored.full_clean()
    save_with_history(stored, by=by, reason="Evidence received")
    request.refresh_from_db()
    return request
