"""Hand-offs of a review: each state change another person must act on, announced to them
(``scr.notifications``: in the app, and by e-mail at once or in the daily digest).

Each function here is called by the service that makes the change, inside its transaction,
so the notification exists exactly when the change does. Texts are the review's reference
(never a name), agency names and fixed phrases: they may leave the service by e-mail. The
link is the exact page where the person acts.

``HANDOFF_KINDS`` lists every kind this app raises; ``TRANSITION_HANDOFFS`` and
``EVIDENCE_HANDOFFS`` say which stage moves and evidence moves are hand-offs (and which are
not, with why), so a new move cannot be added without deciding who is told
(tests/test_handoffs.py walks them).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.urls import reverse

from agencies.models import Agency, Membership, User
from agencies.models.roles import Role
from reviews.models import (
    Briefing,
    EvidenceKind,
    EvidenceRequest,
    EvidenceStatus,
    Meeting,
    PanelAppointment,
    ReportComment,
    ReportSnapshot,
    Review,
    SignOffSubmission,
    Stage,
)
from reviews.selectors.report import approvers, live_submission, may_approve
from reviews.selectors.tasks import sign_off_path
from reviews.workflow import OPEN_STAGES, REOPENS
from scr.notifications import notify, register

__all__ = [
    "EVIDENCE_HANDOFFS",
    "HANDOFF_KINDS",
    "TRANSITION_HANDOFFS",
    "agency_leads",
    "business_managers",
    "notify_approval_given",
    "notify_briefing_sent",
    "notify_chronology_submitted",
    "notify_comment",
    "notify_evidence_answered",
    "notify_evidence_requested",
    "notify_evidence_returned",
    "notify_learning_event",
    "notify_panel_appointed",
    "notify_sign_off_submitted",
    "notify_stage_moved",
    "notify_version_shared",
]

EVIDENCE_REQUESTED = register("evidence_requested", "Evidence asked of your agency",
                              "the agency's leads")
EVIDENCE_RETURNED = register("evidence_returned", "Evidence returned to your agency for more",
                             "the agency's leads")
EVIDENCE_ANSWERED = register("evidence_answered", "An agency's evidence to accept or return",
                             "business managers and the review's reviewer")
FACTUAL_ANSWERED = register("factual_answer", "A factual-accuracy answer received",
                            "business managers and the review's reviewer")
CHRONOLOGY_SUBMITTED = register("chronology_submitted", "An agency's chronology submitted",
                                "the review's reviewer")
VERSION_SHARED = register("version_shared", "A version of the report shared with the panel",
                          "the review's panel")
COMMENT = register("comment", "A panel comment on a version of the report",
                   "the review's reviewer")
SIGN_OFF_SUBMITTED = register("sign_off_submitted", "A version awaiting sign-off",
                              "business managers and everyone who may approve it")
APPROVAL_GIVEN = register("approval_given", "An approval given (or every approval given)",
                          "business managers")
SIGN_OFF_RETURNED = register("sign_off_returned", "The report returned from sign-off",
                             "the review's reviewer")
STAGE_MOVED = register("stage_moved", "A review moved to a stage where you act next",
                       "the review's reviewer")
PANEL_APPOINTED = register("panel_appointed", "You were appointed to a review's panel",
                           "the person appointed")
LEARNING_EVENT = register("learning_event", "A learning event you attend (feedback form)",
                          "the attendee")

BRIEFING_SENT = register("briefing_sent", "A learning briefing sent to your agency",
                         "the agency's leads")
HANDOFF_KINDS = (BRIEFING_SENT, EVIDENCE_REQUESTED, EVIDENCE_RETURNED, EVIDENCE_ANSWERED, FACTUAL_ANSWERED,
                 CHRONOLOGY_SUBMITTED, VERSION_SHARED, COMMENT, SIGN_OFF_SUBMITTED,
                 APPROVAL_GIVEN, SIGN_OFF_RETURNED, STAGE_MOVED, PANEL_APPOINTED,
                 LEARNING_EVENT)

# Every stage move (reviews/workflow.py): the kind it raises, or why it is no hand-off.
NOT_A_HANDOFF = "no hand-off: "
TRANSITION_HANDOFFS: dict[tuple[str, str], str] = {
    (Stage.REFERRAL, Stage.NOTIFICATION): NOT_A_HANDOFF + "the business manager acts next",
    (Stage.NOTIFICATION, Stage.RAPID_REVIEW): NOT_A_HANDOFF + "agencies are asked for their "
                                                              "summaries (evidence_requested)",
    (Stage.RAPID_REVIEW, Stage.DECISION): NOT_A_HANDOFF + "the business manager records it",
    (Stage.DECISION, Stage.COMMISSIONING): NOT_A_HANDOFF + "the business manager commissions",
    (Stage.DECISION, Stage.NO_REVIEW): NOT_A_HANDOFF + "the review ends",
    (Stage.COMMISSIONING, Stage.EVIDENCE): NOT_A_HANDOFF + "each request is its own hand-off",
    (Stage.EVIDENCE, Stage.ANALYSIS): STAGE_MOVED,
    (Stage.ANALYSIS, Stage.REPORT): STAGE_MOVED,
    (Stage.REPORT, Stage.SIGN_OFF): SIGN_OFF_SUBMITTED,
    (Stage.SIGN_OFF, Stage.PUBLICATION): NOT_A_HANDOFF + "the business manager publishes",
    (Stage.SIGN_OFF, Stage.REPORT): SIGN_OFF_RETURNED,
    (Stage.PUBLICATION, Stage.MONITORING): NOT_A_HANDOFF + "each action assigned is its own "
                                                           "hand-off (action_assigned)",
    (Stage.MONITORING, Stage.CLOSED): NOT_A_HANDOFF + "the review ends",
}
for _stage in OPEN_STAGES:
    TRANSITION_HANDOFFS[(_stage, Stage.WITHDRAWN)] = NOT_A_HANDOFF + "nobody acts on a " \
                                                                     "withdrawn review"
for _ended, _targets in REOPENS.items():
    for _target in _targets:  # a review reopened where the reviewer works is theirs again
        TRANSITION_HANDOFFS[(_ended, _target)] = (
            STAGE_MOVED if _target in (Stage.ANALYSIS, Stage.REPORT)
            else NOT_A_HANDOFF + "the business manager reopens it and acts next")
# Every evidence move (``EVIDENCE_MOVES``), by the state it reaches.
EVIDENCE_HANDOFFS: dict[str, str] = {
    EvidenceStatus.SENT: EVIDENCE_REQUESTED,
    EvidenceStatus.ACKNOWLEDGED: NOT_A_HANDOFF + "the agency still acts",
    EvidenceStatus.SUBMITTED: EVIDENCE_ANSWERED,
    EvidenceStatus.RESUBMITTED: EVIDENCE_ANSWERED,
    EvidenceStatus.RETURNED: EVIDENCE_RETURNED,
    EvidenceStatus.ACCEPTED: NOT_A_HANDOFF + "nobody acts on an accepted answer",
    EvidenceStatus.WITHDRAWN: NOT_A_HANDOFF + "nobody acts on a withdrawn request",
}


def business_managers() -> list[User]:
    return list(User.objects.filter(is_active=True, pk__in=Membership.objects.active().filter(
        role=Role.BUSINESS_MANAGER).values("user_id")).order_by("pk"))


def agency_leads(agency_id: int) -> list[User]:
    return list(User.objects.filter(is_active=True, pk__in=Membership.objects.active().filter(
        role=Role.AGENCY_LEAD, agency_id=agency_id).values("user_id")).order_by("pk"))


def _panel(review: Review, *, reviewer: bool) -> list[User]:
    roles = Q(panel_role=PanelAppointment.PanelRole.REVIEWER)
    appointed = review.panel.filter(ended_on__isnull=True).filter(roles if reviewer else ~roles)
    return list(User.objects.filter(is_active=True, pk__in=appointed.values("user_id"))
                .order_by("pk"))


def _reviewers(review: Review) -> list[User]:
    return _panel(review, reviewer=True)


def _runners(review: Review) -> list[User]:
    """Who runs the review: the business managers and its appointed reviewer."""
    return [*business_managers(), *_reviewers(review)]


def notify_evidence_requested(*, by: User, request: EvidenceRequest) -> None:
    what = "a factual-accuracy check" if request.kind == EvidenceKind.FACTUAL_ACCURACY else (
        f"the {request.kind_phrase}")
    notify(by=by, recipients=agency_leads(request.agency_id), kind=EVIDENCE_REQUESTED,
           item=request, event=f"request-{request.pk}",
           text=f"{request.review.reference}: {request.agency} is asked for {what}, due "
                f"{request.due_on.day} {request.due_on:%B %Y}",
           path=reverse("evidence_request", args=[request.pk]))


def notify_evidence_returned(*, by: User, request: EvidenceRequest, number: int) -> None:
    notify(by=by, recipients=agency_leads(request.agency_id), kind=EVIDENCE_RETURNED,
           item=request, event=f"request-{request.pk}-returned-{number}",
           text=f"{request.review.reference}: the {request.kind_phrase} from {request.agency} "
                f"was returned for more",
           path=reverse("evidence_request", args=[request.pk]))


def notify_evidence_answered(*, by: User, request: EvidenceRequest, number: int) -> None:
    factual = request.kind == EvidenceKind.FACTUAL_ACCURACY
    what = "answered the factual-accuracy check" if factual else (
        f"submitted the {request.kind_phrase}")
    notify(by=by, recipients=_runners(request.review),
           kind=FACTUAL_ANSWERED if factual else EVIDENCE_ANSWERED, item=request,
           event=f"request-{request.pk}-answer-{number}",
           text=f"{request.review.reference}: {request.agency} {what} (version {number})",
           path=reverse("evidence_request", args=[request.pk]))


def notify_chronology_submitted(*, by: User, review: Review, agency_name: str,
                                submission: object) -> None:
    notify(by=by, recipients=_reviewers(review), kind=CHRONOLOGY_SUBMITTED,
           item=submission,  # type: ignore[arg-type]  # a ChronologySubmission
           event=f"chronology-{getattr(submission, 'pk', '')}",
           text=f"{review.reference}: {agency_name} submitted its chronology",
           path=reverse("review_chronology", args=[review.pk]))


def notify_version_shared(*, by: User, snapshot: ReportSnapshot) -> None:
    review = snapshot.review
    notify(by=by, recipients=_panel(review, reviewer=False), kind=VERSION_SHARED, item=snapshot,
           event=f"snapshot-{snapshot.pk}",
           text=f"{review.reference}: version {snapshot.number} of the report is shared with "
                f"the panel to read and comment on",
           path=reverse("snapshot", args=[snapshot.pk]))


def notify_comment(*, by: User, comment: ReportComment) -> None:
    review = comment.review
    notify(by=by, recipients=_reviewers(review), kind=COMMENT, item=comment,
           event=f"comment-{comment.pk}",
           text=f"{review.reference}: a new panel comment on version "
                f"{comment.snapshot.number} of the report",
           path=reverse("snapshot", args=[comment.snapshot_id]) + f"#comment-{comment.pk}")


def _may_approve_any(review: Review) -> list[User]:
    """Everyone who may give one of the approvals still needed."""
    candidates = {u.pk: u for u in [*business_managers(), *_panel(review, reviewer=True),
                                    *_panel(review, reviewer=False)]}
    return [u for u in candidates.values()
            if any(may_approve(u, review, a) for a in approvers())]


def notify_sign_off_submitted(*, by: User, submission: SignOffSubmission) -> None:
    """At the submission: the business managers (who move the review to Sign-off) and, once
    the review is at Sign-off (now, or when it moves there: ``notify_stage_moved``), everyone
    who may give an approval. One event per submission: nobody is told twice."""
    review = submission.review
    approving = review.stage == Stage.SIGN_OFF
    notify(by=by, recipients=business_managers(), kind=SIGN_OFF_SUBMITTED, item=submission,
           event=f"submission-{submission.pk}",
           text=f"{review.reference}: version {submission.snapshot.number} of the report is "
                f"submitted for sign-off",
           path=sign_off_path(review))
    if approving:
        notify(by=by, recipients=_may_approve_any(review), kind=SIGN_OFF_SUBMITTED,
               item=submission, event=f"submission-{submission.pk}",
               text=f"{review.reference}: version {submission.snapshot.number} of the report "
                    f"awaits your approval", path=sign_off_path(review))


def notify_approval_given(*, by: User, submission: SignOffSubmission, label: str,
                          complete: bool) -> None:
    review = submission.review
    text = (f"{review.reference}: every approval is given: the report is signed off"
            if complete else f"{review.reference}: {label} approved the report")
    notify(by=by, recipients=business_managers(), kind=APPROVAL_GIVEN, item=submission,
           event=f"submission-{submission.pk}-{'complete' if complete else label}",
           text=text, path=reverse("review_sign_off", args=[review.pk]))


STAGE_WORK: dict[str, str] = {Stage.ANALYSIS: "the analysis can start",
                               Stage.REPORT: "the report can start"}


def notify_stage_moved(*, by: User, review: Review, before: str, after: str) -> None:
    """The move's hand-off, if ``TRANSITION_HANDOFFS`` says it is one."""
    kind = TRANSITION_HANDOFFS.get((before, after), "")
    if kind == SIGN_OFF_SUBMITTED:
        submission = live_submission(review)
        if submission is not None:
            notify_sign_off_submitted(by=by, submission=submission)
        return
    if kind == SIGN_OFF_RETURNED:
        text = f"{review.reference}: the report was returned from sign-off for changes"
        path = reverse("review_report", args=[review.pk])
    elif kind == STAGE_MOVED:
        text = (f"{review.reference}: the review moved to {Stage(after).label}: "
                f"{STAGE_WORK.get(after, 'you act next')}")
        path = reverse("review", args=[review.pk])
    else:
        return
    notify(by=by, recipients=_reviewers(review), kind=kind, item=review,
           event=f"stage-{before}-{after}-{review.stage_entered_at.isoformat()}", text=text,
           path=path)


def notify_panel_appointed(*, by: User, appointment: PanelAppointment) -> None:
    review = appointment.review
    notify(by=by, recipients=[appointment.user], kind=PANEL_APPOINTED, item=appointment,
           event=f"appointment-{appointment.pk}",
           text=f"{review.reference}: you were appointed as "
                f"{appointment.get_panel_role_display().lower()}",
           path=reverse("review", args=[review.pk]))


def notify_learning_event(*, by: User, meeting: Meeting,
                          attendees: Iterable[User]) -> None:
    if meeting.kind != Meeting.Kind.LEARNING_EVENT:
        return
    notify(by=by, recipients=attendees, kind=LEARNING_EVENT, item=meeting,
           event=f"meeting-{meeting.pk}",
           text=f"{meeting.review.reference}: you attend the practitioner learning event of "
                f"{meeting.held_on.day} {meeting.held_on:%B %Y}: give your feedback",
           path=reverse("learning_feedback_add", args=[meeting.pk]))


def notify_briefing_sent(*, by: User, briefing: Briefing, agencies: Iterable[Agency]) -> None:
    """Each recipient agency's leads: a briefing to share and to record. The text names the
    review's reference and the agency, never a person (it may be e-mailed)."""
    for agency in agencies:
        notify(by=by, recipients=agency_leads(agency.pk), kind=BRIEFING_SENT, item=briefing,
               event=f"briefing-{briefing.pk}-agency-{agency.pk}",
               text=f"{briefing.review.reference}: a learning briefing was sent to {agency} "
                    f"to share with practitioners",
               path=reverse("briefing", args=[briefing.pk]))
