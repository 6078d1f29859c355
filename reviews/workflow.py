"""Which stage moves are allowed, who may make them and what must hold first.

``TRANSITIONS`` is the whole lifecycle as data: ``{(from, to): Transition}``.
A guard returns the list of what is missing (empty when the move may go ahead);
``services.review_transition`` is the only code that changes a review's stage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from agencies.roles import Role

from .models import ENDED_STAGES, STAGE_PATH, Review, Stage


class Missing(str):
    """One thing a move still needs: reads as its text, and knows the URL name of the form
    that records it (``record``, empty when no form does), so pages can link to it."""

    record: str

    def __new__(cls, text: str, record: str = "") -> Missing:
        missing = super().__new__(cls, text)
        missing.record = record
        return missing


Guard = Callable[[Review], list[str]]


def needs_nothing(review: Review) -> list[str]:
    return []


def notification_sent(review: Review) -> list[str]:
    return [] if review.notification_sent_on else [
        Missing("the date the national Panel and Ofsted were notified",
                "review_notification")]


def rapid_review_held(review: Review) -> list[str]:
    missing = []
    if not review.rapid_review_meeting_on:
        missing.append(Missing("the date of the rapid review meeting", "review_rapid_review"))
    return missing


def decided(outcome: str) -> Guard:
    def guard(review: Review) -> list[str]:
        missing = []
        if review.decision != outcome:
            missing.append(Missing(f"a recorded decision: {Review.Decision(outcome).label.lower()}",
                                   "review_decision"))
        if not review.decision_date:
            missing.append(Missing("the date of the decision", "review_decision"))
        if not review.decision_reasons.strip():
            missing.append(Missing("the reasons for the decision", "review_decision"))
        return missing
    return guard


def commissioned(review: Review) -> list[str]:
    """Commissioning is done: terms of reference agreed and an independent reviewer
    appointed (with an independence declaration) who is still in post."""
    missing = []
    if not review.terms.exists():
        missing.append(Missing("terms of reference", "review_terms"))
    if not review.panel.filter(panel_role="reviewer", ended_on__isnull=True).exclude(
            independence_declaration="").exists():
        missing.append(Missing("an appointed independent reviewer", "review_appoint"))
    return missing


def final_report_received(review: Review) -> list[str]:
    return [] if review.final_report_received_on else [
        Missing("the date the final report was received", "review_report_dates")]


def ready_to_publish(review: Review) -> list[str]:
    from django.conf import settings

    from scr.workdays import working_days_between

    missing = []
    if review.parallel_processes.filter(cleared_on__isnull=True).exists():
        missing.append("every parallel process cleared")
    if not review.planned_publication_on:
        missing.append(Missing("a planned publication date", "review_report_dates"))
    if not review.national_panel_sent_report_on:
        missing.append(Missing("the date the final report was sent to the national Panel",
                               "review_report_dates"))
    elif review.planned_publication_on and working_days_between(
            review.national_panel_sent_report_on, review.planned_publication_on
    ) < settings.CLOCK_PUBLICATION_NOTICE_WORKING_DAYS:
        missing.append(f"the report sent to the national Panel at least "
                       f"{settings.CLOCK_PUBLICATION_NOTICE_WORKING_DAYS} working days before "
                       "publication")
    return missing


def published(review: Review) -> list[str]:
    missing = ready_to_publish(review)
    if not review.published_on:
        missing.append(Missing("the publication date", "review_report_dates"))
    elif review.published_on > timezone.localdate():
        missing.append("a publication date that is not in the future")
    return missing


@dataclass(frozen=True)
class Transition:
    guard: Guard = needs_nothing
    roles: frozenset[str] = field(default_factory=lambda: frozenset({Role.BUSINESS_MANAGER}))
    needs_reason: bool = False
    label: str = ""


MANAGER_OR_REVIEWER = frozenset({Role.BUSINESS_MANAGER, Role.REVIEWER})

TRANSITIONS: dict[tuple[str, str], Transition] = {
    (Stage.REFERRAL, Stage.NOTIFICATION): Transition(label="Start notification"),
    (Stage.NOTIFICATION, Stage.RAPID_REVIEW): Transition(notification_sent,
                                                         label="Start the rapid review"),
    (Stage.RAPID_REVIEW, Stage.DECISION): Transition(rapid_review_held,
                                                     label="Move to decision"),
    (Stage.DECISION, Stage.COMMISSIONING): Transition(decided(Review.Decision.REVIEW),
                                                      label="Commission the review"),
    (Stage.DECISION, Stage.NO_REVIEW): Transition(decided(Review.Decision.NO_REVIEW),
                                                  label="Record no review"),
    (Stage.COMMISSIONING, Stage.EVIDENCE): Transition(commissioned,
                                                      label="Start gathering evidence"),
    (Stage.EVIDENCE, Stage.ANALYSIS): Transition(roles=MANAGER_OR_REVIEWER,
                                                 label="Start analysis"),
    (Stage.ANALYSIS, Stage.REPORT): Transition(roles=MANAGER_OR_REVIEWER,
                                               label="Start the report"),
    (Stage.REPORT, Stage.SIGN_OFF): Transition(final_report_received, label="Send for sign-off"),
    (Stage.SIGN_OFF, Stage.PUBLICATION): Transition(ready_to_publish,
                                                    label="Move to publication"),
    (Stage.PUBLICATION, Stage.MONITORING): Transition(published,
                                                      label="Start action plan monitoring"),
    (Stage.MONITORING, Stage.CLOSED): Transition(needs_reason=True, label="Close the review"),
}
# Any open stage may be withdrawn, with a reason.
for _stage in STAGE_PATH:
    if _stage not in ENDED_STAGES:
        TRANSITIONS[(_stage, Stage.WITHDRAWN)] = Transition(needs_reason=True,
                                                            label="Withdraw the review")


def may_make(user: object, review: Review, transition: Transition) -> bool:
    """The role allows the move, and anyone but a business manager must be the review's
    own appointed reviewer (holding ``change`` on it), not any reviewer."""
    roles = user.roles() if hasattr(user, "roles") else set()  # type: ignore[attr-defined]
    if not roles & transition.roles:
        return False
    if Role.BUSINESS_MANAGER in roles:
        return True
    return Review.objects.for_user(user, "change").filter(pk=review.pk).exists()


def moves_from(stage: str) -> list[tuple[str, Transition]]:
    return [(to, t) for (frm, to), t in TRANSITIONS.items() if frm == stage]


@dataclass(frozen=True)
class Move:
    to: str
    label: str
    missing: list[str]
    allowed_role: bool
    needs_reason: bool

    @property
    def possible(self) -> bool:
        return self.allowed_role and not self.missing


def available_moves(review: Review, user: object) -> list[Move]:
    """Every move out of the current stage, with what is missing and whether the user may."""
    return [Move(to, t.label or Stage(to).label, t.guard(review), may_make(user, review, t),
                 t.needs_reason)
            for to, t in moves_from(review.stage)]


def stage_path(review: Review) -> list[tuple[str, str, str]]:
    """(stage, label, "done" | "current" | "to come") along the main path."""
    if review.stage in STAGE_PATH:
        current = STAGE_PATH.index(review.stage)
    else:
        last = review.stage_changes.order_by("-at", "-id").values_list("from_stage", flat=True)
        frm = last.first()
        current = STAGE_PATH.index(frm) if frm in STAGE_PATH else 0
    path = []
    for i, stage in enumerate(STAGE_PATH):
        status = "done" if i < current else ("current" if i == current and review.stage == stage
                                             else "to come")
        path.append((stage, Stage(stage).label, status))
    return path
