"""The multi-agency chronology: each agency's dated entries, their submission, and the
reviewer's episodes (DOMAIN.md, stages 5 and 6).

An agency's lead enters (or imports) entries as drafts private to the agency; submitting
the agency's chronology (``services.chronology_submit``) fixes them and puts them in the
merged chronology that the business manager, the review's reviewer and its panel read.
Who sees what is ``ChronologyEntryQuerySet.for_user`` (docs/chronology.md).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from agencies.models import Agency, User
from reviews.models.base import ReviewRecord, ReviewScopedQuerySet
from reviews.models.evidence import EvidenceRequest
from reviews.models.lifecycle import Review
from reviews.models.scope import direct_grant_reviews
from scr.actions import Action
from scr.text import NARRATIVE_LENGTH

if TYPE_CHECKING:
    from scr.access import ScopedManager

__all__ = [
    "ChronologyEntry",
    "ChronologyEntryQuerySet",
    "ChronologySubmission",
    "ChronologySubmissionQuerySet",
    "Episode",
    "EpisodeQuerySet",
    "NarrowHistory",
    "ScopeBounds",
    "merged_chronology_reviews",
]


def merged_chronology_reviews(user: User, action: Action = "view") -> models.QuerySet:
    """Reviews whose merged chronology ``user`` reads: every review for a business manager;
    for the review's own reviewer and panel members (a direct appointment grant), the
    reviews they are appointed to. Never a board member, never an agency lead as such."""
    from agencies.models.roles import Role
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Review.objects.none()
    if user.has_role(Role.BUSINESS_MANAGER):
        return Review.objects.all()
    mapped: Action = "view_history" if action == "view_history" else (
        "view_identifiable" if action == "view_identifiable" else "view")
    return Review.objects.for_user(user, mapped).filter(pk__in=direct_grant_reviews(user))


def _own_agencies(user: User) -> set[int]:
    from agencies.models.roles import Role

    return user.agency_ids(Role.AGENCY_LEAD)


class NarrowHistory:
    """For a record whose scope is narrower than its review's: the review's History page
    shows only the versions of records the reader may see (``for_user(user,
    "view_history")``), as evidence requests do."""

    if TYPE_CHECKING:  # mixed into ReviewRecord subclasses, which have both
        objects: ClassVar[ScopedManager[Any]]
        history: ClassVar[Any]  # simple-history's manager (untyped)

    @classmethod
    def history_in(cls, user: User, review: models.Model) -> models.QuerySet:
        visible = cls.objects.for_user(user, "view_history").filter(
            review=review)
        return cls.history.filter(id__in=visible.values("pk"))


class ChronologyEntryQuerySet(ReviewScopedQuerySet):
    def for_user(self, user: User, action: Action = "view") -> Self:
        """- ``view``/``view_history``/``view_identifiable``: an agency lead reads their own
          agency's entries (drafts too) in reviews their agency is involved in; the business
          manager, the review's reviewer and panel read every agency's *submitted* entries.
        - ``manage``: the agency's lead edits, withdraws, submits or corrects their own.
        - ``change``: the reviewer's analysis of submitted entries (key practice episodes,
          episodes): the business manager and the review's appointed reviewer.
        Board members never see an entry."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if action == "change":
            return self.filter(status=ChronologyEntry.Status.SUBMITTED,
                               review__in=Review.objects.for_user(user, "change").values("pk"))
        own = _own_agencies(user)
        own_q = Q(agency_id__in=own, review__in=Review.objects.for_user(
            user, "view_history" if action == "view_history" else "view").values("pk"))
        if action == "manage":
            return self.filter(own_q) if own else self.none()
        if action not in ("view", "view_history", "view_identifiable"):
            return self.none()
        merged = Q(status=ChronologyEntry.Status.SUBMITTED,
                   review__in=merged_chronology_reviews(user, action).values("pk"))
        return self.filter(merged | own_q) if own else self.filter(merged)


if TYPE_CHECKING:
    ChronologyEntryManager = models.Manager.from_queryset(ChronologyEntryQuerySet)


class ChronologySubmissionQuerySet(ReviewScopedQuerySet):
    def for_user(self, user: User, action: Action = "view") -> Self:
        """Read as the entries are: the merged chronology's readers (business manager, the
        review's reviewer and panel) every agency's submissions; an agency's leads only
        their own agency's. Board members never. Anything else: the review's rule."""
        if action not in ("view", "view_history", "view_identifiable"):
            return super().for_user(user, action)
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        merged = Q(review__in=merged_chronology_reviews(user, action).values("pk"))
        own = _own_agencies(user)
        if not own:
            return self.filter(merged)
        return self.filter(merged | Q(agency_id__in=own, review__in=Review.objects.for_user(
            user, "view_history" if action == "view_history" else "view").values("pk")))


class ChronologySubmission(ReviewRecord):  # scope: as the entries' (counts, no text)
    """One agency submitting its chronology: the draft entries it fixed, when and by whom."""

    HISTORY_AGENCY_FIELD = "agency"

    review = models.ForeignKey(Review, on_delete=models.PROTECT,
                               related_name="chronology_submissions")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    evidence_request = models.ForeignKey(EvidenceRequest, on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="chronology_submissions")
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    entries_count = models.PositiveIntegerField()

    objects = ChronologySubmissionQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"Chronology from {self.agency}: {self.entries_count} entries"


class EpisodeQuerySet(ReviewScopedQuerySet):
    def for_user(self, user: User, action: Action = "view") -> Self:
        """Episodes are the reviewer's analysis of the merged chronology: read by whoever
        reads it, made by the business manager and the review's reviewer."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if action in ("change", "manage"):
            return self.filter(review__in=Review.objects.for_user(user, "change").values("pk"))
        if action in ("view", "view_history", "view_identifiable"):
            return self.filter(review__in=merged_chronology_reviews(user, action).values("pk"))
        return self.none()


if TYPE_CHECKING:
    EpisodeManager = models.Manager.from_queryset(EpisodeQuerySet)


class Episode(NarrowHistory, ReviewRecord):
    """A key practice episode: submitted entries grouped under a title by the reviewer."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="episodes")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=NARRATIVE_LENGTH)
    withdrawn = models.BooleanField(default=False)

    objects: ClassVar[EpisodeManager[Self]] = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["review", "id"]

    def __str__(self) -> str:
        return self.title


class ChronologyEntry(NarrowHistory, ReviewRecord):
    """One dated event in one agency's chronology. Names of practitioners are never
    recorded: their role is ("Health visitor", "Duty social worker")."""

    HISTORY_AGENCY_FIELD = "agency"

    class Significance(models.TextChoices):
        ROUTINE = "routine", "Routine"
        SIGNIFICANT = "significant", "Significant"
        KEY = "key", "Key practice episode"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="chronology")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    evidence_request = models.ForeignKey(EvidenceRequest, on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="chronology_entries")
    occurred_on = models.DateField("date")
    occurred_at = models.TimeField("time", null=True, blank=True,
                                   help_text="Where known. An entry without a time comes "
                                             "before the timed entries of its day.")
    source = models.CharField(max_length=300, help_text="The document or record it comes "
                                                        "from, e.g. 'Custody record 12/345'.")
    what_happened = models.TextField(max_length=NARRATIVE_LENGTH)
    practitioner_role = models.CharField(max_length=150)
    child_seen = models.BooleanField()
    significance = models.CharField(max_length=20, choices=Significance.choices,
                                    default=Significance.ROUTINE)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    submission = models.ForeignKey(ChronologySubmission, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="entries")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="entries")
    withdrawn = models.BooleanField(default=False)

    objects: ClassVar[ChronologyEntryManager[Self]] = ChronologyEntryQuerySet.as_manager()
    # Not a field: set on the entry a chronology service returns (dates outside the scope).
    warnings: list[str]

    class Meta:
        verbose_name_plural = "chronology entries"
        # Date order; a date-only entry before the timed entries of its day.
        ordering = ["occurred_on", F("occurred_at").asc(nulls_first=True), "agency_id", "id"]
        indexes = [
            # The merged chronology's rows in date order (partial: never the withdrawn). Not
            # "NULLS FIRST" in the index itself: SQLite, the embedded default, refuses it.
            models.Index(fields=["review", "status", "occurred_on", "occurred_at"],
                         condition=Q(withdrawn=False), name="chronology_merged_order"),
            models.Index(fields=["review", "agency", "status"], name="chronology_agency"),
        ]

    def __str__(self) -> str:
        when = f"{self.occurred_on:%-d %b %Y}" if self.occurred_on else "undated"
        return f"{self.agency_id and self.agency} entry, {when}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    # The reviewer's analysis of a submitted entry, which an agency's own page never shows.
    ANALYSIS_FIELDS: ClassVar[frozenset[str]] = frozenset({"episode"})
    MARKED_FIELDS: ClassVar[frozenset[str]] = frozenset({"significance"})

    @classmethod
    def history_fields(cls, reader: Any, version: Any) -> frozenset[str] | None:
        """The merged chronology's readers see every field. Anyone else reads the entry only
        as its agency's lead, on the agency's own page: what the agency wrote, never the
        reviewer's analysis (the episode it is grouped in, whose title names it; the
        significance once the entry is submitted, which is the reviewer's to mark)."""
        memo = getattr(reader, "_merged_chronology", None)
        if memo is None:
            memo = reader._merged_chronology = {}
        review_id = version.review_id
        if review_id not in memo:
            memo[review_id] = merged_chronology_reviews(reader).filter(pk=review_id).exists()
        if memo[review_id]:
            return None
        hidden = cls.ANALYSIS_FIELDS | (
            cls.MARKED_FIELDS if version.status == cls.Status.SUBMITTED else frozenset())
        return frozenset(f.name for f in cls._meta.concrete_fields) - hidden


class ScopeBounds:
    """The dates a review's chronology may hold, and the terms of reference's scope period.

    Refused (the review cannot be about it): an entry after the day the local authority
    became aware (what follows is the review's own process, recorded in its stages and
    parallel processes) or more than ``CHRONOLOGY_LOOKBACK_YEARS`` before the incident.
    Warned, not refused: outside the latest terms of reference's scope period (agencies
    often add a relevant event just before it; the reviewer decides).
    """

    def __init__(self, review: Review) -> None:
        years = settings.CHRONOLOGY_LOOKBACK_YEARS
        incident = review.incident_date
        self.earliest = _years_before(incident, years)
        self.latest = review.aware_date
        terms = review.terms.order_by("-version").values_list("scope_start", "scope_end").first()
        self.scope_start: date | None = terms[0] if terms else None
        self.scope_end: date | None = terms[1] if terms else None

    def error(self, day: date) -> str:
        if day > self.latest:
            return (f"The date must be on or before {self.latest:%-d %B %Y}, the day the local "
                    "authority became aware: later events are not part of the chronology")
        if day < self.earliest:
            return (f"The date must be on or after {self.earliest:%-d %B %Y} "
                    f"({settings.CHRONOLOGY_LOOKBACK_YEARS} years before the incident)")
        return ""

    def warning(self, day: date) -> str:
        if self.scope_start and self.scope_end and not self.scope_start <= day <= self.scope_end:
            return (f"{day:%-d %B %Y} is outside the terms of reference's scope period "
                    f"({self.scope_start:%-d %B %Y} to {self.scope_end:%-d %B %Y})")
        return ""


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28) - timedelta(days=0)
