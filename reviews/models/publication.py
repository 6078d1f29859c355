"""Publication (DOMAIN.md stage 9): the leak check of each anonymised render, the
business manager's waivers, the publication record and the takedown-review decisions.

- ``LeakCheck`` — one per anonymised render (``scr.models.RenderRecord`` of kind
  ``reviews.report_published``): the text read back from the PDF itself, how many pages,
  the error if the PDF could not be read (then it is not publishable), and the day this
  PDF was sent to the national Panel (``panel_notified_on``): the notice is recorded
  against the PDF itself, and only a PDF the Panel was sent is published.
- ``LeakHit`` — one identifier or piece of personal data found in that PDF, with its page
  and context. Open, it blocks publication; a business manager may waive it with a reason
  (re-authenticated; the waiver is in the history).
- ``Publication`` — the published report: a copy of the clean (or waived) render's PDF,
  never changed afterwards, with its SHA-256 (checked on every download), the date, the
  board's response it was published with and the takedown-review date. Withdrawn from the
  library with a reason, never deleted.
- ``TakedownDecision`` — the business manager's decision once a publication reaches its
  takedown-review date: keep it (with the next review date) or withdraw it.
- ``FormDecision`` — a reviewer's decision about a name the anonymiser left undecided (an
  uncertain or skipped form of the approved version): whose it is (the anonymiser then
  replaces it with that person's pseudonym) or that it is nobody's name, with a reason.
- ``PublicName`` — a person this review's published report names on purpose (beside the
  partnership's ``PUBLIC_NAMES`` and the appointed reviewer): the leak check allows it.

The leak-check records hold real names (what leaked), so only the drafting team and the
review's panel read them; publications are read by every signed-in person, through the
library, and only while published.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from agencies.models import User
from reviews.models.analysis import DraftRecord, DraftScopedQuerySet
from reviews.models.base import ReviewRecord, ReviewScopedQuerySet
from reviews.models.lifecycle import Review
from reviews.models.register import Subject
from reviews.models.report import BoardResponse, ReportSnapshot
from reviews.models.scope import panel_reader
from scr.actions import Action
from scr.anonymise.register import decision_key
from scr.models import RenderRecord
from scr.text import DESCRIPTION_LENGTH, PUBLISHED_TEXT_LENGTH, REASON_LENGTH

__all__ = [
    "DismissedName",
    "FormDecision",
    "LeakCheck",
    "LeakHit",
    "PublicName",
    "Publication",
    "PublicationTeamQuerySet",
    "TakedownDecision",
]

PUBLISHED_KIND = "reviews.report_published"
CONFIDENTIAL_KIND = "reviews.report_confidential"


class PublicationTeamQuerySet(DraftScopedQuerySet):
    """The drafting team (manager, the review's reviewer) and the review's panel."""

    PUBLISHED_READABLE = False

    def for_user(self, user: User, action: Action = "view") -> Self:
        drafting = super().for_user(user, action)
        if action not in ("view", "view_history") or not getattr(user, "is_authenticated", False):
            return drafting
        panel = self.filter(panel_reader(user, "review"))
        return self.filter(Q(pk__in=drafting.values("pk")) | Q(pk__in=panel.values("pk")))


if TYPE_CHECKING:
    PublicationTeamManager = models.Manager.from_queryset(PublicationTeamQuerySet)


class LeakCheck(DraftRecord):
    """The leak check of one anonymised render."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="leak_checks")
    render = models.OneToOneField(RenderRecord, on_delete=models.PROTECT, related_name="+")
    snapshot = models.ForeignKey(ReportSnapshot, on_delete=models.PROTECT, related_name="+",
                                 null=True, blank=True,
                                 help_text="The report's version; empty for another document "
                                           "of the review (a learning briefing).")
    checked_at = models.DateTimeField(default=timezone.now)
    pages = models.PositiveIntegerField(default=0)
    text = models.TextField(blank=True, max_length=PUBLISHED_TEXT_LENGTH,
                            help_text="The text read back from the PDF.")
    panel_notified_on = models.DateField(
        "sent to the national Panel on", null=True, blank=True,
        help_text="The day this very PDF was sent to the national Panel (publication needs it).")
    error = models.CharField(max_length=500, blank=True,
                             help_text="Why the PDF could not be checked.")

    objects: ClassVar[PublicationTeamManager[Self]] = PublicationTeamQuerySet.as_manager()

    class Meta:
        ordering = ["review", "-checked_at", "-id"]

    def __str__(self) -> str:
        return f"Leak check of render {self.render_id}"


class LeakHit(DraftRecord):
    """One hit of a leak check: open until the PDF is rendered again clean, or waived."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="leak_hits")
    leak_check = models.ForeignKey(LeakCheck, on_delete=models.PROTECT, related_name="hits")
    render = models.ForeignKey(RenderRecord, on_delete=models.PROTECT, related_name="+")
    page = models.PositiveIntegerField()
    kind = models.CharField(max_length=40)
    matched = models.CharField(max_length=300)
    pseudonym = models.CharField(max_length=100, blank=True,
                                 help_text="Whose identifier it is (blank: generic data).")
    context = models.CharField(max_length=500, blank=True)
    waived_at = models.DateTimeField(null=True, blank=True)
    waived_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    waiver_reason = models.TextField(blank=True, max_length=REASON_LENGTH)

    objects: ClassVar[PublicationTeamManager[Self]] = PublicationTeamQuerySet.as_manager()

    class Meta:
        ordering = ["leak_check", "page", "id"]

    def __str__(self) -> str:
        return f"Leak on page {self.page} ({self.kind})"

    @property
    def open(self) -> bool:
        return self.waived_at is None


class DismissedName(DraftRecord):
    """A possible unregistered name (a capitalised given name nobody registered) that the
    review's reviewer or a business manager judged to be nobody's name — a place, a
    building, a word — so the Publication page no longer lists it. The reason is kept.
    Withdrawn (never deleted) to reopen it."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="dismissed_names")
    name = models.CharField(max_length=100)
    reason = models.TextField(max_length=REASON_LENGTH)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    dismissed_at = models.DateTimeField(default=timezone.now)
    withdrawn = models.BooleanField(
        default=False, help_text="Reopened: the name is listed on the check again (the "
                                 "dismissal stays in the history).")

    objects: ClassVar[PublicationTeamManager[Self]] = PublicationTeamQuerySet.as_manager()

    class Meta:
        ordering = ["review", "name"]
        constraints = [models.UniqueConstraint(fields=["review", "name"],
                                               condition=Q(withdrawn=False),
                                               name="dismissed_name_once")]

    def __str__(self) -> str:
        return f"“{self.name}”, not a person's name"


class FormDecision(DraftRecord):
    """Whose a name the anonymiser left undecided is — a form two people share with nothing
    in the sentence to say which, an ordinary word at a sentence's start, a registered name
    in lower case — or that it is nobody's name (``subject`` empty: left as written). Made
    by the review's reviewer or a business manager on the Anonymisation check page, for the
    place it was reported (its context) or, with ``context`` empty, wherever that form is
    left undecided. Withdrawn (never deleted) to undo it."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="form_decisions")
    text = models.CharField(max_length=200, help_text="The form as written.")
    key = models.CharField(max_length=200, editable=False)
    context = models.CharField(max_length=500, blank=True,
                               help_text="Where it was reported; blank: wherever it is "
                                         "undecided.")
    context_key = models.CharField(max_length=500, blank=True, editable=False)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", help_text="Whose it is; blank: not a name.")
    reason = models.TextField(blank=True, max_length=REASON_LENGTH)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    withdrawn = models.BooleanField(default=False)

    objects = PublicationTeamQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["review", "decided_at", "id"]
        constraints = [models.UniqueConstraint(
            fields=["review", "key", "context_key"], condition=Q(withdrawn=False),
            name="one_live_decision_per_form_and_place")]

    def __str__(self) -> str:
        # Never the name itself: str() appears in history titles and the access log.
        return f"Decision about a name ({'not a name' if self.subject_id is None else 'a person'})"

    def clean_fields(self, exclude: object = None) -> None:
        self.text = " ".join((self.text or "").split())
        self.context = " ".join((self.context or "").split())
        self.key, self.context_key = decision_key(self.text, self.context)
        super().clean_fields(exclude=exclude)  # type: ignore[arg-type]

    @property
    def everywhere(self) -> bool:
        return not self.context


class PublicName(DraftRecord):
    """Someone the review's published report names on purpose (a chair who signs the
    foreword, an author): the leak check does not count their name as a leak. The
    partnership's own (``settings.PUBLIC_NAMES``) and the appointed reviewer's are added
    without a record."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="public_names")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, help_text="Why they are named, e.g. “chair of the "
                                                      "partnership”.")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    withdrawn = models.BooleanField(default=False)

    objects = PublicationTeamQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["review", "name"]

    def __str__(self) -> str:
        return f"Named on purpose: {self.role}"


class PublicationQuerySet(ReviewScopedQuerySet):
    """Published reports: every signed-in person reads the live ones (the library);
    business managers manage them and read the withdrawn ones too."""

    def for_user(self, user: User, action: Action = "view") -> Self:
        from agencies.models.roles import Role

        if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
            return self.none()
        manager = user.has_role(Role.BUSINESS_MANAGER)
        if action in ("view", "download"):
            return self.all() if manager else self.filter(status=Publication.Status.PUBLISHED)
        if action in ("manage", "change", "view_history"):
            return self.all() if manager else self.none()
        return self.none()


if TYPE_CHECKING:
    PublicationManager = models.Manager.from_queryset(PublicationQuerySet)


class ManagersQuerySet(ReviewScopedQuerySet):
    """Business managers' records."""

    def for_user(self, user: User, action: Action = "view") -> Self:
        from agencies.models.roles import Role

        if getattr(user, "is_authenticated", False) and user.has_role(
                Role.BUSINESS_MANAGER):
            return self.all()
        return self.none()


if TYPE_CHECKING:
    ManagersManager = models.Manager.from_queryset(ManagersQuerySet)


class Publication(ReviewRecord):
    """A published report: its immutable PDF, hash, dates and the board's response."""

    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn from the library"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="publications")
    render = models.ForeignKey(RenderRecord, on_delete=models.PROTECT, related_name="+")
    snapshot = models.ForeignKey(ReportSnapshot, on_delete=models.PROTECT, related_name="+")
    board_response = models.ForeignKey(BoardResponse, on_delete=models.PROTECT,
                                       related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices,
                              default=Status.PUBLISHED)
    title = models.CharField(max_length=300, help_text="The pseudonymous title.")
    file = models.FileField(upload_to="publications/%Y/", max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    text = models.TextField(blank=True, max_length=PUBLISHED_TEXT_LENGTH,
                            help_text="The published (anonymised) text, for search.")
    published_on = models.DateField()
    takedown_review_on = models.DateField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True, max_length=REASON_LENGTH)

    objects: ClassVar[PublicationManager[Self]] = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-id"]
        constraints = [models.UniqueConstraint(
            fields=["review"], condition=Q(status="published"),
            name="one_live_publication_per_review")]

    def __str__(self) -> str:
        return self.title


class TakedownDecision(ReviewRecord):
    """What a business manager decided at a publication's takedown-review date."""

    class Decision(models.TextChoices):
        KEEP = "keep", "Keep it in the library"
        WITHDRAW = "withdraw", "Withdraw it from the library"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="+")
    publication = models.ForeignKey(Publication, on_delete=models.PROTECT,
                                    related_name="decisions")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField(max_length=DESCRIPTION_LENGTH)
    next_review_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[ManagersManager[Self]] = ManagersQuerySet.as_manager()

    class Meta:
        ordering = ["publication", "-decided_at"]

    def __str__(self) -> str:
        return f"Takedown review: {self.get_decision_display()}"
