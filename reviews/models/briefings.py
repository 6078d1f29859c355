"""Learning briefings (7-minute briefings, DOMAIN.md stage 11): a short learning summary of a
published review, drafted from its findings and recommendations, published through the one
publication path (anonymise → check → render → leak check → publish), sent to chosen
agencies, whose leads record how it was shared and how many practitioners it reached.

- ``Briefing`` — the five sections as written (real names possible: they are anonymised on
  the way out), its status, and once published the PDF copy (never changed afterwards, its
  SHA-256 checked on every download) with the published text.
- ``BriefingRecipient`` — an agency the briefing was sent to (its leads were told).
- ``Dissemination`` — one agency's record of sharing it: when, how, how many practitioners.
- ``BriefingFeedback`` — a practitioner's feedback, anonymous as learning-event feedback is
  (``meetings.AnonymousFeedback``: no author in it nor in its history).

Drafts are the drafting team's (the review's ``change`` scope); a published briefing is read
by every signed-in person, in the library, as a published report is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agencies.models import Agency, User
from reviews.models.base import ReviewRecord, ReviewScopedQuerySet
from reviews.models.lifecycle import Review
from reviews.models.meetings import AnonymousFeedback, no_author
from scr.actions import Action
from scr.history import EVERY_FIELD
from scr.models import RenderRecord
from scr.text import NARRATIVE_LENGTH, PUBLISHED_TEXT_LENGTH, REASON_LENGTH

__all__ = [
    "BRIEFING_KIND",
    "BRIEFING_SECTIONS",
    "Briefing",
    "BriefingFeedback",
    "BriefingRecipient",
    "Dissemination",
]

BRIEFING_KIND = "reviews.briefing_published"

# (field, heading) in the order the briefing prints them.
BRIEFING_SECTIONS: tuple[tuple[str, str], ...] = (
    ("background", "Background"),
    ("why_it_matters", "Why it matters"),
    ("what_we_found", "What we found"),
    ("what_to_do", "What to do"),
    ("questions", "Questions for teams"),
)


def _is_manager(user: User) -> bool:
    from agencies.models.roles import Role

    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.BUSINESS_MANAGER))


class BriefingQuerySet(ReviewScopedQuerySet):
    """Drafts: the drafting team (the review's ``change`` scope). Published briefings: every
    signed-in, active person reads them (the library); withdrawn ones business managers only."""

    def for_user(self, user: User, action: Action = "view") -> Self:
        if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
            return self.none()
        drafting = Review.objects.for_user(user, "change").values("pk")
        if action in ("view", "download"):
            if _is_manager(user):
                return self.all()
            return self.filter(Q(review__in=drafting) | Q(status=Briefing.Status.PUBLISHED))
        if action in ("change", "view_history"):
            return self.filter(review__in=drafting)
        if action == "manage":
            return self.all() if _is_manager(user) else self.none()
        return self.none()


if TYPE_CHECKING:
    BriefingManager = models.Manager.from_queryset(BriefingQuerySet)


class Briefing(ReviewRecord):
    """A learning briefing of one published review."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="briefings")
    title = models.CharField(max_length=200)
    background = models.TextField(blank=True, max_length=NARRATIVE_LENGTH)
    why_it_matters = models.TextField(blank=True, max_length=NARRATIVE_LENGTH)
    what_we_found = models.TextField(blank=True, max_length=NARRATIVE_LENGTH)
    what_to_do = models.TextField(blank=True, max_length=NARRATIVE_LENGTH)
    questions = models.TextField(blank=True, max_length=NARRATIVE_LENGTH)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Once published: the copy of the clean render, never changed.
    render = models.ForeignKey(RenderRecord, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    file = models.FileField(upload_to="briefings/%Y/", max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    text = models.TextField(blank=True, max_length=PUBLISHED_TEXT_LENGTH,
                            help_text="The published (anonymised) text, read from the PDF.")
    published_on = models.DateField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    withdrawal_reason = models.TextField(blank=True, max_length=REASON_LENGTH)

    objects: ClassVar[BriefingManager[Self]] = BriefingQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class BriefingRecordQuerySet(ReviewScopedQuerySet):
    """Recipients and dissemination records: business managers and the review's drafting
    team read them all; an agency's lead reads (and, for a recipient agency, records) their
    own agency's, of a published briefing."""

    def for_user(self, user: User, action: Action = "view") -> Self:
        from agencies.models.roles import Role

        if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
            return self.none()
        if _is_manager(user):
            return self.all()
        drafting = Review.objects.for_user(user, "change").values("pk")
        own = Q(agency_id__in=user.agency_ids(Role.AGENCY_LEAD),
                briefing__status=Briefing.Status.PUBLISHED)
        if action in ("view", "view_history"):
            return self.filter(Q(review__in=drafting) | own)
        if action in ("change", "manage"):
            return self.filter(own)
        return self.none()


if TYPE_CHECKING:
    BriefingRecordManager = models.Manager.from_queryset(BriefingRecordQuerySet)


class BriefingRecipient(ReviewRecord):
    """An agency a published briefing was sent to."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="+")
    briefing = models.ForeignKey(Briefing, on_delete=models.PROTECT, related_name="recipients")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[BriefingRecordManager[Self]] = BriefingRecordQuerySet.as_manager()

    class Meta:
        ordering = ["briefing", "agency__name"]
        constraints = [models.UniqueConstraint(fields=["briefing", "agency"],
                                               name="briefing_sent_once_per_agency")]

    def __str__(self) -> str:
        return f"Briefing sent to {self.agency}"


class Dissemination(ReviewRecord):
    """How a recipient agency shared a briefing with its practitioners."""

    class How(models.TextChoices):
        TEAM_MEETING = "team_meeting", "Team meeting"
        TRAINING = "training", "Training"
        EMAIL = "email", "E-mail"
        OTHER = "other", "Another way"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="+")
    briefing = models.ForeignKey(Briefing, on_delete=models.PROTECT,
                                 related_name="disseminations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    shared_on = models.DateField()
    how = models.CharField(max_length=20, choices=How.choices)
    practitioners_reached = models.PositiveIntegerField()
    notes = models.TextField(blank=True, max_length=NARRATIVE_LENGTH)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn = models.BooleanField(default=False)

    objects: ClassVar[BriefingRecordManager[Self]] = BriefingRecordQuerySet.as_manager()

    class Meta:
        ordering = ["briefing", "shared_on", "id"]

    def __str__(self) -> str:
        return f"Briefing shared by {self.agency} ({self.get_how_display()})"


class BriefingFeedbackQuerySet(ReviewScopedQuerySet):
    """Feedback on a briefing: read by whoever may read the briefing's dissemination records
    of the whole review (managers, the drafting team); given by anyone who reads it."""

    def for_user(self, user: User, action: Action = "view") -> Self:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if _is_manager(user):
            return self.all()
        if action in ("view", "view_history"):
            return self.filter(review__in=Review.objects.for_user(user, "change").values("pk"))
        return self.none()


class BriefingFeedback(AnonymousFeedback):
    """A practitioner's feedback on a briefing: anonymous unless they chose to be named."""

    REVIEW_FIELD: ClassVar[str] = "review"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="+")
    briefing = models.ForeignKey(Briefing, on_delete=models.PROTECT, related_name="feedback")

    objects = BriefingFeedbackQuerySet.as_manager()
    history = HistoricalRecords(get_user=no_author)
    history_fields = EVERY_FIELD

    class Meta:
        ordering = ["briefing", "id"]

    def __str__(self) -> str:
        return "Briefing feedback"
