"""Analysis (DOMAIN.md stage 6): themes, findings traced to evidence, recommendations.

- ``Theme`` — the partnership's list of themes (information sharing, early help, …),
  managed by business managers; a theme in use is retired, never deleted.
- ``Finding`` — one finding in the systems style: a short statement, why it matters
  beyond this case, its themes, the key lines of enquiry it answers and the earlier
  published findings it repeats (learning across reviews).
- ``FindingEvidence`` — one link from a finding to the evidence it rests on. Today a
  link names an evidence request (the agency's IMR and chronology) and/or a free source
  reference; the chronology, episode, agency-report and meeting models are being built
  elsewhere, and the integrator adds their foreign keys here (docs/report.md, "the
  evidence seam"): ``kind`` already says which one a link is.
- ``Recommendation`` — addressed to an agency or the partnership, tied to one or more
  findings (the service refuses one with none), with its scope and the outcome expected.
  Action plans (issue 13) build on it.

Findings and recommendations are part of the draft report: until the review is published
only the drafting team (the appointed reviewer and business managers) sees them
(``DraftScopedQuerySet``); once published, everyone with identifiable access to the review
does (never the board: the text holds real names until it is pseudonymised for print).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from agencies.models import Agency, User
from reviews.models.base import ReviewRecord, ReviewScopedQuerySet
from reviews.models.chronology import ChronologyEntry, Episode
from reviews.models.evidence import EvidenceRequest, EvidenceSubmission
from reviews.models.lifecycle import Review
from reviews.models.meetings import Meeting
from reviews.models.scope import report_access
from scr.actions import Action
from scr.history import EVERY_FIELD
from scr.text import DESCRIPTION_LENGTH, NARRATIVE_LENGTH

__all__ = [
    "DraftRecord",
    "DraftScopedQuerySet",
    "Finding",
    "FindingEvidence",
    "Recommendation",
    "Theme",
    "ThemeQuerySet",
]


class DraftScopedQuerySet(ReviewScopedQuerySet):
    """Records of a draft report: the drafting team only (the review's ``change`` scope:
    its appointed reviewer, and business managers). Never agency leads, never the board;
    panel members read drafts only through the versions shared with them. Once the review
    is published (``PUBLISHED_READABLE``), anyone with identifiable access to the review
    reads them (agency leads, for their action plans; never the board)."""

    review_action: dict[str, Action] = {
        "view": "change", "change": "change", "manage": "manage",
        "view_history": "change", "view_identifiable": "change"}
    PUBLISHED_READABLE: ClassVar[bool] = True

    def for_user(self, user: User, action: Action = "view") -> Self:
        drafting = super().for_user(user, action)
        if action != "view" or not self.PUBLISHED_READABLE:
            return drafting
        field = getattr(self.model, "REVIEW_FIELD", "review")
        # Published text still holds real names (it is pseudonymised when rendered for
        # publication), so only those with identifiable access read the records.
        published = Review.objects.for_user(user, "view_identifiable").filter(
            published_on__isnull=False)
        return self.filter(Q(pk__in=drafting.values("pk"))
                           | Q(**{f"{field}__in": published.values("pk")}))


if TYPE_CHECKING:
    DraftScopedManager = models.Manager.from_queryset(DraftScopedQuerySet)


def _drafting_history(cls: type[ReviewRecord], user: User, review: models.Model) -> models.QuerySet:
    """History rows of a draft record: only for the drafting team (the review's History page
    is also open to panel members and involved agencies' leads). Who drafts is worked out
    once per request (``reviews.reportaccess``), so the rows are one plain query."""
    if not report_access(user, review).drafting:
        return cls.history.none()
    return cls.history.filter(**{f"{cls.REVIEW_FIELD}_id": review.pk})


class DraftRecord(ReviewRecord):
    """A record of the draft: drafting-team scope and history."""

    objects: ClassVar[DraftScopedManager[Self]] = DraftScopedQuerySet.as_manager()  # narrower than the base

    class Meta:
        abstract = True

    @classmethod
    def history_in(cls, user: User, review: models.Model) -> models.QuerySet:
        return _drafting_history(cls, user, review)


class ThemeQuerySet(models.QuerySet["Theme"]):
    def for_user(self, user: User, action: Action = "view") -> ThemeQuerySet:
        """Theme names are not case data: anyone signed in reads them (the board's
        recurring themes too); business managers manage the list."""
        from agencies.models.roles import Role

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if action in ("view", "aggregate"):
            return self
        if action in ("change", "manage") and user.has_role(
                Role.BUSINESS_MANAGER):
            return self
        return self.none()

    def current(self) -> ThemeQuerySet:
        return self.filter(retired=False)


class Theme(models.Model):
    """A theme of findings, from the partnership's list (DOMAIN.md defaults, seeded by a
    data migration). A theme in use is retired rather than deleted: findings keep it."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True, max_length=DESCRIPTION_LENGTH)
    position = models.PositiveIntegerField(default=0, help_text="Order in lists.")
    retired = models.BooleanField(default=False,
                                  help_text="No longer offered for new findings.")

    objects = ThemeQuerySet.as_manager()
    history = HistoricalRecords()
    history_fields = EVERY_FIELD  # its page shows every field to whoever may read it (scr.history)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Finding(DraftRecord):
    """A finding in the systems style (SCIE Learning Together): what about the system made
    this practice likely, and why it matters beyond this case."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="findings")
    number = models.PositiveIntegerField(help_text="Finding 1, 2, … in the report.")
    title = models.CharField(max_length=200, help_text="A short statement of the finding.")
    statement = models.TextField(help_text="The finding (Markdown).", max_length=NARRATIVE_LENGTH)
    why_it_matters = models.TextField(
        help_text="Why it matters beyond this case: how widespread, what it risks.",
                                      max_length=NARRATIVE_LENGTH)
    themes = models.ManyToManyField(Theme, related_name="findings", blank=True)
    # The key lines of enquiry (TermsOfReference.key_lines_of_enquiry, one per line) this
    # finding answers, as the terms word them (reviews.selectors.analysis.key_lines).
    lines_of_enquiry = models.JSONField(default=list, blank=True)
    # Learning across reviews: earlier published findings this one repeats.
    repeats = models.ManyToManyField("self", symmetrical=False, related_name="repeated_by",
                                     blank=True)
    withdrawn = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    _history_m2m_fields = ["themes", "repeats"]

    class Meta:
        ordering = ["review", "number"]
        constraints = [models.UniqueConstraint(fields=["review", "number"],
                                               name="one_finding_number")]

    def __str__(self) -> str:
        return f"Finding {self.number}: {self.title}"


class FindingEvidence(DraftRecord):
    """One piece of evidence a finding rests on.

    ``kind`` says what is linked; the target is one of the review's key practice episodes,
    chronology entries, submitted agency reports (a version: drafts are the agency's own),
    meetings or evidence requests, and/or ``source_reference`` (e.g. "Police chronology,
    14 March 2024"). The target's own page lists the findings that cite it
    (``finding_links``)."""

    # The foreign key each kind names (``other`` names none: its source reference says it).
    TARGETS: ClassVar[dict[str, str]] = {
        "episode": "episode", "chronology_entry": "chronology_entry",
        "agency_report": "agency_report", "meeting": "meeting",
        "evidence_request": "evidence_request"}

    class Kind(models.TextChoices):
        EPISODE = "episode", "Key practice episode"
        CHRONOLOGY_ENTRY = "chronology_entry", "Chronology entry"
        AGENCY_REPORT = "agency_report", "Agency report (IMR)"
        MEETING = "meeting", "Meeting notes"
        EVIDENCE_REQUEST = "evidence_request", "Evidence from an agency"
        OTHER = "other", "Other source"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="finding_evidence")
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="evidence_links")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    evidence_request = models.ForeignKey(EvidenceRequest, on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="finding_links")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="finding_links")
    chronology_entry = models.ForeignKey(ChronologyEntry, on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="finding_links")
    agency_report = models.ForeignKey(EvidenceSubmission, on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="finding_links")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="finding_links")
    source_reference = models.CharField(
        max_length=300, blank=True,
        help_text="Where in the evidence: for example “Police chronology, 14 March 2024”.")
    note = models.TextField(blank=True, help_text="What this evidence shows.", max_length=NARRATIVE_LENGTH)
    withdrawn = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Not a field: set for a page by ``selectors.findings_for_page`` (may the reader open
    # the linked record itself?).
    readable: bool

    class Meta:
        ordering = ["finding", "created_at", "id"]
        verbose_name_plural = "finding evidence"
        constraints = [models.CheckConstraint(
            condition=~Q(evidence_request__isnull=True, episode__isnull=True,
                         chronology_entry__isnull=True, agency_report__isnull=True,
                         meeting__isnull=True, source_reference=""),
            name="finding_evidence_names_a_source")]

    def __str__(self) -> str:
        target = self.target
        return f"{self.get_kind_display()}: {self.source_reference or target or 'evidence'}"

    @property
    def target(self) -> models.Model | None:
        """The record this link names, if any (the kind's own foreign key first)."""
        names = [self.TARGETS.get(self.kind, ""), *self.TARGETS.values()]
        return next((getattr(self, n) for n in names if n and getattr(self, f"{n}_id")), None)


class Recommendation(DraftRecord):
    """A recommendation, tied to the findings it answers (at least one: the service
    refuses one with none), addressed to one agency or to the partnership."""

    class Addressee(models.TextChoices):
        PARTNERSHIP = "partnership", "The safeguarding partnership"
        AGENCY = "agency", "An agency"

    class Scope(models.TextChoices):
        LOCAL = "local", "Local"
        REGIONAL = "regional", "Regional"
        NATIONAL = "national", "National"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="recommendations")
    number = models.PositiveIntegerField(help_text="Recommendation 1, 2, … in the report.")
    text = models.TextField(help_text="The recommendation.", max_length=NARRATIVE_LENGTH)
    findings = models.ManyToManyField(Finding, related_name="recommendations")
    addressee = models.CharField(max_length=20, choices=Addressee.choices,
                                 default=Addressee.PARTNERSHIP)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="recommendations",
                               help_text="The agency it is addressed to, if not the partnership.")
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.LOCAL)
    outcome_expected = models.TextField(
        help_text="The outcome expected: what will be different for children, and how "
                  "anyone will know.", max_length=NARRATIVE_LENGTH)
    withdrawn = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    _history_m2m_fields = ["findings"]

    class Meta:
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"],
                                    name="one_recommendation_number"),
            models.CheckConstraint(
                condition=(Q(addressee="agency", agency__isnull=False)
                           | Q(addressee="partnership", agency__isnull=True)),
                name="recommendation_addressee_matches_agency"),
        ]

    def __str__(self) -> str:
        return f"Recommendation {self.number}"

    @property
    def addressed_to(self) -> str:
        return str(self.agency) if self.agency_id else self.Addressee.PARTNERSHIP.label
