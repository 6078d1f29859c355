"""Report and publication dates, and the one way to correct a publication date."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from agencies.models import User
from agencies.roles import Role
from scr.history import save_with_history
from scr.rules import require_reason

from ..models import Review, Stage
from ..workflow import ready_to_publish
from .base import open_review_locked
from .clocks import review_refresh_clocks
from .lifecycle import _update_review

__all__ = [
    "RECORDED_AT",
    "REPORT_FIELDS",
    "publication_date_correct",
    "report_and_publication_record",
]


REPORT_FIELDS = ("final_report_received_on", "planned_publication_on",
                 "national_panel_sent_report_on", "published_on")
# Where each date may be recorded: the final report once the report is being written,
# the plan and the notice to the national Panel from sign-off, publication at Publication.
RECORDED_AT = {
    "final_report_received_on": (Stage.REPORT, Stage.SIGN_OFF, Stage.PUBLICATION),
    "planned_publication_on": (Stage.REPORT, Stage.SIGN_OFF, Stage.PUBLICATION),
    "national_panel_sent_report_on": (Stage.REPORT, Stage.SIGN_OFF, Stage.PUBLICATION),
    "published_on": (Stage.PUBLICATION,),
}


@transaction.atomic(durable=True)
def report_and_publication_record(*, by: User, review: Review, reason: str = "",
                                  **fields: Any) -> Review:
    """Report and publication dates. The publication date is the act of publishing: it can
    be recorded only at the Publication stage, once everything publication needs holds on
    that very date. Once published, these dates are fixed: a wrong publication date goes
    through ``publication_date_correct``."""
    stored = open_review_locked(review)
    fields = {k: v for k, v in fields.items() if k in REPORT_FIELDS}
    changed = {k: v for k, v in fields.items() if getattr(stored, k) != v}
    if stored.published_on and changed:
        raise ValidationError({next(iter(changed)): (
            "This review is published, so its report and publication dates are fixed. To "
            "correct the publication date, use “Correct the publication date” with a reason.")})
    for name, value in changed.items():
        if value is not None and stored.stage not in RECORDED_AT[name]:
            stages = " or ".join(Stage(s).label for s in RECORDED_AT[name])
            raise ValidationError({name: f"This date can be recorded only at the {stages} "
                                         f"stage; this review is at {Stage(stored.stage).label}"})
    if changed.get("published_on"):
        _check_publishable(stored, changed)
    return _update_review(by=by, review=review, reason=reason,
                          recorded="Report and publication dates recorded", **fields)


def _check_publishable(stored: Review, changed: dict[str, Any]) -> None:
    """Judge publication on the actual publication date, with the other dates the same
    form records alongside it (on a copy: the caller's object is never changed)."""
    candidate = Review.objects.get(pk=stored.pk)
    for name, value in changed.items():
        setattr(candidate, name, value)
    missing = ready_to_publish(candidate, on=changed["published_on"])
    if missing:
        raise ValidationError({"published_on": "Before publishing, record: "
                                               + "; ".join(missing)})


@transaction.atomic(durable=True)
def publication_date_correct(*, by: User, review: Review, published_on: date | None,
                             reason: str) -> Review:
    """The one way to change a recorded publication date: business managers only, with a
    reason kept in the history. The review stays published (the date cannot be cleared)
    and the corrected date must still meet every publication rule."""
    if not by.has_role(Role.BUSINESS_MANAGER):
        raise ValidationError("Only a business manager can correct a publication date.")
    reason = require_reason(reason, "Enter the reason for correcting the publication date")
    stored = open_review_locked(review)
    if not stored.published_on:
        raise ValidationError("This review has not been published: record the publication "
                              "date instead.")
    if published_on is None:
        raise ValidationError({"published_on": "Enter the corrected publication date: a "
                                               "published review keeps a publication date"})
    _check_publishable(stored, {"published_on": published_on})
    stored.published_on = published_on
    stored.full_clean()
    save_with_history(stored, by=by, reason=reason)
    review_refresh_clocks(stored)
    review.refresh_from_db()
    return review
