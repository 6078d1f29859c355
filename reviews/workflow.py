"""Which stage moves are allowed, who may make them and what must hold first.

``TRANSITIONS`` is the whole lifecycle as data: ``{(from, to): Transition}``.
A guard returns the list of what is missing (empty when the move may go ahead);
``services.review_transition`` is the only code that changes a review's stage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.utils import timezone

from agencies.models import User
from agencies.models.roles import Role
from reviews.models import ENDED_STAGES, STAGE_PATH, Review, Stage
from reviews.models.scope import may_change
from reviews.selectors.clocks import publication_notice_due


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
    """The meeting held, and every agency summary asked for received (derived from the
    summary-kind evidence requests, never a typed date)."""
    from reviews.selectors.evidence import summaries_received

    missing: list[str] = []
    if not review.rapid_review_meeting_on:
        missing.append(Missing("the date of the rapid review meeting", "review_rapid_review"))
    summaries = summaries_received(review)
    if summaries.waiting:
        missing.append(Missing("the agency summaries from " + ", ".join(summaries.waiting),
                               "review_evidence"))
    return missing


def evidence_still_open(review: Review) -> list[str]:
    """Why moving on from Evidence needs a reason: requests not yet accepted or withdrawn.
    Not a guard (analysis may start with some evidence outstanding), but the reason is
    recorded with the move instead of passing silently."""
    from reviews.selectors.evidence import open_requests

    return [f"{r.kind_phrase} from {r.agency} ({r.get_status_display().lower()})"
            for r in open_requests(review)]


def decided(outcome: str) -> Guard:
    def guard(review: Review) -> list[str]:
        missing: list[str] = []
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
    appointed (with an independence declaration) who is still in post and still
    independent of every agency in scope."""
    from reviews.selectors.panel import independence_conflicts

    missing: list[str] = [Missing(f"the reviewer's independence resolved: {conflict}",
                                  "review_appoint")
                          for conflict in independence_conflicts(review)]
    if not review.terms.exists():
        missing.append(Missing("terms of reference", "review_terms"))
    if not review.panel.filter(panel_role="reviewer", ended_on__isnull=True).exclude(
            independence_declaration="").exists():
        missing.append(Missing("an appointed independent reviewer", "review_appoint"))
    return missing


def final_version_submitted(review: Review) -> list[str]:
    """Report → Sign-off: a specific version of the report submitted for sign-off that is
    still the current version (nothing changed since). Replaces the typed "final report
    received" date (the submission records that date itself)."""
    from reviews.selectors.report import current_report, live_submission

    submission = live_submission(review)
    report = current_report(review)
    if submission is None or report is None or submission.snapshot.revision != report.revision:
        return [Missing("a current version of the report submitted for sign-off",
                        "review_report_versions")]
    return []


def signed_off(review: Review) -> list[str]:
    """Every approver's approval of the current submitted version, and the board's written
    response recorded (``REPORT_SIGN_OFF_APPROVERS``; reviews/signoff.py)."""
    from reviews.selectors.report import approvers, live_submission

    missing = final_version_submitted(review)
    if missing:
        return missing
    submission = live_submission(review)
    assert submission is not None
    given = set(submission.approvals.filter(voided_at__isnull=True)
                .values_list("approver_key", flat=True))
    missing = [Missing(f"approval: {a.label}", "review_sign_off")
               for a in approvers() if a.key not in given]
    latest = review.board_responses.order_by("-version").first()
    if latest is None:
        missing.append(Missing("the board's written response", "board_response_record"))
    else:
        items = list(latest.items.values_list("finding_id", "recommendation_id"))
        findings = set(review.findings.filter(withdrawn=False).values_list("pk", flat=True))
        recs = set(review.recommendations.filter(withdrawn=False).values_list("pk", flat=True))
        if findings - {f for f, _ in items} or recs - {r for _, r in items}:
            missing.append(Missing("the board's response to every current finding and "
                                   "recommendation", "board_response_record"))
    return missing


def ready_to_publish(review: Review, on: date | None = None) -> list[str]:
    """What publication on ``on`` still needs (by default the recorded or planned date).
    The notice rule is ``publication_notice_due``, the same function the clock uses, and
    publication can never come before the report was sent to the national Panel."""
    missing: list[str] = []
    if review.parallel_processes.filter(cleared_on__isnull=True).exists():
        missing.append(Missing("every parallel process cleared", "parallel_process_add"))
    if not review.planned_publication_on:
        missing.append(Missing("a planned publication date", "review_report_dates"))
    on = on or review.published_on or review.planned_publication_on
    sent = review.national_panel_sent_report_on
    if not sent:
        missing.append(Missing("the date the final report was sent to the national Panel",
                               "review_report_dates"))
    elif on and sent > publication_notice_due(on):
        missing.append(Missing(
            f"the report sent to the national Panel at least "
            f"{settings.CLOCK_PUBLICATION_NOTICE_WORKING_DAYS} working days before publication "
            f"(by {publication_notice_due(on):%-d %B %Y} for publication on {on:%-d %B %Y})",
            "review_report_dates"))
    return missing


@dataclass(frozen=True)
class PublicationTiming:
    """Whether publishing today is lawful and, if not, why, and the earliest day the notice
    to the national Panel allows (None until the day it was sent is recorded)."""

    lawful_today: bool
    earliest: date | None
    why: list[str]


def publication_timing(review: Review, today: date | None = None) -> PublicationTiming:
    """The publish button's rule, which is the service's (``ready_to_publish`` on today's
    date, and the board's response recorded), read before anyone presses it. The earliest
    day is the first on which the national Panel has had the report for the notice period
    (``publication_notice_due``, the rule the clock and the guard use)."""
    today = today or timezone.localdate()
    why: list[str] = list(ready_to_publish(review, on=review.published_on or today))
    if not review.board_responses.exists():
        why.append(Missing("the board's response", "board_response_record"))
    sent = review.national_panel_sent_report_on
    earliest: date | None = None
    if sent is not None:
        earliest = max(today, sent)
        while publication_notice_due(earliest) < sent:
            earliest = date.fromordinal(earliest.toordinal() + 1)
    return PublicationTiming(not why, earliest, why)


def clean_pdf_ready(review: Review) -> list[str]:
    """An anonymised PDF of the approved version whose leak check found nothing, or whose
    every hit a business manager waived (reviews/selectors/publication.py)."""
    from reviews.selectors.publication import publication_blockers

    blockers = publication_blockers(review)
    if not blockers:
        return []
    return [Missing("a clean (or waived) anonymised PDF of the approved version: "
                    + "; ".join(blockers), "review_publication")]


def pdf_published(review: Review) -> list[str]:
    """The publication record: the clean PDF published, with its SHA-256."""
    from reviews.models import Publication

    if Publication._base_manager.filter(review_id=review.pk,
                                        status=Publication.Status.PUBLISHED).exists():
        return []
    return [Missing("the report's anonymised PDF published", "review_publication")]


def published(review: Review) -> list[str]:
    missing = ready_to_publish(review)
    if not review.published_on:
        missing.append(Missing("the publication date", "review_report_dates"))
    elif review.published_on > timezone.localdate():
        missing.append(Missing("a publication date that is not in the future",
                               "review_report_dates"))
    return missing + pdf_published(review)


def action_plan_closed(review: Review) -> list[str]:
    """The board has signed off the closure of the review's action plan (every action verified
    or formally closed). Action plans own that rule; ``ACTION_PLAN_CLOSURE_GUARD`` names it so
    reviews never imports actionplans (the dependency points one way)."""
    from django.utils.module_loading import import_string

    return list(import_string(settings.ACTION_PLAN_CLOSURE_GUARD)(review))


def has_subject_child(review: Review) -> list[str]:
    """A review is about a child: commissioning needs the child in the pseudonym register."""
    if review.subjects.filter(kind="child", withdrawn=False).exists():
        return []
    return [Missing("the subject child in the pseudonym register", "subject_add")]


def all_of(*guards: Guard) -> Guard:
    def guard(review: Review) -> list[str]:
        return [item for g in guards for item in g(review)]
    guard.__doc__ = " and ".join(g.__name__ for g in guards)
    return guard


def came_from(stage: str) -> Guard:
    """A reopened review returns to the stage it left when it ended, and nowhere else."""
    def guard(review: Review) -> list[str]:
        memo = getattr(review, "_ended_from", None)
        if memo is None or memo[0] != review.stage:  # one query for all the reopen guards
            memo = (review.stage, review.stage_changes.filter(to_stage=review.stage)
                    .order_by("-at", "-id").values_list("from_stage", flat=True).first())
            vars(review)["_ended_from"] = memo  # a memo on the instance, for this request
        last = memo[1]
        if last == stage:
            return []
        return [f"a review that ended at {Stage(stage).label} (this one ended at "
                f"{Stage(last).label if last else 'an unknown stage'})"]
    return guard


@dataclass(frozen=True)
class Transition:
    guard: Guard = needs_nothing
    roles: frozenset[str] = field(default_factory=lambda: frozenset({Role.BUSINESS_MANAGER}))
    needs_reason: bool = False
    label: str = ""
    # A reopen is offered only towards the stage the review left (its guard holds).
    reopen: bool = False
    # What makes a reason required for this move on this review (empty: none needed).
    reason_when: Guard = needs_nothing
    # What else the move does, by name, in the move's own transaction (the functions are the
    # services' own, registered with ``services.base.transition_effect``; an unregistered
    # name fails at start-up, ``reviews.services``).
    effects: tuple[str, ...] = ()

    def reasons_needed(self, review: Review) -> list[str]:
        return self.reason_when(review)


MANAGER_OR_REVIEWER = frozenset({Role.BUSINESS_MANAGER, Role.REVIEWER})

TRANSITIONS: dict[tuple[str, str], Transition] = {
    (Stage.REFERRAL, Stage.NOTIFICATION): Transition(label="Start notification"),
    (Stage.NOTIFICATION, Stage.RAPID_REVIEW): Transition(notification_sent,
                                                         label="Start the rapid review"),
    (Stage.RAPID_REVIEW, Stage.DECISION): Transition(rapid_review_held,
                                                     label="Move to decision"),
    (Stage.DECISION, Stage.COMMISSIONING): Transition(
        all_of(decided(Review.Decision.REVIEW), has_subject_child),
        label="Commission the review"),
    (Stage.DECISION, Stage.NO_REVIEW): Transition(decided(Review.Decision.NO_REVIEW),
                                                  label="Record no review"),
    (Stage.COMMISSIONING, Stage.EVIDENCE): Transition(commissioned,
                                                      label="Start gathering evidence"),
    (Stage.EVIDENCE, Stage.ANALYSIS): Transition(roles=MANAGER_OR_REVIEWER,
                                                 reason_when=evidence_still_open,
                                                 label="Start analysis"),
    (Stage.ANALYSIS, Stage.REPORT): Transition(roles=MANAGER_OR_REVIEWER,
                                               label="Start the report"),
    (Stage.REPORT, Stage.SIGN_OFF): Transition(final_version_submitted,
                                               label="Send for sign-off"),
    (Stage.SIGN_OFF, Stage.PUBLICATION): Transition(all_of(signed_off, ready_to_publish,
                                                           clean_pdf_ready),
                                                    label="Move to publication"),
    (Stage.SIGN_OFF, Stage.REPORT): Transition(roles=MANAGER_OR_REVIEWER, needs_reason=True,
                                               label="Return the draft to the report stage",
                                               effects=("sign_off_returned",)),
    (Stage.PUBLICATION, Stage.MONITORING): Transition(published,
                                                      label="Start action plan monitoring"),
    # The board's sign-off of the action plan's closure makes this move (actionplans'
    # plan_sign_off_closure); a business manager may make it too once the sign-off is recorded.
    (Stage.MONITORING, Stage.CLOSED): Transition(
        action_plan_closed, roles=frozenset({Role.BUSINESS_MANAGER, Role.BOARD_MEMBER}),
        needs_reason=True, label="Close the review"),
}
# Any open stage may be withdrawn, with a reason; and an ended review may be reopened, with
# a reason, to the stage it left (the national Panel disagrees with "no review", a withdrawn
# review is reinstated, a closed review's monitoring resumes).
OPEN_STAGES = tuple(s for s in STAGE_PATH if s not in ENDED_STAGES)
REOPENS = {Stage.CLOSED: (Stage.MONITORING,), Stage.NO_REVIEW: (Stage.DECISION,),
           Stage.WITHDRAWN: OPEN_STAGES}
for _stage in OPEN_STAGES:
    TRANSITIONS[(_stage, Stage.WITHDRAWN)] = Transition(needs_reason=True,
                                                        label="Withdraw the review")
for _ended, _targets in REOPENS.items():
    for _target in _targets:
        TRANSITIONS[(_ended, _target)] = Transition(
            came_from(_target), needs_reason=True, reopen=True,
            label=f"Reopen the review at {Stage(_target).label}")


def may_make(user: User, review: Review, transition: Transition) -> bool:
    """The role allows the move, and anyone but a business manager must be the review's
    own appointed reviewer (holding ``change`` on it), not any reviewer; a board member
    (closing a review whose plan it signed off) must be able to read the review."""
    roles = user.roles() if hasattr(user, "roles") else set()
    if not roles & transition.roles:
        return False
    if Role.BUSINESS_MANAGER in roles:
        return True
    if Role.BOARD_MEMBER in roles & transition.roles:
        # The board signs off: a review it may read (published), never one it cannot.
        return Review.objects.for_user(user, "view").filter(pk=review.pk).exists()
    return may_change(user, review)


def moves_from(stage: str) -> list[tuple[str, Transition]]:
    return [(to, t) for (frm, to), t in TRANSITIONS.items() if frm == stage]


@dataclass(frozen=True)
class Move:
    to: str
    label: str
    missing: list[str]
    allowed_role: bool
    needs_reason: bool
    reason_because: tuple[str, ...] = ()

    @property
    def possible(self) -> bool:
        return self.allowed_role and not self.missing


def available_moves(review: Review, user: User) -> list[Move]:
    """Every move out of the current stage, with what is missing and whether the user may."""
    moves = []
    for to, t in moves_from(review.stage):
        missing = t.guard(review)
        if t.reopen and missing:
            continue  # not the stage this review left: no such option
        because = tuple(t.reasons_needed(review))
        moves.append(Move(to, t.label or Stage(to).label, missing, may_make(user, review, t),
                          t.needs_reason or bool(because), because))
    return moves


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
