"""The review's lifecycle: referral, involved agencies, stage records and transitions.

``review_transition`` is the one way a review changes stage; ``reviews/workflow.py``
says which moves exist and what each needs.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from agencies.models import Agency, User
from agencies.models.roles import Role
from reviews.models import (
    InvolvedAgency,
    PanelReply,
    ReferenceCounter,
    Review,
    Stage,
    StageChange,
    scope,
)
from reviews.services import handoffs
from reviews.services.base import TRANSITION_EFFECTS, open_review_locked, permission_grant
from reviews.services.clocks import review_refresh_clocks
from reviews.workflow import TRANSITIONS, may_make, ready_to_publish
from scr.history import save_with_history
from scr.rules import require_reason

__all__ = [
    "AGENCY_GRANTS",
    "DECISION_STAGES",
    "RECORDED_AT",
    "REPORT_FIELDS",
    "TransitionRefused",
    "agency_involve",
    "decision_record",
    "notification_record",
    "publication_date_correct",
    "rapid_review_record",
    "report_and_publication_record",
    "review_create",
    "review_transition",
    "review_transition_within",
    "review_update_referral",
]


AGENCY_GRANTS = (scope.VIEW, scope.IDENTIFIABLE)


class TransitionRefused(ValidationError):
    pass


@transaction.atomic(savepoint=False)
def update_review(*, by: User, review: Review, reason: str, recorded: str,
                   **fields: Any) -> Review:
    """Set fields on the review. Recording a value needs no reason (``recorded`` is kept
    as the history note); changing or clearing one already recorded needs the user's.
    Works on a fresh locked copy: a refusal leaves the caller's object untouched."""
    stored = open_review_locked(review)
    overwritten = [name for name, value in fields.items()
                   if getattr(stored, name) not in (None, "") and getattr(stored, name) != value]
    if overwritten:
        require_reason(reason, "Enter the reason for changing what was already recorded")
    for name, value in fields.items():
        setattr(stored, name, value)
    stored.full_clean()
    save_with_history(stored, by=by, reason=reason.strip() or recorded)
    review_refresh_clocks(stored)
    review.refresh_from_db()
    return review


def _highest_reference_number(year: int) -> int:
    taken = Review.objects.filter(reference__contains=f"-{year}-").values_list("reference",
                                                                               flat=True)
    numbers = [int(r.rsplit("-", 1)[1]) for r in taken if r.rsplit("-", 1)[1].isdigit()]
    return max(numbers, default=0)


def _next_reference(aware_date: date, by: User) -> str:
    """The next number of the year, whatever the vocabulary's prefix, taken from a
    row-locked counter so that referrals saved at once never share a number."""
    year = aware_date.year
    counter = ReferenceCounter.objects.select_for_update().filter(year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                ReferenceCounter.objects.create(year=year, last=_highest_reference_number(year))
        except IntegrityError:
            pass  # another referral created it first; its row lock is taken below
        counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    save_with_history(counter, by=by, reason="Reference allocated")
    return f"{settings.REVIEW_VOCABULARY}-{year}-{counter.last:03d}"


def _grant_agency(review: Review, agency: Agency, *, by: User, reason: str) -> None:
    for codename in AGENCY_GRANTS:
        permission_grant(review, codename, by=by, reason=reason, group=agency.group)


@transaction.atomic(durable=True)
def review_create(*, by: User, incident_date: date, aware_date: date, what_happened: str,
                  harm: str, abuse_or_neglect: str, criteria_met: bool, referring_agency: Agency,
                  agencies_involved: Iterable[Agency], creation_token: uuid.UUID | None = None,
                  ) -> Review:
    """Open a review from a referral. A repeated ``creation_token`` returns the first review."""
    if creation_token is not None:
        existing = Review.objects.filter(creation_token=creation_token).first()
        if existing is not None:
            return existing
    review = Review(incident_date=incident_date, aware_date=aware_date,
                    what_happened=what_happened, harm=harm, abuse_or_neglect=abuse_or_neglect,
                    criteria_met=criteria_met, referring_agency=referring_agency,
                    creation_token=creation_token, reference="")
    review.full_clean(exclude=["reference"])
    review.reference = _next_reference(aware_date, by)
    save_with_history(review, by=by, reason="Referral recorded")
    involved = {a.pk: a for a in agencies_involved}
    involved.setdefault(referring_agency.pk, referring_agency)
    for agency in involved.values():
        save_with_history(InvolvedAgency(review=review, agency=agency), by=by,
                          reason="Agency involved in the case")
        _grant_agency(review, agency, by=by, reason="Agency involved in the case")
    return review_refresh_clocks(review)


@transaction.atomic(durable=True)
def review_update_referral(*, by: User, review: Review, reason: str, **fields: Any) -> Review:
    require_reason(reason)
    updated = update_review(by=by, review=review, reason=reason, recorded=reason, **fields)
    referring = fields.get("referring_agency")
    if referring is not None and not review.involvements.filter(agency=referring).exists():
        involve_agency(by=by, review=review, agency=referring,
                        reason="The referring agency is involved in the case")
    return updated


@transaction.atomic(durable=True)
def agency_involve(*, by: User, review: Review, agency: Agency, reason: str) -> InvolvedAgency:
    return involve_agency(by=by, review=review, agency=agency, reason=reason)


@transaction.atomic(savepoint=False)
def involve_agency(*, by: User, review: Review, agency: Agency, reason: str) -> InvolvedAgency:
    """Involve an agency (and grant its group the review), inside the caller's transaction:
    the referral and the terms of reference involve agencies as part of their own write."""
    review = open_review_locked(review)
    reason = require_reason(reason)
    if review.involvements.filter(agency=agency).exists():
        raise ValidationError({"agency": f"{agency} is already involved in this review"})
    involvement = save_with_history(InvolvedAgency(review=review, agency=agency), by=by,
                                    reason=reason)
    _grant_agency(review, agency, by=by, reason=reason)
    return involvement


# ---------------------------------------------------------------- stage records


@transaction.atomic(durable=True)
def notification_record(*, by: User, review: Review, notification_sent_on: date,
                        reason: str = "") -> Review:
    return update_review(by=by, review=review, reason=reason, recorded="Notification recorded",
                          notification_sent_on=notification_sent_on)


@transaction.atomic(durable=True)
def rapid_review_record(*, by: User, review: Review, reason: str = "", **fields: Any) -> Review:
    # Whether the agency summaries are in is derived from the summary-kind evidence
    # requests (selectors.summaries_received); the old typed date is no longer written.
    allowed = {"rapid_review_meeting_on", "rapid_review_report_sent_on",
               "national_panel_reply_on", "national_panel_reply"}
    return update_review(by=by, review=review, reason=reason, recorded="Rapid review recorded",
                          **{k: v for k, v in fields.items() if k in allowed})


# The decision is taken at the rapid review; afterwards it stands (a new decision means
# withdrawing the review and recording why).
DECISION_STAGES = frozenset({Stage.NOTIFICATION, Stage.RAPID_REVIEW, Stage.DECISION})


def _awaiting_reconsideration(review: Review) -> models.QuerySet[PanelReply]:
    """The national Panel's disagreements the partnership has not yet answered with a
    decision recorded again (``services.national.panel_reply_record``)."""
    return PanelReply._base_manager.filter(
        review=review, outcome=PanelReply.Outcome.DISAGREES, withdrawn=False,
        reconsidered_at__isnull=True)


@transaction.atomic(durable=True)
def decision_record(*, by: User, review: Review, decision: str, decision_date: date,
                    decision_reasons: str, reason: str = "") -> Review:
    """Record (or change) the decision. At Commissioning too while the national Panel's
    disagreement waits for the partnership to reconsider; recording it settles that."""
    reconsidering = _awaiting_reconsideration(review)
    if review.stage not in DECISION_STAGES and not (
            review.stage == Stage.COMMISSIONING and reconsidering.exists()):
        raise ValidationError(f"The decision can be recorded or changed only during the "
                              f"notification, rapid review or decision stages; this review is "
                              f"at {Stage(review.stage).label}. Nothing was changed.")
    if not decision_reasons.strip():
        raise ValidationError({"decision_reasons": "Enter the reasons for the decision"})
    updated = update_review(by=by, review=review, reason=reason, recorded="Decision recorded",
                            decision=decision, decision_date=decision_date,
                            decision_reasons=decision_reasons)
    for reply in reconsidering.select_for_update():
        reply.reconsidered_at = timezone.now()
        save_with_history(reply, by=by, reason="The partnership reconsidered its decision")
    return updated


@transaction.atomic(durable=True)
def review_transition(*, by: User, review: Review, to: str, expected_from: str,
                      reason: str = "") -> Review:
    """The one way a review changes stage. Refuses, changing nothing, with what is missing."""
    return review_transition_within(by=by, review=review, to=to, expected_from=expected_from,
                                    reason=reason)


@transaction.atomic(savepoint=False)
def review_transition_within(*, by: User, review: Review, to: str, expected_from: str,
                             reason: str = "") -> Review:
    """``review_transition`` inside the caller's transaction: for another app's service whose
    own write and the move stand or fall together (the board's sign-off of an action plan's
    closure moves the review from Monitoring to Closed). The same checks, the same guard."""
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if locked.stage != expected_from:
        raise TransitionRefused(
            f"This review has already moved to {Stage(locked.stage).label}. Nothing was changed.")
    transition = TRANSITIONS.get((locked.stage, to))
    if to not in Stage.values:
        raise TransitionRefused(f"There is no stage called “{to}”.")
    if transition is None:
        raise TransitionRefused(
            f"A review cannot move from {Stage(locked.stage).label} to {Stage(to).label}.")
    if not may_make(by, locked, transition):
        raise TransitionRefused("Your role cannot make this move on this review.")
    if transition.needs_reason and not reason.strip():
        raise TransitionRefused("Enter the reason for this move.")
    because = transition.reasons_needed(locked)
    if because and not reason.strip():
        raise TransitionRefused("Enter the reason for moving on while evidence is still open: "
                                + "; ".join(because) + ".")
    missing = transition.guard(locked)
    if missing:
        raise TransitionRefused(
            f"Before moving to {Stage(to).label}, record: " + "; ".join(missing) + ".")
    save_with_history(StageChange(review=locked, from_stage=locked.stage, to_stage=to, by=by,
                                  reason=reason), by=by, reason=reason or "Stage changed")
    for effect in transition.effects:  # e.g. Sign-off → Report: the approvals end
        TRANSITION_EFFECTS[effect](by=by, review=locked, reason=reason)
    before = locked.stage
    locked.stage = to
    locked.stage_entered_at = timezone.now()
    save_with_history(locked, by=by, reason=reason or f"Moved to {Stage(to).label}")
    review_refresh_clocks(locked)
    handoffs.notify_stage_moved(by=by, review=locked, before=before, after=to)
    review.refresh_from_db()  # the caller's instance is now the moved review
    return review

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
        check_publishable(stored, changed)
    return update_review(by=by, review=review, reason=reason,
                          recorded="Report and publication dates recorded", **fields)


def check_publishable(stored: Review, changed: dict[str, Any]) -> None:
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
    check_publishable(stored, {"published_on": published_on})
    stored.published_on = published_on
    stored.full_clean()
    save_with_history(stored, by=by, reason=reason)
    review_refresh_clocks(stored)
    review.refresh_from_db()
    return review
