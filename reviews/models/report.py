"""The report (DOMAIN.md stages 7-8): sections and their versions, named snapshots, the
panel's comments, sign-off approvals and the board's response.

- ``Report`` — one per review: the ``revision`` every change to the report's content
  (a section saved, a finding or recommendation changed) moves on, so a snapshot is the
  *current* version exactly when nothing changed since it was taken. It is also the row
  every write to the report locks, so two writes never interleave.
- ``ReportSection`` — one section, in the partnership's order, with its versions
  (``SectionVersion``, one per save: who, when, the text, the version it was based on).
  Findings, recommendations and the terms of reference are pulled in from their records
  by the sections of those kinds, never retyped.
- ``SectionDraft`` — a person's unsaved work on a section, autosaved (htmx) so a session
  that times out loses nothing; not a version until it is saved.
- ``ReportSnapshot`` / ``SnapshotPart`` — a named draft of the whole report ("v3 for
  panel") frozen as it stood: each part keeps its text with the records it pulled in, so
  later edits never change it. Panel members read only snapshots shared with the panel.
- ``ReportComment`` — a panel member's comment on a shared snapshot, anchored to a part;
  the reviewer resolves it.
- ``SignOffSubmission`` / ``Approval`` — a specific snapshot submitted for sign-off and
  each approver's approval of it; any change to the report voids them.
- ``BoardResponse`` / ``BoardResponseItem`` — the board's written response, one row per
  version, with its decision on each finding and recommendation.
- ``SignOffApprover`` / ``SignOffDesignation`` — the partnership's setting of whose approval
  sign-off needs (Working Together 2023: the three safeguarding partners, through their
  lead or delegated representatives), and the agency leads designated to give a partner's
  approval without a panel seat. A business manager sees and changes both in the app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agencies.models import Agency, User
from reviews.models.analysis import DraftRecord, DraftScopedQuerySet, Finding, Recommendation
from reviews.models.lifecycle import Review
from reviews.models.scope import panel_reader, report_access
from scr.actions import Action
from scr.history import EVERY_FIELD
from scr.text import DOCUMENT_LENGTH, NARRATIVE_LENGTH, REASON_LENGTH

__all__ = [
    "Approval",
    "BoardResponse",
    "BoardResponseItem",
    "OwnDraftQuerySet",
    "Report",
    "ReportComment",
    "ReportSection",
    "ReportSnapshot",
    "SectionDraft",
    "SectionVersion",
    "SharedScopedQuerySet",
    "SignOffApprover",
    "SignOffDesignation",
    "SignOffSubmission",
    "SnapshotPart",
]


class UnpublishedDraftQuerySet(DraftScopedQuerySet):
    """Working records (sections, drafts): the drafting team only, even once published."""

    PUBLISHED_READABLE = False


if TYPE_CHECKING:
    UnpublishedDraftManager = models.Manager.from_queryset(UnpublishedDraftQuerySet)


class SharedScopedQuerySet(DraftScopedQuerySet):
    """Records of a version shared with the panel: the drafting team sees every one; a
    panel member of the review sees those whose snapshot was shared with the panel
    (``SHARED_FIELD`` names the snapshot's "shared at" from this model)."""

    PUBLISHED_READABLE = False
    SHARED_FIELD = "snapshot__shared_with_panel_at"

    def for_user(self, user: User, action: Action = "view") -> Self:
        drafting = super().for_user(user, action)
        if action not in ("view", "view_history") or not getattr(user, "is_authenticated", False):
            return drafting
        shared = self.filter(**{f"{self.SHARED_FIELD}__isnull": False}).filter(
            panel_reader(user, "review"))
        return self.filter(Q(pk__in=drafting.values("pk")) | Q(pk__in=shared.values("pk")))


if TYPE_CHECKING:
    SharedScopedManager = models.Manager.from_queryset(SharedScopedQuerySet)


class SnapshotQuerySet(SharedScopedQuerySet):
    SHARED_FIELD = "shared_with_panel_at"


if TYPE_CHECKING:
    SnapshotManager = models.Manager.from_queryset(SnapshotQuerySet)


class ScopedHistory(DraftRecord):
    """History rows of records with a panel-wide scope, through that scope."""

    class Meta:
        abstract = True

    @classmethod
    def history_in(cls, user: User, review: models.Model) -> models.QuerySet:
        """The drafting team reads every row; a panel member the rows of shared versions."""
        access = report_access(user, review)
        if access.drafting:
            return cls.history.filter(review_id=review.pk)
        if not access.panel:
            return cls.history.none()
        # A Q: mypy's Django plugin cannot resolve the fields of an abstract model.
        visible = cls.objects.for_user(user, "view_history").filter(Q(review=review))
        return cls.history.filter(id__in=visible.values("pk"))


class Report(DraftRecord):
    """The report of one review, as a whole: its revision and the lock its writes take."""

    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="report")
    revision = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)
    last_change = models.CharField(max_length=300, blank=True,
                                   help_text="What changed last, in words.")

    objects: ClassVar[UnpublishedDraftManager[Self]] = UnpublishedDraftQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Report (revision {self.revision})"

    @classmethod
    def history_in(cls, user: User, review: models.Model) -> models.QuerySet:
        """Bookkeeping: each change is shown by the record that changed."""
        return cls.history.none()


class ReportSection(DraftRecord):
    """One section of the report, in order. Its text is its current version's."""

    class Kind(models.TextChoices):
        INTRODUCTION = "introduction", "Introduction"
        PROCESS = "process", "The process of the review"
        FAMILY_STRUCTURE = "family_structure", "Family structure"
        AGENCY_INVOLVEMENT = "agency_involvement", "Summary of agency involvement"
        DAY_IN_LIFE = "day_in_life", "A day in the life of the child"
        VOICE_OF_CHILD = "voice_of_child", "Voice of the child"
        FAMILY_ENGAGEMENT = "family_engagement", "Engagement of the family"
        KEY_EPISODES = "key_episodes", "Analysis of key episodes"
        WORKING_TOGETHER = "working_together", "Evaluation of how agencies worked together"
        FINDINGS = "findings", "Findings"
        CONCLUSIONS = "conclusions", "Conclusions"
        RECOMMENDATIONS = "recommendations", "Recommendations"
        REFERENCES = "references", "References"
        TERMS_OF_REFERENCE = "terms_of_reference", "Appendix: terms of reference"
        CUSTOM = "custom", "Added by the partnership"

    # Sections whose records are pulled in after the section's own text.
    PULLS: ClassVar[dict[str, str]] = {Kind.FINDINGS: "findings", Kind.RECOMMENDATIONS: "recommendations",
             Kind.TERMS_OF_REFERENCE: "terms"}

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="report_sections")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField()
    current = models.ForeignKey("SectionVersion", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+",
                                help_text="The latest saved version.")
    withdrawn = models.BooleanField(default=False)

    objects: ClassVar[UnpublishedDraftManager[Self]] = UnpublishedDraftQuerySet.as_manager()

    class Meta:
        ordering = ["review", "position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def version_number(self) -> int:
        return self.current.number if self.current_id and self.current else 0

    @property
    def pulls(self) -> str:
        return self.PULLS.get(self.kind, "")


class SectionVersion(DraftRecord):
    """One save of one section: never changed afterwards."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="section_versions")
    section = models.ForeignKey(ReportSection, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField(blank=True, max_length=DOCUMENT_LENGTH)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    objects: ClassVar[UnpublishedDraftManager[Self]] = UnpublishedDraftQuerySet.as_manager()

    class Meta:
        ordering = ["section", "-number"]
        constraints = [models.UniqueConstraint(fields=["section", "number"],
                                               name="one_section_version_number")]

    def __str__(self) -> str:
        return f"Version {self.number}"


class OwnDraftQuerySet(UnpublishedDraftQuerySet):
    """An autosave is its author's alone: the editor shows each person their own unsaved
    work and no one else's, so no one else reads it (or its history), managers included."""

    def for_user(self, user: User, action: Action = "view") -> Self:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return super().for_user(user, action).filter(author=user)


class SectionDraft(DraftRecord):
    """Unsaved work on a section by one person, autosaved while they type."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="+")
    section = models.ForeignKey(ReportSection, on_delete=models.PROTECT, related_name="drafts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    base_version = models.PositiveIntegerField()
    body = models.TextField(blank=True, max_length=DOCUMENT_LENGTH)
    saved_at = models.DateTimeField(default=timezone.now)

    objects = OwnDraftQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        constraints = [models.UniqueConstraint(fields=["section", "author"],
                                               name="one_draft_per_section_and_author")]

    def __str__(self) -> str:
        return f"Unsaved draft of {self.section_id}"

    @classmethod
    def history_in(cls, user: User, review: models.Model) -> models.QuerySet:
        """Autosaves are work in progress: the History page shows the saved versions."""
        return cls.history.none()


class ReportSnapshot(ScopedHistory):
    """A named version of the whole report, frozen when it was taken."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="report_snapshots")
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=100, help_text="For example “v3 for panel”.")
    revision = models.PositiveIntegerField(help_text="The report's revision it froze.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    shared_with_panel_at = models.DateTimeField(null=True, blank=True)
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")

    objects: ClassVar[SnapshotManager[Self]] = SnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["review", "-number"]
        constraints = [models.UniqueConstraint(fields=["review", "number"],
                                               name="one_snapshot_number")]

    def __str__(self) -> str:
        return f"Version {self.number}: {self.name}"


class SnapshotPart(ScopedHistory):
    """One section of a snapshot, with the records it pulled in, as it stood."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="+")
    snapshot = models.ForeignKey(ReportSnapshot, on_delete=models.PROTECT, related_name="parts")
    section = models.ForeignKey(ReportSection, on_delete=models.PROTECT, related_name="+")
    section_version = models.ForeignKey(SectionVersion, on_delete=models.PROTECT, null=True,
                                        blank=True, related_name="+")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Markdown, with the pulled-in records.",
                            max_length=DOCUMENT_LENGTH)

    objects: ClassVar[SharedScopedManager[Self]] = SharedScopedQuerySet.as_manager()

    class Meta:
        ordering = ["snapshot", "position"]

    def __str__(self) -> str:
        return self.title


class CommentQuerySet(SharedScopedQuerySet):
    SHARED_FIELD = "snapshot__shared_with_panel_at"


if TYPE_CHECKING:
    CommentManager = models.Manager.from_queryset(CommentQuerySet)


class ReportComment(ScopedHistory):
    """A panel member's comment on a shared version, anchored to one of its sections."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="report_comments")
    snapshot = models.ForeignKey(ReportSnapshot, on_delete=models.PROTECT,
                                 related_name="comments")
    part = models.ForeignKey(SnapshotPart, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    text = models.TextField(max_length=NARRATIVE_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    resolution = models.TextField(blank=True, help_text="What was done about it.",
                                  max_length=NARRATIVE_LENGTH)

    objects: ClassVar[CommentManager[Self]] = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["snapshot", "part__position", "created_at", "id"]

    def __str__(self) -> str:
        return f"Comment on {self.part}" if "part" in self._state.fields_cache else "Comment"


class SignOffQuerySet(SharedScopedQuerySet):
    SHARED_FIELD = "snapshot__shared_with_panel_at"


if TYPE_CHECKING:
    SignOffManager = models.Manager.from_queryset(SignOffQuerySet)


class SignOffSubmission(ScopedHistory):
    """A specific snapshot submitted for sign-off. Open while it is ``pending``; it ends
    ``approved`` (every approval given), ``returned`` (with reasons) or ``voided`` (the
    report changed after it was submitted)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting approvals"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned to the reviewer"
        VOIDED = "voided", "Voided by a later change"

    review = models.ForeignKey(Review, on_delete=models.PROTECT,
                               related_name="sign_off_submissions")
    snapshot = models.ForeignKey(ReportSnapshot, on_delete=models.PROTECT,
                                 related_name="submissions")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    outcome = models.TextField(blank=True, help_text="Why it was returned or voided.",
                               max_length=NARRATIVE_LENGTH)

    objects: ClassVar[SignOffManager[Self]] = SignOffQuerySet.as_manager()

    class Meta:
        ordering = ["review", "-submitted_at", "-id"]
        constraints = [models.UniqueConstraint(
            fields=["review"], condition=Q(status__in=["pending", "approved"]),
            name="one_live_sign_off_submission")]

    def __str__(self) -> str:
        return f"Sign-off of version {self.snapshot.number}" if (
            "snapshot" in self._state.fields_cache) else "Sign-off submission"


class ApprovalQuerySet(SharedScopedQuerySet):
    SHARED_FIELD = "submission__snapshot__shared_with_panel_at"


if TYPE_CHECKING:
    ApprovalManager = models.Manager.from_queryset(ApprovalQuerySet)


class Approval(ScopedHistory):
    """One approver's approval of a submitted version; voided (never deleted) when the
    report changes afterwards."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="approvals")
    submission = models.ForeignKey(SignOffSubmission, on_delete=models.PROTECT,
                                   related_name="approvals")
    approver_key = models.CharField(max_length=60, help_text="Whose approval (settings).")
    approver_label = models.CharField(max_length=200)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True, max_length=NARRATIVE_LENGTH)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True, max_length=REASON_LENGTH)

    objects: ClassVar[ApprovalManager[Self]] = ApprovalQuerySet.as_manager()

    class Meta:
        ordering = ["submission", "approved_at"]
        constraints = [models.UniqueConstraint(
            fields=["submission", "approver_key"], condition=Q(voided_at__isnull=True),
            name="one_live_approval_per_approver")]

    def __str__(self) -> str:
        return f"Approval: {self.approver_label}"


class BoardResponse(DraftRecord):
    """One version of the board's written response; a new version is a new row. Published
    with the report, so readable by everyone who may read a published review."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="board_responses")
    version = models.PositiveIntegerField()
    response = models.TextField(help_text="The board's response to the review (Markdown).",
                                max_length=DOCUMENT_LENGTH)
    monitoring = models.TextField(help_text="How the board will monitor the actions.",
                                  max_length=NARRATIVE_LENGTH)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review", "-version"]
        constraints = [models.UniqueConstraint(fields=["review", "version"],
                                               name="one_board_response_version")]

    def __str__(self) -> str:
        return f"Board response v{self.version}"


class BoardResponseItem(DraftRecord):
    """The board's decision on one finding or one recommendation, in one response version."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        PARTLY = "partly", "Partly accepted"
        NOT_ACCEPTED = "not_accepted", "Not accepted"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="+")
    response = models.ForeignKey(BoardResponse, on_delete=models.PROTECT, related_name="items")
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="board_decisions")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="board_decisions")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    action = models.TextField(blank=True, help_text="What the board will do.", max_length=NARRATIVE_LENGTH)

    class Meta:
        constraints = [models.CheckConstraint(
            condition=(Q(finding__isnull=False, recommendation__isnull=True)
                       | Q(finding__isnull=True, recommendation__isnull=False)),
            name="board_item_is_a_finding_or_a_recommendation")]

    def __str__(self) -> str:
        return f"Board decision: {self.get_decision_display()}"


class PartnershipSettingQuerySet(models.QuerySet[Any]):
    def for_user(self, user: User, action: Action = "view") -> Self:
        """A partnership setting, not case data: everyone signed in reads who must approve
        (the sign-off page names them); business managers change it."""
        from agencies.models.roles import Role

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if action == "view":
            return self
        if action in ("change", "manage") and user.has_role(Role.BUSINESS_MANAGER):
            return self
        return self.none()


class SignOffApprover(models.Model):
    """One approval sign-off needs (a partnership setting). Until a business manager first
    changes the list, the defaults of ``settings.REPORT_SIGN_OFF_APPROVERS`` apply (and are
    shown as such); the first change writes them here. An approver no longer needed is
    retired, never deleted: past approvals keep its key and label."""

    class Who(models.TextChoices):
        PARTNER = "partner", "A safeguarding partner's representative"
        REVIEWER = "reviewer", "The review's independent reviewer"
        BUSINESS_MANAGER = "business_manager", "A business manager"

    key = models.SlugField(max_length=60, unique=True)
    label = models.CharField(max_length=200, help_text="As the sign-off page names it.")
    who = models.CharField(max_length=20, choices=Who.choices)
    agency_kind = models.CharField(max_length=40, choices=Agency.Kind.choices, blank=True,
                                   help_text="For a partner: which kind of agency speaks for it.")
    position = models.PositiveIntegerField(default=0)
    retired = models.BooleanField(default=False, help_text="No longer needed for sign-off.")

    objects = PartnershipSettingQuerySet.as_manager()
    history = HistoricalRecords()
    history_fields = EVERY_FIELD  # its page shows every field to whoever may read it (scr.history)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.CheckConstraint(
            condition=Q(who="partner", agency_kind__gt="") | (~Q(who="partner") & Q(agency_kind="")),
            name="sign_off_partner_names_its_agency_kind")]

    def __str__(self) -> str:
        return self.label


class SignOffDesignation(models.Model):
    """An agency lead designated to give a partner's approval (its lead or a delegated
    representative), on every review whose version they may read, without a panel seat.
    Ended (with who and why), never deleted."""

    approver = models.ForeignKey(SignOffApprover, on_delete=models.PROTECT,
                                 related_name="designations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="sign_off_designations")
    designated_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True, max_length=REASON_LENGTH)

    objects = PartnershipSettingQuerySet.as_manager()
    history = HistoricalRecords()
    history_fields = EVERY_FIELD  # its page shows every field to whoever may read it (scr.history)

    class Meta:
        ordering = ["approver", "designated_at"]
        constraints = [models.UniqueConstraint(
            fields=["approver", "user"], condition=Q(ended_at__isnull=True),
            name="one_live_designation_per_person")]

    def __str__(self) -> str:
        return f"{self.user} for {self.approver}" if (
            "approver" in self._state.fields_cache) else "Sign-off designation"
