"""The national Panel: the rapid review report sent to it, its reply as a structured outcome
and the next step each outcome leads to, and national reviews recorded against a review
(docs/lifecycle.md, "The national Panel").

- ``rapid_review_report_request`` — the rapid review report assembled from what is recorded
  (agency summaries, a chronology extract, the decision and its reasons) as a PDF through
  render records (``reviews.rapid_review_report``): it names the child and family (the Panel
  receives the rapid review in confidence), so it is marked confidential on every page and
  downloaded only by those with identifiable access to the review.
- ``panel_reply_record`` — the Panel's reply: agrees (nothing more), disagrees (the decision is
  reopened: a "no review" review returns to the Decision stage; the decision can be recorded
  again at Commissioning too, until the partnership has reconsidered), considering a national
  review (a ``NationalReview`` is recorded against the review).
- ``national_review_update`` — the national review's status as the Panel moves it on.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from agencies.models import User
from agencies.models.roles import Role
from reviews.formats.markdown import render_markdown
from reviews.models import (
    ChronologyEntry,
    EvidenceKind,
    EvidenceStatus,
    EvidenceSubmission,
    NationalReview,
    PanelReply,
    Review,
    Stage,
)
from reviews.services.lifecycle import review_transition_within
from scr.history import save_with_history
from scr.models import RenderRecord
from scr.renders import render_request
from scr.rules import fresh_locked, require_reason

__all__ = [
    "CHRONOLOGY_EXTRACT_LENGTH",
    "PANEL_REPLY_STAGES",
    "RAPID_REVIEW_REPORT_KIND",
    "RAPID_REVIEW_REPORT_STAGES",
    "national_review_update",
    "panel_reply_record",
    "panel_reply_withdraw",
    "rapid_review_report_html",
    "rapid_review_report_request",
]

RAPID_REVIEW_REPORT_KIND = "reviews.rapid_review_report"
RAPID_REVIEW_REPORT_STAGES = frozenset({Stage.RAPID_REVIEW, Stage.DECISION, Stage.NO_REVIEW,
                                        Stage.COMMISSIONING})
PANEL_REPLY_STAGES = RAPID_REVIEW_REPORT_STAGES
# The chronology extract: the key and significant entries, at most this many.
CHRONOLOGY_EXTRACT_LENGTH = 60


def _manager(by: User, what: str) -> None:
    if not by.has_role(Role.BUSINESS_MANAGER):
        raise ValidationError(f"Only a business manager can {what}.")


@transaction.atomic(durable=True)
def rapid_review_report_request(*, by: User, review: Review) -> RenderRecord:
    """Queue the rapid review report's PDF (once the decision and its reasons are recorded)."""
    _manager(by, "make the rapid review report")
    stored = fresh_locked(review)
    if stored.stage not in RAPID_REVIEW_REPORT_STAGES:
        raise ValidationError("The rapid review report is made from the rapid review to "
                              f"commissioning; this review is at {Stage(stored.stage).label}.")
    if not stored.decision or not stored.decision_reasons.strip():
        raise ValidationError("Record the decision and its reasons first: the report to the "
                              "national Panel states them.")
    return render_request(by=by, target=stored, kind=RAPID_REVIEW_REPORT_KIND)


def rapid_review_report_html(review: Review) -> str:
    """The renderer of ``reviews.rapid_review_report``: the agency summaries (each summary
    request's latest answer), the key and significant chronology entries, the decision and
    its reasons. Real names: marked confidential on every page."""
    review = Review.objects.get(pk=review.pk)
    summaries: list[dict[str, str]] = []
    for answer in (EvidenceSubmission._base_manager.filter(
            request__review=review, request__kind=EvidenceKind.SUMMARY)
            .exclude(request__status=EvidenceStatus.WITHDRAWN)
            .select_related("request__agency").order_by("request__agency__name", "-number")):
        if not summaries or summaries[-1]["agency"] != str(answer.request.agency):
            summaries.append({"agency": str(answer.request.agency),
                              "html": render_markdown(answer.note or "")})
    entries = list(ChronologyEntry._base_manager.filter(
        review=review, status=ChronologyEntry.Status.SUBMITTED,
        significance__in=[ChronologyEntry.Significance.KEY,
                          ChronologyEntry.Significance.SIGNIFICANT])
        .select_related("agency").order_by("occurred_on", "occurred_at", "id")
        [:CHRONOLOGY_EXTRACT_LENGTH])
    return render_to_string("reviews/rapid_review_report_pdf.html", {
        "review": review, "partnership": settings.PARTNERSHIP_NAME, "summaries": summaries,
        "entries": entries, "decision": review.get_decision_display(),
        "reasons": render_markdown(review.decision_reasons),
        "month": timezone.localdate().strftime("%B %Y")})


@transaction.atomic(durable=True)
def panel_reply_record(*, by: User, review: Review, outcome: str, replied_on: date,
                       summary: str = "") -> PanelReply:
    """Record the Panel's reply and take the step it leads to, in the same transaction."""
    _manager(by, "record the national Panel's reply")
    stored = fresh_locked(review)
    if stored.stage not in PANEL_REPLY_STAGES:
        raise ValidationError("The Panel's reply is recorded from the rapid review to "
                              f"commissioning; this review is at {Stage(stored.stage).label}.")
    if outcome not in PanelReply.Outcome.values:
        raise ValidationError({"outcome": "Choose what the Panel replied"})
    if not stored.decision:
        raise ValidationError("Record the partnership's decision first: the Panel replies to it.")
    if replied_on > timezone.localdate():
        raise ValidationError({"replied_on": "The date of the reply cannot be in the future"})
    sent = stored.rapid_review_report_sent_on or stored.decision_date
    if sent and replied_on < sent:
        raise ValidationError({"replied_on": "The reply cannot be before the rapid review "
                                             "report was sent"})
    reply = PanelReply(review=stored, outcome=outcome, replied_on=replied_on,
                       summary=(summary or "").strip(), decision_at_reply=stored.decision,
                       recorded_by=by)
    reply.full_clean()
    label = PanelReply.Outcome(outcome).label
    save_with_history(reply, by=by, reason=f"The national Panel's reply: {label}")
    stored.national_panel_reply_on = replied_on
    stored.national_panel_reply = f"{label}." + (f" {reply.summary}" if reply.summary else "")
    save_with_history(stored, by=by, reason=f"The national Panel's reply: {label}")
    if outcome == PanelReply.Outcome.DISAGREES and stored.stage == Stage.NO_REVIEW:
        review_transition_within(
            by=by, review=stored, to=Stage.DECISION, expected_from=Stage.NO_REVIEW,
            reason="The national Panel disagrees with the decision: the partnership "
                   "reconsiders it")
    if outcome == PanelReply.Outcome.CONSIDERING_NATIONAL:
        save_with_history(NationalReview(review=stored, reply=reply, status_on=replied_on,
                                         recorded_by=by),
                          by=by, reason="The national Panel is considering a national review")
    review.refresh_from_db()
    return reply


@transaction.atomic(durable=True)
def panel_reply_withdraw(*, by: User, reply: PanelReply, reason: str) -> PanelReply:
    """A reply recorded in error is withdrawn (kept, with the reason); a national review it
    recorded stays, to be closed by its own status."""
    _manager(by, "withdraw the national Panel's reply")
    reason = require_reason(reason)
    stored = fresh_locked(reply)
    if stored.withdrawn:
        raise ValidationError("This reply has already been withdrawn.")
    stored.withdrawn, stored.withdrawal_reason = True, reason
    save_with_history(stored, by=by, reason=reason)
    reply.refresh_from_db()
    return reply


@transaction.atomic(durable=True)
def national_review_update(*, by: User, national_review: NationalReview, status: str,
                           status_on: date, notes: str = "") -> NationalReview:
    _manager(by, "update a national review")
    stored = fresh_locked(national_review)
    if status not in NationalReview.Status.values:
        raise ValidationError({"status": "Choose the national review's status"})
    if status_on > timezone.localdate():
        raise ValidationError({"status_on": "The date cannot be in the future"})
    stored.status, stored.status_on = status, status_on
    if notes:
        stored.notes = notes.strip()
    stored.full_clean()
    save_with_history(stored, by=by, reason=f"National review: {stored.get_status_display()}")
    national_review.refresh_from_db()
    return national_review
