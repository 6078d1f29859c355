"""Each person's tasks (the home page): what waits for *them*, with its due date and a link
to the exact page where it is done, one selector per role.

The selectors read the same state the workflow and the services use (a request's status, a
submission's approvals, a comment's resolution, an appointment, an attendance), so a task
appears when its hand-off happens and goes when it is done: nothing is stored for the home
page. Every hand-off of ``services.handoffs`` has its task here (tests/test_handoffs.py).
A task is overdue when its due date has passed, whatever its kind (statutory clocks too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from agencies.models.roles import Role
from reviews.models import (
    ENDED_STAGES,
    BoardResponse,
    BriefingRecipient,
    ChronologyEntry,
    ChronologySubmission,
    Dissemination,
    EvidenceKind,
    EvidenceRequest,
    EvidenceStatus,
    LearningFeedback,
    Meeting,
    MeetingAttendee,
    PanelAppointment,
    Publication,
    ReportComment,
    ReportSnapshot,
    Review,
    SignOffSubmission,
    Stage,
)
from reviews.selectors.clocks import clock_label, review_clocks
from reviews.selectors.report import approvers, may_approve
from scr.actions import Action

if TYPE_CHECKING:
    from agencies.models import User

__all__ = [
    "Task",
    "agency_lead_tasks",
    "approval_tasks",
    "board_tasks",
    "learning_event_tasks",
    "manager_tasks",
    "panel_tasks",
    "reviewer_tasks",
    "sign_off_path",
    "tasks_for",
]

LIMIT = 20  # tasks of one kind on the home page (the lists behind them hold the rest)
CLOCK_HORIZON_DAYS = 14  # a business manager sees clocks due within this many days


@dataclass(frozen=True)
class Task:
    text: str
    url: str
    due: date | None = None
    overdue: bool = False


def _task(text: str, url: str, due: date | None = None, today: date | None = None) -> Task:
    """A task, overdue when its due date has passed."""
    today = today or timezone.localdate()
    return Task(text, url, due, due is not None and due < today)


def _evidence_waiting(user: User, today: date, chase: Action) -> list[Task]:
    """Requests waiting for an agency (``chase``: ``manage`` for every agency's, ``change``
    for the lead's own), with their due dates."""
    tasks = []
    waiting = (EvidenceRequest.objects.for_user(user, chase).awaiting_agency()
               .select_related("review", "agency").order_by("due_on", "pk"))[:LIMIT]
    for req in waiting:
        if req.kind == EvidenceKind.FACTUAL_ACCURACY:
            verb = "check the facts of" if req.status != EvidenceStatus.RETURNED else (
                "check again")
            text = f"{req.review.reference}: {req.agency} to {verb} “{req.description}”"
        else:
            verb = "send more for" if req.status == EvidenceStatus.RETURNED else "send"
            text = f"{req.review.reference}: {req.agency} to {verb} “{req.description}”"
        tasks.append(_task(text, reverse("evidence_request", args=[req.pk]), req.due_on, today))
    return tasks


def _evidence_to_decide(user: User, today: date) -> list[Task]:
    """Answers (factual-accuracy answers included) waiting for the people running a review."""
    decide = (EvidenceRequest.objects.for_user(user, "manage")
              .filter(status__in=(EvidenceStatus.SUBMITTED, EvidenceStatus.RESUBMITTED))
              .exclude(review__stage__in=ENDED_STAGES)
              .select_related("review", "agency").order_by("due_on", "pk"))[:LIMIT]
    tasks = []
    for req in decide:
        what = ("read the factual-accuracy answer" if req.kind == EvidenceKind.FACTUAL_ACCURACY
                else "accept or return the")
        text = (f"{req.review.reference}: {what} from {req.agency}"
                if req.kind == EvidenceKind.FACTUAL_ACCURACY
                else f"{req.review.reference}: {what} {req.kind_phrase} from {req.agency}")
        tasks.append(_task(text, reverse("evidence_request", args=[req.pk]), today=today))
    return tasks


def approval_tasks(user: User, today: date | None = None) -> list[Task]:
    """Sign-offs waiting for one of *this person's* approvals (whatever their role: the
    reviewer, a business manager, a partner's representative), once the review is at the
    Sign-off stage (where approvals are given)."""
    today = today or timezone.localdate()
    tasks = []
    pending = (SignOffSubmission.objects.for_user(user)
               .filter(status=SignOffSubmission.Status.PENDING, review__stage=Stage.SIGN_OFF)
               .select_related("review", "snapshot").prefetch_related("approvals")
               .order_by("submitted_at"))[:LIMIT]
    for submission in pending:
        given = {a.approver_key for a in submission.approvals.all() if a.voided_at is None}
        mine = [a.label for a in approvers()
                if a.key not in given and may_approve(user, submission.review, a)]
        if mine:
            tasks.append(_task(
                f"{submission.review.reference}: give the approval of "
                f"{' and '.join(mine)} to version {submission.snapshot.number} of the report",
                reverse("review_sign_off", args=[submission.review_id]), today=today))
    return tasks


def manager_tasks(user: User, today: date | None = None) -> list[Task]:
    """The business manager: clocks due soon or overdue, delays to explain, every agency's
    awaited evidence, answers to decide, versions awaiting sign-off, signed-off reports to
    take on, published reports due a takedown review."""
    today = today or timezone.localdate()
    tasks: list[Task] = []
    for review in (Review.objects.for_user(user).open().exclude(next_due_on=None)
                   .filter(next_due_on__lte=today + timedelta(days=CLOCK_HORIZON_DAYS))
                   .order_by("next_due_on"))[:LIMIT]:
        tasks.append(_task(f"{review.reference}: {clock_label(review.next_clock)}",
                           reverse("review_clocks", args=[review.pk]), review.next_due_on, today))
    late = (Review.objects.for_user(user).filter(has_missed_clock=True)
            .exclude(stage__in=ENDED_STAGES)
            .prefetch_related("clock_pauses", "delay_explanations"))[:LIMIT]
    for review in late:
        for clock in review_clocks(review):
            if clock.needs_explanation and clock.met_on:
                tasks.append(_task(f"{review.reference}: explain the delay to “{clock.label}”",
                                   reverse("review_explain_delay", args=[review.pk]),
                                   today=today))
    tasks += _evidence_waiting(user, today, "manage")
    tasks += _evidence_to_decide(user, today)
    submissions = (SignOffSubmission.objects.for_user(user)
                   .filter(status__in=(SignOffSubmission.Status.PENDING,
                                       SignOffSubmission.Status.APPROVED),
                           review__stage__in=(Stage.REPORT, Stage.SIGN_OFF))
                   .select_related("review", "snapshot")
                   .annotate(given=Count("approvals", filter=Q(approvals__voided_at__isnull=True)),
                             responded=Exists(BoardResponse.objects.filter(
                                 review=OuterRef("review"))))
                   .order_by("submitted_at"))[:LIMIT]
    needed = len(approvers())
    for submission in submissions:
        reference, number = submission.review.reference, submission.snapshot.number
        if submission.review.stage == Stage.REPORT:
            text = (f"{reference}: version {number} of the report is submitted for sign-off: "
                    f"move the review to Sign-off")
        elif submission.status == SignOffSubmission.Status.PENDING:
            text = (f"{reference}: version {number} of the report awaits sign-off "
                    f"({submission.given} of {needed} approvals given)")
        elif not submission.responded:
            text = (f"{reference}: the report is signed off: record the board's response and "
                    f"move the review to Publication")
        else:  # the next step is the publication page's: the anonymised PDF
            tasks.append(_task(f"{reference}: the report is signed off and the board has "
                               f"responded: make the anonymised PDF and move the review to "
                               f"Publication", reverse("review_publication",
                                                       args=[submission.review_id]),
                               today=today))
            continue
        tasks.append(_task(text, sign_off_path(submission.review), today=today))
    for publication in (Publication.objects.for_user(user, "manage")
                        .filter(status=Publication.Status.PUBLISHED,
                                takedown_review_on__lte=today + timedelta(
                                    days=CLOCK_HORIZON_DAYS))
                        .select_related("review").order_by("takedown_review_on"))[:LIMIT]:
        tasks.append(_task(f"{publication.review.reference}: review whether the published "
                           f"report stays on the website",
                           reverse("publication_takedown_review", args=[publication.pk]),
                           publication.takedown_review_on, today))
    return tasks


def sign_off_path(review: Review) -> str:
    """Where a submitted version is taken on: the review page while it is at Report (its
    move to Sign-off), the sign-off page from then on."""
    return reverse("review" if review.stage == Stage.REPORT else "review_sign_off",
                   args=[review.pk])


def _appointments(user: User, *roles: str) -> list[PanelAppointment]:
    return list(PanelAppointment.objects.for_user(user)
                .filter(user=user, ended_on__isnull=True, panel_role__in=roles)
                .exclude(review__stage__in=ENDED_STAGES).select_related("review")
                .order_by("review__reference"))


def reviewer_tasks(user: User, today: date | None = None) -> list[Task]:
    """The independent reviewer: panel comments to answer, answers to decide (factual-accuracy
    answers included), a report returned from sign-off, and each review's next clock."""
    today = today or timezone.localdate()
    tasks: list[Task] = []
    appointments = _appointments(user, PanelAppointment.PanelRole.REVIEWER)
    reviews = [a.review for a in appointments]
    open_comments = (ReportComment.objects.for_user(user)
                     .filter(review__in=reviews, resolved_at__isnull=True)
                     .values("review__reference", "snapshot_id", "snapshot__number")
                     .annotate(n=Count("pk")).order_by("review__reference", "snapshot__number"))
    for row in open_comments:
        tasks.append(_task(f"{row['review__reference']}: answer {row['n']} panel comment"
                           f"{'s' if row['n'] != 1 else ''} on version "
                           f"{row['snapshot__number']} of the report",
                           reverse("snapshot", args=[row["snapshot_id"]]), today=today))
    if not user.has_role(Role.BUSINESS_MANAGER):  # a manager has them in their own list
        tasks += _evidence_to_decide(user, today)
    # A chronology submitted from the agency's chronology page (one submitted with its request
    # is that request's answer, above): to analyse until one of its entries is marked or
    # grouped into an episode.
    analysed = ChronologyEntry.objects.filter(submission=OuterRef("pk")).filter(
        Q(episode__isnull=False) | ~Q(significance=ChronologyEntry.Significance.ROUTINE))
    for submission in (ChronologySubmission.objects.for_user(user)
                       .filter(review__in=reviews, evidence_request__isnull=True)
                       .exclude(Exists(analysed)).select_related("review", "agency")
                       .order_by("submitted_at"))[:LIMIT]:
        tasks.append(_task(f"{submission.review.reference}: analyse the chronology "
                           f"{submission.agency} submitted ({submission.entries_count} entries)",
                           reverse("review_chronology", args=[submission.review_id]),
                           today=today))
    returned = {pk for pk in SignOffSubmission.objects.filter(
        review__in=[r for r in reviews if r.stage == Stage.REPORT],
        status=SignOffSubmission.Status.RETURNED).values_list("review_id", flat=True)}
    for review in reviews:
        if review.pk in returned:
            tasks.append(_task(f"{review.reference}: the report was returned from sign-off: "
                               f"revise it and submit a new version",
                               reverse("review_report", args=[review.pk]), today=today))
    for review in reviews:
        tasks.append(_task(f"{review.reference}: {Stage(review.stage).label.lower()} – you are "
                           f"the independent reviewer", reverse("review", args=[review.pk]),
                           review.next_due_on, today))
    return tasks


def panel_tasks(user: User, today: date | None = None) -> list[Task]:
    """A panel member (or chair): the latest version shared with the panel to read and
    comment on, and the approvals waiting for them."""
    today = today or timezone.localdate()
    tasks: list[Task] = []
    appointments = _appointments(user, PanelAppointment.PanelRole.MEMBER,
                                 PanelAppointment.PanelRole.CHAIR)
    latest: dict[int, ReportSnapshot] = {}
    for snapshot in (ReportSnapshot.objects.for_user(user).filter(
            review__in=[a.review for a in appointments], shared_with_panel_at__isnull=False)
            .order_by("review_id", "-number") if appointments else []):
        latest.setdefault(snapshot.review_id, snapshot)  # the newest shared version
    for appointment in appointments:
        review = appointment.review
        shared = latest.get(review.pk)
        if shared is not None:
            tasks.append(_task(f"{review.reference}: read and comment on version "
                               f"{shared.number} of the report, shared with the panel",
                               reverse("snapshot", args=[shared.pk]), today=today))
        else:
            role = appointment.get_panel_role_display().lower()
            tasks.append(_task(f"{review.reference}: {Stage(review.stage).label.lower()} – you "
                               f"sit on the panel as {role}",
                               reverse("review", args=[review.pk]), review.next_due_on, today))
    return tasks


def learning_event_tasks(user: User, today: date | None = None) -> list[Task]:
    """Anyone who attended a practitioner learning event (an agency lead, usually): its
    feedback form, until they have given feedback under their name."""
    today = today or timezone.localdate()
    tasks: list[Task] = []
    given = LearningFeedback.objects.filter(meeting=OuterRef("meeting"), given_by=user)
    attended = (MeetingAttendee.objects.filter(
        user=user, withdrawn=False, meeting__kind=Meeting.Kind.LEARNING_EVENT,
        meeting__in=Meeting.objects.for_user(user, "view"))
        .exclude(Exists(given)).exclude(review__stage__in=ENDED_STAGES)
        .select_related("meeting", "review").order_by("meeting__held_on"))[:LIMIT]
    for attendee in attended:
        held = attendee.meeting.held_on
        tasks.append(_task(f"{attendee.review.reference}: give your feedback on the learning "
                           f"event of {held.day} {held:%B %Y}",
                           reverse("learning_feedback_add", args=[attendee.meeting_id]),
                           today=today))
    return tasks


def _briefings_to_share(user: User, today: date) -> list[Task]:
    """Learning briefings sent to the lead's agency that it has not yet recorded sharing."""
    shared = Dissemination.objects.filter(briefing=OuterRef("briefing"),
                                          agency=OuterRef("agency"), withdrawn=False)
    sent = (BriefingRecipient.objects.for_user(user, "change")
            .exclude(Exists(shared)).select_related("briefing__review", "agency")
            .order_by("sent_at"))[:LIMIT]
    return [_task(f"{r.briefing.review.reference}: share the learning briefing with "
                  f"{r.agency}'s practitioners and record it",
                  reverse("briefing", args=[r.briefing_id]), today=today) for r in sent]


def agency_lead_tasks(user: User, today: date | None = None) -> list[Task]:
    """An agency lead: every request waiting for their agency (factual-accuracy checks
    included), and each learning briefing sent to it to share. Their learning events and
    their agency's actions are added by ``learning_event_tasks`` and action plans'
    selector."""
    today = today or timezone.localdate()
    return _evidence_waiting(user, today, "change") + _briefings_to_share(user, today)


def board_tasks(user: User, today: date | None = None) -> list[Task]:
    """A board member: the board dashboard (the sign-offs waiting for them come from
    ``approval_tasks``, the plans they will close from action plans' selector)."""
    today = today or timezone.localdate()
    return [_task("See the board dashboard", reverse("board"), today=today)]


def tasks_for(user: User) -> list[Task]:
    """What this person must do next, across the reviews they can see: each role's tasks."""
    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    tasks: list[Task] = []
    if user.has_role(Role.BUSINESS_MANAGER):
        tasks += manager_tasks(user, today)
    tasks += approval_tasks(user, today)
    # Only a reviewer is appointed reviewer or chair, only a panel member a member
    # (services.panel_appoint): nobody else has appointments to read.
    if user.has_role(Role.REVIEWER):
        tasks += reviewer_tasks(user, today)
    if user.has_role(Role.REVIEWER, Role.PANEL_MEMBER):
        tasks += panel_tasks(user, today)
    if user.has_role(Role.AGENCY_LEAD):
        tasks += agency_lead_tasks(user, today)
    tasks += learning_event_tasks(user, today)
    if user.has_role(Role.BOARD_MEMBER):
        tasks += board_tasks(user, today)
    return tasks
