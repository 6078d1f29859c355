"""The family involvement log: each family member's involvement, contacts and comments."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from agencies.models import User
from reviews.models import FamilyComment, FamilyContact, FamilyInvolvement, ReportSnapshot, Review, Subject
from reviews.services.base import open_review_locked, require_changer
from scr.history import save_with_history
from scr.rules import fresh_locked, require_reason

__all__ = [
    "FAMILY_KINDS",
    "family_comment_add",
    "family_contact_add",
    "family_involvement_record",
    "family_involvement_update",
]

# Who in the pseudonym register counts as family.
FAMILY_KINDS = (Subject.Kind.CHILD, Subject.Kind.SIBLING, Subject.Kind.PARENT,
                Subject.Kind.RELATIVE)
INVOLVEMENT_FIELDS = ("invited", "invitation_reason", "consent", "support_needed",
                      "interpreter_language")


def _require(by: User, review: Review) -> None:
    require_changer(by, review, "keep the family involvement log")


@transaction.atomic(durable=True)
def family_involvement_record(*, by: User, review: Review, subject: Subject,
                              **fields: Any) -> FamilyInvolvement:
    review = open_review_locked(review)
    _require(by, review)
    if subject.review_id != review.pk or subject.kind not in FAMILY_KINDS or subject.withdrawn:
        raise ValidationError({"subject": "Select a family member from this review's "
                                          "pseudonym register"})
    if review.family.filter(subject=subject).exists():
        raise ValidationError({"subject": f"{subject} is already in the log: change their "
                                          "entry instead"})
    involvement = FamilyInvolvement(review=review, subject=subject,
                                    **{k: v for k, v in fields.items() if k in INVOLVEMENT_FIELDS})
    if not (involvement.invitation_reason or "").strip():
        raise ValidationError({"invitation_reason": "Enter why they were invited, or why not"})
    involvement.full_clean(exclude=["review", "subject"])
    return save_with_history(involvement, by=by, reason="Family involvement recorded")


@transaction.atomic(durable=True)
def family_involvement_update(*, by: User, involvement: FamilyInvolvement, reason: str,
                              **fields: Any) -> FamilyInvolvement:
    reason = require_reason(reason)
    _require(by, involvement.review)
    open_review_locked(involvement.review)
    stored = fresh_locked(involvement)
    for name in INVOLVEMENT_FIELDS:
        if name in fields:
            setattr(stored, name, fields[name])
    stored.full_clean(exclude=["review", "subject"])
    save_with_history(stored, by=by, reason=reason)
    involvement.refresh_from_db()
    return involvement


@transaction.atomic(durable=True)
def family_contact_add(*, by: User, involvement: FamilyInvolvement, contacted_on: date,
                       contacted_by: str, method: str, summary: str) -> FamilyContact:
    _require(by, involvement.review)
    open_review_locked(involvement.review)
    contact = FamilyContact(review_id=involvement.review_id, involvement=involvement,
                            contacted_on=contacted_on, contacted_by=contacted_by.strip(),
                            method=method, summary=summary.strip())
    contact.full_clean(exclude=["review", "involvement"])
    return save_with_history(contact, by=by, reason="Contact with the family recorded")


@transaction.atomic(durable=True)
def family_comment_add(*, by: User, involvement: FamilyInvolvement, received_on: date,
                       comments: str, report_version: ReportSnapshot | None = None,
                       report_version_label: str = "", response: str = "") -> FamilyComment:
    """Comments on the draft report, against the version the person read: one of the
    review's kept versions (its label copied), or a label for a draft not kept here."""
    _require(by, involvement.review)
    open_review_locked(involvement.review)
    if report_version is not None:
        if report_version.review_id != involvement.review_id:
            raise ValidationError({"report_version": "Choose a version of this review's report"})
        report_version_label = str(report_version)
    if not report_version_label.strip():
        raise ValidationError({"report_version": "Choose the version of the draft they read, "
                                                 "or name it"})
    comment = FamilyComment(review_id=involvement.review_id, involvement=involvement,
                            received_on=received_on, report_version=report_version,
                            report_version_label=report_version_label.strip()[:100],
                            comments=comments.strip(), response=response.strip())
    comment.full_clean(exclude=["review", "involvement", "report_version"])
    return save_with_history(comment, by=by, reason="Family comments on the draft recorded")
