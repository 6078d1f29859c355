"""The pseudonym register: adding, changing and withdrawing the people in a case."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from agencies.models import User
from scr.history import save_with_history
from scr.rules import fresh_locked, require_reason

from ..models import Review, Subject
from .base import open_review_locked

__all__ = [
    "subject_add",
    "subject_update",
    "subject_withdraw",
]


def _pseudonym_taken(subject: Subject) -> bool:
    others = Subject.objects.filter(review_id=subject.review_id, withdrawn=False).exclude(
        pk=subject.pk).only("pseudonym")
    return any(other.pseudonym_key == subject.pseudonym_key for other in others)


@transaction.atomic(durable=True)
def subject_add(*, by: User, review: Review, reason: str = "Added to the pseudonym register",
                **fields: Any) -> Subject:
    review = open_review_locked(review)
    subject = Subject(review=review, **fields)
    subject.full_clean()
    if _pseudonym_taken(subject):
        raise ValidationError({"pseudonym": "Someone in this review already has that pseudonym"})
    return save_with_history(subject, by=by, reason=reason)


@transaction.atomic(durable=True)
def subject_update(*, by: User, subject: Subject, reason: str, **fields: Any) -> Subject:
    reason = require_reason(reason)
    open_review_locked(subject.review)
    stored = fresh_locked(subject)
    for name, value in fields.items():
        setattr(stored, name, value)
    stored.full_clean()
    if _pseudonym_taken(stored):
        raise ValidationError({"pseudonym": "Someone in this review already has that pseudonym"})
    save_with_history(stored, by=by, reason=reason)
    subject.refresh_from_db()
    return subject


@transaction.atomic(durable=True)
def subject_withdraw(*, by: User, subject: Subject, reason: str) -> Subject:
    """Take a person out of the register (never deleted: history keeps them)."""
    reason = require_reason(reason)
    open_review_locked(subject.review)
    stored = fresh_locked(subject)
    if stored.withdrawn:
        raise ValidationError("This person has already been withdrawn. Nothing was changed.")
    stored.withdrawn = True
    save_with_history(stored, by=by, reason=reason)
    subject.refresh_from_db()
    return subject
