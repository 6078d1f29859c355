"""Meetings and learning events of a review: rapid review meetings, panel meetings,
practitioner learning events and family meetings, with attendees, actions arising,
minutes (a secure document) and, for learning events, attendees' feedback.

Feedback may be anonymous: ``LearningFeedback`` stores no link to its author when the
author asks for none, not even in its history (``history_user`` is always empty and the
history time is coarsened to the day; docs/meetings.md).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agencies.models import Agency, User
from reviews.models.base import ReviewRecord, ReviewScopedQuerySet, check_dates
from reviews.models.chronology import NarrowHistory, merged_chronology_reviews
from reviews.models.lifecycle import Review
from scr import filetypes
from scr.actions import Action
from scr.history import EVERY_FIELD
from scr.models import StoredDocument
from scr.text import DESCRIPTION_LENGTH, DOCUMENT_LENGTH, NARRATIVE_LENGTH

__all__ = [
    "AnonymousFeedback",
    "LearningFeedback",
    "Meeting",
    "MeetingAction",
    "MeetingAttendee",
    "MeetingMinutes",
    "MeetingPapersQuerySet",
    "MeetingQuerySet",
    "MeetingRecordQuerySet",
    "meeting_reviews",
    "no_author",
]


def meeting_reviews(user: User, action: Action = "view") -> models.QuerySet:
    """Reviews whose meetings ``user`` reads (``view``) or records (``manage``): the
    business manager every review; the review's reviewer and panel members their own
    reviews (reading); the reviewer their own (recording)."""
    if action in ("manage", "change"):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return Review.objects.none()
        return Review.objects.for_user(user, "change")
    return merged_chronology_reviews(user, action)


class MeetingQuerySet(ReviewScopedQuerySet):
    def for_user(self, user: User, action: Action = "view") -> Self:
        """The review's team reads its meetings; anyone else reads only the meetings they
        attended, and each action by the review's own rule for that action: an attendee who
        may see the review reads the meeting (its notes pseudonymised unless they have
        identifiable access), and only one with identifiable access to the review
        (``view_identifiable``; never a board member) receives its identifiable papers."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if action in ("manage", "change"):
            return self.filter(review__in=meeting_reviews(user, "manage").values("pk"))
        if action not in ("view", "view_history", "view_identifiable"):
            return self.none()
        team = Q(review__in=meeting_reviews(user, action).values("pk"))
        attended = Q(attendees__user=user, attendees__withdrawn=False,
                     review__in=Review.objects.for_user(user, action).values("pk"))
        return self.filter(team | Q(pk__in=self.model._default_manager.filter(attended).values("pk")))


if TYPE_CHECKING:
    MeetingManager = models.Manager.from_queryset(MeetingQuerySet)


class MeetingRecordQuerySet(ReviewScopedQuerySet):
    """Attendees, actions and feedback: seen by whoever sees their meeting."""

    def for_user(self, user: User, action: Action = "view") -> Self:
        return self.filter(meeting__in=Meeting.objects.for_user(user, action).values("pk"))


if TYPE_CHECKING:
    MeetingRecordManager = models.Manager.from_queryset(MeetingRecordQuerySet)


class MeetingPapersQuerySet(MeetingRecordQuerySet):
    """A meeting's files (the minutes) are identifiable papers: only those who may read the
    meeting with identifiable access to its review receive them, whatever they attended.
    A board member who attended reads the pseudonymised notes, never a file."""

    def for_user(self, user: User, action: Action = "view") -> Self:
        return super().for_user(user, "view_identifiable" if action == "view" else action)


class Meeting(NarrowHistory, ReviewRecord):
    class Kind(models.TextChoices):
        RAPID_REVIEW = "rapid_review", "Rapid review meeting"
        PANEL = "panel", "Panel meeting"
        LEARNING_EVENT = "learning_event", "Practitioner learning event"
        FAMILY = "family", "Family meeting"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    held_on = models.DateField("date")
    agenda = models.TextField(blank=True, max_length=NARRATIVE_LENGTH)
    notes = models.TextField(blank=True, max_length=DOCUMENT_LENGTH)
    withdrawn = models.BooleanField(default=False)

    objects: ClassVar[MeetingManager[Self]] = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.held_on:%-d %b %Y}"

    def clean(self) -> None:
        check_dates(self, past_only=("held_on",))

    @property
    def takes_feedback(self) -> bool:
        return self.kind == self.Kind.LEARNING_EVENT


class MeetingAttendee(NarrowHistory, ReviewRecord):
    """Someone at a meeting: a person who signs in here, or a role and agency
    ("Health visitor, Northshire ICB") for practitioners who do not."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+")
    role = models.CharField(max_length=150, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    withdrawn = models.BooleanField(default=False)

    objects: ClassVar[MeetingRecordManager[Self]] = MeetingRecordQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "id"]
        constraints = [models.CheckConstraint(
            condition=Q(user__isnull=False) | ~Q(role=""), name="attendee_user_or_role")]

    def __str__(self) -> str:
        if self.user_id:
            return str(self.user)
        return f"{self.role}, {self.agency}" if self.agency_id else self.role


class MeetingAction(NarrowHistory, ReviewRecord):
    """An action arising from a meeting: what, who owns it, by when, and when done."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField(max_length=DESCRIPTION_LENGTH)
    owner = models.CharField(max_length=200, help_text="A role and agency, e.g. 'Designated "
                                                       "nurse, Northshire ICB'.")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    objects: ClassVar[MeetingRecordManager[Self]] = MeetingRecordQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"Action: {self.description[:60]}"

    @property
    def is_overdue(self) -> bool:
        return self.done_on is None and self.due_on < timezone.localdate()


class MeetingMinutes(NarrowHistory, StoredDocument, ReviewRecord):
    """The minutes of a meeting, one version per upload (scr.documents)."""

    LOGICAL_KEY: ClassVar[tuple[str, ...]] = ("meeting",)
    ALLOWED_TYPES: ClassVar[frozenset[str]] = frozenset(
        {filetypes.PDF, filetypes.DOCX, filetypes.ODT})
    MAX_SIZE: ClassVar[int] = 25 * 1024 * 1024

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes")

    objects = MeetingPapersQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-version"]
        verbose_name_plural = "meeting minutes"
        constraints = [models.UniqueConstraint(fields=["meeting", "version"],
                                               name="one_minutes_version")]

    def __str__(self) -> str:
        return f"Minutes, version {self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """``scr.documents`` names the document by its meeting; the review is the meeting's."""
        if self.review_id is None and self.meeting_id is not None:
            self.review_id = self.meeting.review_id
        super().save(*args, **kwargs)


def no_author(**kwargs: Any) -> None:
    """Feedback's history never names a user (simple-history's ``get_user``)."""
    return None


class AnonymousFeedback(models.Model):
    """Feedback that may be anonymous: a learning event's, a briefing's.

    Not a ``ReviewRecord``: its history must not carry the author. ``given_by`` is set
    only when the author chose to be named; the history keeps no ``history_user`` (each
    subclass declares ``HistoricalRecords(get_user=no_author)``, and ``save`` drops any
    ``_history_user`` a caller set) and its time is the day only. Fixed once given.
    """

    given_on = models.DateField(default=timezone.localdate)
    what_helped = models.TextField(blank=True, max_length=NARRATIVE_LENGTH)
    what_could_improve = models.TextField(blank=True, max_length=NARRATIVE_LENGTH)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+",
                                 help_text="Empty when given anonymously.")

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.__dict__.pop("_history_user", None)
        day = timezone.localdate()
        self._history_date = timezone.make_aware(
            datetime.datetime.combine(day, datetime.time.min))
        super().save(*args, **kwargs)


class LearningFeedback(AnonymousFeedback):
    """An attendee's feedback on a practitioner learning event (``AnonymousFeedback``)."""

    REVIEW_FIELD: ClassVar[str] = "review"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="feedback")

    objects = MeetingRecordQuerySet.as_manager()
    history = HistoricalRecords(get_user=no_author)
    history_fields = EVERY_FIELD  # its page shows every field to whoever may read it (scr.history)

    class Meta:
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return "Learning event feedback"
