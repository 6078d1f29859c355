"""Evidence from agencies: requests, their answers (submissions, the agency report's
draft), and the documents attached to them.

A request asks one agency for one kind of evidence (a rapid-review summary, the agency
report (IMR), its chronology, records, other) by a due date, and moves through
``EVIDENCE_MOVES``: sent → acknowledged → submitted → accepted, or returned (with what is
missing) → resubmitted; withdrawn with a reason. Overdue is derived from the due date.

Who may see what (the scope of each model's ``for_user``):

- the request itself: the business manager, the people appointed to the review (reviewer
  and panel) and the leads of the agency asked — never another agency's lead;
- its answer (submissions, attached documents): the agency's leads, the business manager
  and the review's own reviewer; panel members only once the answer is shared with the
  panel; never another agency's lead, never a board member;
- the agency report's draft: the agency's leads only, until they submit it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency, User
from reviews.models.base import ReviewRecord, ReviewScopedQuerySet, check_dates
from reviews.models.lifecycle import Review
from reviews.models.scope import direct_grant_reviews
from scr import filetypes
from scr.actions import Action
from scr.models import StoredDocument
from scr.text import DESCRIPTION_LENGTH, DOCUMENT_LENGTH, NARRATIVE_LENGTH, REASON_LENGTH

__all__ = [
    "AWAITING_AGENCY",
    "EVIDENCE_MOVES",
    "IMR_HEADINGS",
    "OPEN_EVIDENCE",
    "RECEIVED_EVIDENCE",
    "AgencyReport",
    "EvidenceDocument",
    "EvidenceKind",
    "EvidenceRequest",
    "EvidenceRequestQuerySet",
    "EvidenceStatus",
    "EvidenceSubmission",
    "FactualAnswer",
    "Mover",
    "heading_text",
]


class EvidenceKind(models.TextChoices):
    SUMMARY = "summary", "Rapid review agency summary"
    IMR = "imr", "Agency report (IMR)"
    CHRONOLOGY = "chronology", "Agency chronology"
    RECORDS = "records", "Records"
    OTHER = "other", "Other"
    FACTUAL_ACCURACY = "factual_accuracy", "Factual-accuracy check"


class FactualAnswer(models.TextChoices):
    """The agency's answer to a factual-accuracy check (kept in the submission's
    ``report`` as ``{"answer": ...}``; the corrections are the submission's note)."""

    ACCURATE = "accurate", "Accurate"
    CORRECTIONS = "corrections", "Corrections needed"


class EvidenceStatus(models.TextChoices):
    SENT = "sent", "Sent"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for more"
    RESUBMITTED = "resubmitted", "Resubmitted"
    ACCEPTED = "accepted", "Accepted"
    WITHDRAWN = "withdrawn", "Withdrawn"


S = EvidenceStatus
# Waiting for the agency (these can be overdue), received (waiting for the reviewer or
# accepted), and open (anything but accepted or withdrawn).
AWAITING_AGENCY = frozenset({S.SENT, S.ACKNOWLEDGED, S.RETURNED})
RECEIVED_EVIDENCE = frozenset({S.SUBMITTED, S.RESUBMITTED, S.ACCEPTED})
OPEN_EVIDENCE = frozenset(set(S) - {S.ACCEPTED, S.WITHDRAWN})


class Mover(models.TextChoices):
    """Who makes a move: the agency asked (its leads), or the people running the review
    (the business manager or the review's own appointed reviewer)."""

    AGENCY = "agency", "the agency's leads"
    REVIEW = "review", "the business manager or the review's reviewer"


# The request's states as data: (from, to) → who may make the move.
EVIDENCE_MOVES: dict[tuple[str, str], str] = {
    (S.SENT, S.ACKNOWLEDGED): Mover.AGENCY,
    (S.SENT, S.SUBMITTED): Mover.AGENCY,
    (S.ACKNOWLEDGED, S.SUBMITTED): Mover.AGENCY,
    (S.RETURNED, S.RESUBMITTED): Mover.AGENCY,
    (S.SUBMITTED, S.RETURNED): Mover.REVIEW,
    (S.RESUBMITTED, S.RETURNED): Mover.REVIEW,
    (S.SUBMITTED, S.ACCEPTED): Mover.REVIEW,
    (S.RESUBMITTED, S.ACCEPTED): Mover.REVIEW,
    **{(status, S.WITHDRAWN): Mover.REVIEW for status in sorted(OPEN_EVIDENCE)},
}

# The agency report's standard headings: (field, heading, hint). The draft has one field
# each; a submission keeps them as they were, in ``EvidenceSubmission.report``.
IMR_HEADINGS: tuple[tuple[str, str, str], ...] = (
    ("author", "Author and role", "Who wrote this report and their role."),
    ("independence", "The author's involvement in the case and line management",
     "Any involvement in the case or in managing those involved (independence)."),
    ("records_secured_on", "Date the agency's records were secured", ""),
    ("terms_addressed", "Terms of reference addressed",
     "The key lines of enquiry this report answers."),
    ("context", "Context",
     "Volume of work, staffing, supervision, organisational change, services available."),
    ("method", "Method", "Documents seen; staff interviewed, with dates."),
    ("analysis", "Analysis of the agency's involvement", ""),
    ("good_practice", "Good practice", ""),
    ("lessons", "Lessons", ""),
    ("recommendations", "The agency's own recommendations", ""),
)


def _lead_agencies(user: User) -> set[int]:
    from agencies.models.roles import Role

    return user.agency_ids(Role.AGENCY_LEAD)


def _is_manager(user: User) -> bool:
    from agencies.models.roles import Role

    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.BUSINESS_MANAGER))


class EvidenceRequestQuerySet(ReviewScopedQuerySet):
    def for_user(self, user: User, action: Action = "view") -> Self:
        """``view`` (and history, identities): an agency lead sees only requests made to
        their own agency. ``manage`` (send, return, accept, withdraw): the business manager,
        or the review's own reviewer. ``change`` (acknowledge, answer, submit): the leads of
        the agency asked."""
        if action in ("manage", "change"):
            seen = self.for_user(user, "view")
            if action == "change":
                if not getattr(user, "is_authenticated", False):
                    return seen.none()
                return seen.filter(agency_id__in=_lead_agencies(user))
            if _is_manager(user):
                return seen
            return seen.filter(review__in=Review.objects.for_user(user, "change").values("pk"))
        qs = super().for_user(user, action)
        if not getattr(user, "is_authenticated", False) or _is_manager(user):
            return qs
        return qs.filter(Q(review__in=direct_grant_reviews(user))
                         | Q(agency_id__in=_lead_agencies(user)))

    def answer_visible(self, user: User, action: Action = "view") -> models.QuerySet:
        """Requests whose answer this person may read: the agency's leads, the business
        manager and the review's reviewer; panel members once it is shared with the panel."""
        seen = self.for_user(user, action)
        if not getattr(user, "is_authenticated", False) or _is_manager(user):
            return seen
        reviewer = Review.objects.for_user(user, "change").values("pk")
        return seen.filter(Q(agency_id__in=_lead_agencies(user)) | Q(review__in=reviewer)
                           | Q(shared_with_panel=True))

    def open(self) -> models.QuerySet:
        return self.filter(status__in=OPEN_EVIDENCE)

    def awaiting_agency(self) -> models.QuerySet:
        return self.filter(status__in=AWAITING_AGENCY)


if TYPE_CHECKING:
    EvidenceRequestManager = models.Manager.from_queryset(EvidenceRequestQuerySet)


class EvidenceRequest(ReviewRecord):
    """A request to one agency for one kind of evidence, due by a date."""

    HISTORY_AGENCY_FIELD = "agency"

    Kind = EvidenceKind
    Status = EvidenceStatus

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="evidence_requests")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="evidence_requests")
    kind = models.CharField(max_length=20, choices=EvidenceKind.choices, default=EvidenceKind.IMR)
    description = models.TextField("What is needed",
                                   default="Agency report (IMR) and chronology",
                                   max_length=DESCRIPTION_LENGTH)
    requested_on = models.DateField(default=timezone.localdate)
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=EvidenceStatus.choices,
                              default=EvidenceStatus.SENT)
    accepted_on = models.DateField(null=True, blank=True)
    # The latest return's "what is missing" and the withdrawal's reason; earlier ones stay
    # in the history.
    missing = models.TextField(blank=True, max_length=NARRATIVE_LENGTH)
    withdrawn_reason = models.TextField(blank=True, max_length=REASON_LENGTH)
    shared_with_panel = models.BooleanField(default=False)
    # A factual-accuracy check: the named version of the report being checked and the
    # sections of it sent to this agency (their text as frozen in that version).
    snapshot = models.ForeignKey("reviews.ReportSnapshot", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="factual_checks")
    checked_parts = models.ManyToManyField("reviews.SnapshotPart", blank=True,
                                           related_name="factual_checks")

    objects: ClassVar[EvidenceRequestManager[Self]] = EvidenceRequestQuerySet.as_manager()

    @classmethod
    def history_in(cls, user: User, review: models.Model) -> models.QuerySet:
        """Narrower than the review: an agency lead reads only their agency's requests."""
        visible = cls.objects.for_user(user, "view_history").filter(review=review.pk)
        return cls.history.filter(id__in=visible.values("pk"))

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "agency", "kind"],
                condition=~Q(status__in=["accepted", "withdrawn"])
                & ~Q(kind="factual_accuracy"),
                name="evidence_one_open_request_per_agency_and_kind"),
            # A factual-accuracy check is one per version of the report: one open check of
            # the same version per agency.
            models.UniqueConstraint(
                fields=["snapshot", "agency"],
                condition=~Q(status__in=["accepted", "withdrawn"])
                & Q(kind="factual_accuracy"),
                name="evidence_one_open_factual_check_per_version_and_agency"),
            models.CheckConstraint(
                condition=Q(kind="factual_accuracy", snapshot__isnull=False)
                | (~Q(kind="factual_accuracy") & Q(snapshot__isnull=True)),
                name="evidence_factual_check_has_a_version"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.agency}"

    def clean(self) -> None:
        check_dates(self, past_only=("requested_on", "accepted_on"), order=(
            ("due_on", "requested_on", "The due date cannot be before the request"),
            ("accepted_on", "requested_on", "It cannot be accepted before it was requested"),
        ))

    @property
    def kind_phrase(self) -> str:
        """The kind inside a sentence: 'agency report (IMR)'."""
        label = str(self.get_kind_display())
        return label[:1].lower() + label[1:]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_EVIDENCE

    @property
    def is_factual_check(self) -> bool:
        return self.kind == EvidenceKind.FACTUAL_ACCURACY

    @property
    def awaits_agency(self) -> bool:
        return self.status in AWAITING_AGENCY

    @property
    def is_received(self) -> bool:
        return self.status in RECEIVED_EVIDENCE

    @property
    def is_overdue(self) -> bool:
        """Derived, never stored: still waiting for the agency after the due date."""
        return self.awaits_agency and self.due_on < timezone.localdate()

    @property
    def status_tag(self) -> str:
        """The GOV.UK tag colour of the state (overdue shows red whatever the state)."""
        if self.is_overdue:
            return "govuk-tag--red"
        tags: dict[str, str] = {
            S.SENT: "govuk-tag--blue", S.ACKNOWLEDGED: "govuk-tag--light-blue",
            S.SUBMITTED: "govuk-tag--yellow", S.RESUBMITTED: "govuk-tag--yellow",
            S.RETURNED: "govuk-tag--orange", S.ACCEPTED: "govuk-tag--green",
            S.WITHDRAWN: "govuk-tag--grey"}
        return tags.get(self.status, "")


class _AnswerQuerySet(ReviewScopedQuerySet):
    """Parts of a request's answer: visible with the answer (``answer_visible``)."""

    def for_user(self, user: User, action: Action = "view") -> Self:
        base: Action = "view_history" if action == "view_history" else "view"
        return self.filter(request__in=EvidenceRequest.objects.answer_visible(user, base)
                           .values("pk"))


if TYPE_CHECKING:
    _AnswerManager = models.Manager.from_queryset(_AnswerQuerySet)


class EvidenceSubmission(ReviewRecord):
    """One submission of a request's answer: immutable and numbered (1, 2, ... per request).
    For the agency report it keeps every heading as submitted (``report``), so each version
    stays readable and two can be compared."""

    HISTORY_AGENCY_FIELD = "request__agency"

    REVIEW_FIELD = "request__review"

    request = models.ForeignKey(EvidenceRequest, on_delete=models.PROTECT,
                                related_name="submissions")
    number = models.PositiveIntegerField()
    note = models.TextField(blank=True, max_length=NARRATIVE_LENGTH)
    report = models.JSONField(default=dict, blank=True)
    due_on = models.DateField(help_text="The due date when it was submitted.")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[_AnswerManager[Self]] = _AnswerQuerySet.as_manager()

    class Meta:
        ordering = ["request", "number"]
        constraints = [models.UniqueConstraint(fields=["request", "number"],
                                               name="evidence_submission_number_once")]

    def __str__(self) -> str:
        return f"Submission {self.number} of {self.request}"

    @property
    def review_id(self) -> int:
        """The review this belongs to (the access log files every event under its review)."""
        return self.request.review_id

    @classmethod
    def history_in(cls, user: User, review: models.Model) -> models.QuerySet:
        visible = EvidenceRequest.objects.answer_visible(user, "view_history").filter(
            review=review)
        return cls.history.filter(request_id__in=visible.values("pk"))

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("A submission is immutable: submit a new version instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("A submission is never deleted.")

    @property
    def late(self) -> bool:
        return timezone.localdate(self.submitted_at) > self.due_on

    @property
    def factual_answer(self) -> str:
        """A factual-accuracy check's answer in words ("Accurate", "Corrections needed"), or
        "" for any other kind."""
        answer = self.report.get("answer", "") if isinstance(self.report, dict) else ""
        return str(FactualAnswer(answer).label) if answer in FactualAnswer.values else ""

    @property
    def needs_corrections(self) -> bool:
        return isinstance(self.report, dict) and \
            self.report.get("answer") == FactualAnswer.CORRECTIONS

    def headings(self) -> list[tuple[str, str]]:
        """(heading, text) for each standard heading, as submitted."""
        return [(label, heading_text(name, self.report.get(name, "")))
                for name, label, _ in IMR_HEADINGS]


def heading_text(name: str, value: object) -> str:
    """A submitted heading as read: its dates (kept as ISO text) in the GOV.UK style."""
    text = str(value or "")
    if name.endswith("_on") and text:
        try:
            return f"{date.fromisoformat(text):%-d %B %Y}"
        except ValueError:
            return text
    return text


class _DraftQuerySet(ReviewScopedQuerySet):
    def for_user(self, user: User, action: Action = "view") -> Self:
        """The draft is the agency's own: its leads only, whatever the action."""
        base: Action = "view_history" if action == "view_history" else "view"
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(request__in=EvidenceRequest.objects.for_user(user, base).filter(
            agency_id__in=_lead_agencies(user)).values("pk"))


if TYPE_CHECKING:
    _DraftManager = models.Manager.from_queryset(_DraftQuerySet)


class AgencyReport(ReviewRecord):
    """The agency report (IMR) being written: private to the agency's leads until they
    submit it (then it is copied into an immutable ``EvidenceSubmission``)."""

    HISTORY_AGENCY_FIELD = "request__agency"

    REVIEW_FIELD = "request__review"

    request = models.OneToOneField(EvidenceRequest, on_delete=models.PROTECT,
                                   related_name="report_draft")
    author = models.TextField(blank=True, max_length=DESCRIPTION_LENGTH)
    independence = models.TextField(blank=True, max_length=NARRATIVE_LENGTH)
    records_secured_on = models.DateField(null=True, blank=True)
    terms_addressed = models.TextField(blank=True, max_length=NARRATIVE_LENGTH)
    context = models.TextField(blank=True, max_length=DOCUMENT_LENGTH)
    method = models.TextField(blank=True, max_length=DOCUMENT_LENGTH)
    analysis = models.TextField(blank=True, max_length=DOCUMENT_LENGTH)
    good_practice = models.TextField(blank=True, max_length=DOCUMENT_LENGTH)
    lessons = models.TextField(blank=True, max_length=DOCUMENT_LENGTH)
    recommendations = models.TextField(blank=True, max_length=DOCUMENT_LENGTH)
    updated_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[_DraftManager[Self]] = _DraftQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Draft agency report for {self.request}"

    @property
    def review_id(self) -> int:
        """The review this belongs to (the access log files every event under its review)."""
        return self.request.review_id

    @classmethod
    def history_in(cls, user: User, review: models.Model) -> models.QuerySet:
        visible = cls.objects.for_user(user, "view_history").filter(request__review=review.pk)
        return cls.history.filter(id__in=visible.values("pk"))

    def clean(self) -> None:
        check_dates(self, past_only=("records_secured_on",))

    def as_report(self) -> dict[str, str]:
        """The headings as a submission keeps them (dates as ISO text)."""
        values = {name: getattr(self, name) for name, _, _ in IMR_HEADINGS}
        return {name: (value.isoformat() if hasattr(value, "isoformat") else value or "")
                for name, value in values.items()}


class _DocumentQuerySet(ReviewScopedQuerySet):
    def for_user(self, user: User, action: Action = "view") -> Self:
        """With the answer; a document not yet submitted or withdrawn only to its agency's
        leads (and a withdrawn one to the business manager, who may restore it). ``change``
        (replace, withdraw, restore): the agency's leads and the business manager."""
        base: Action = "view_history" if action == "view_history" else "view"
        seen = self.filter(request__in=EvidenceRequest.objects.answer_visible(user, base)
                           .values("pk"))
        if not getattr(user, "is_authenticated", False):
            return seen.none()
        own = Q(request__agency_id__in=_lead_agencies(user))
        if action == "change":
            return seen if _is_manager(user) else seen.filter(own)
        shown = Q(submission_number__isnull=False, withdrawn_at__isnull=True)
        if _is_manager(user):
            shown |= Q(submission_number__isnull=False)
        return seen.filter(own | shown)


if TYPE_CHECKING:
    _DocumentManager = models.Manager.from_queryset(_DocumentQuerySet)


class EvidenceDocument(ReviewRecord, StoredDocument):
    """A file attached to a request's answer (one version of one logical document: the
    request and its ``series`` number). Seen by others only once submitted
    (``submission_number``)."""

    HISTORY_AGENCY_FIELD = "request__agency"

    REVIEW_FIELD = "request__review"
    LOGICAL_KEY: ClassVar[tuple[str, ...]] = ("request", "series")
    ALLOWED_TYPES: ClassVar[frozenset[str]] = filetypes.EVIDENCE_TYPES

    request = models.ForeignKey(EvidenceRequest, on_delete=models.PROTECT,
                                related_name="documents")
    series = models.PositiveIntegerField(help_text="Which document of the request.")
    submission_number = models.PositiveIntegerField(
        null=True, blank=True, help_text="The submission that first included this version.")

    objects: ClassVar[_DocumentManager[Self]] = _DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["series", "-version"]
        constraints = [models.UniqueConstraint(fields=["request", "series", "version"],
                                               name="evidence_document_version_once")]

    @classmethod
    def history_in(cls, user: User, review: models.Model) -> models.QuerySet:
        visible = cls.objects.for_user(user, "view_history").filter(request__review=review.pk)
        return cls.history.filter(id__in=visible.values("pk"))

    @property
    def review_id(self) -> int:
        """The review this belongs to (the access log files every event under its review)."""
        return self.request.review_id
