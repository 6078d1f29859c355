"""The family involvement log: for each family member in the pseudonym register, whether
they were invited (and why or why not), their consent, the support they need, every
contact with them, and their comments on the draft report.

A comment names the version of the draft the person read: one of the report's kept versions
(``report_version``, a ``ReportSnapshot``) — its label is then copied to
``report_version_label`` — or, for a draft shared before it was kept here, the label alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Self

from django.db import models
from django.db.models import Q

from agencies.models import User
from reviews.models.base import ReviewRecord, ReviewScopedQuerySet, check_dates
from reviews.models.chronology import NarrowHistory
from reviews.models.lifecycle import Review
from reviews.models.register import Subject
from scr.actions import Action
from scr.text import DESCRIPTION_LENGTH, DOCUMENT_LENGTH, NARRATIVE_LENGTH

__all__ = [
    "FamilyComment",
    "FamilyContact",
    "FamilyInvolvement",
    "FamilyQuerySet",
]


class FamilyQuerySet(ReviewScopedQuerySet):
    def for_user(self, user: User, action: Action = "view") -> Self:
        """Real people and what they said: read by the business manager and the review's
        reviewer and panel (who hold identifiable access), kept by the manager and the
        reviewer. Never agency leads, never board members."""
        from reviews.models.meetings import meeting_reviews

        if action in ("view", "view_history", "view_identifiable"):
            reviews = meeting_reviews(user, action).filter(
                pk__in=Review.objects.for_user(user, "view_identifiable").values("pk"))
        elif action in ("manage", "change"):
            reviews = meeting_reviews(user, "manage")
        else:
            return self.none()
        return self.filter(review__in=reviews.values("pk"))


if TYPE_CHECKING:
    FamilyManager = models.Manager.from_queryset(FamilyQuerySet)


class FamilyInvolvement(NarrowHistory, ReviewRecord):
    class Consent(models.TextChoices):
        NOT_ASKED = "not_asked", "Not asked yet"
        GIVEN = "given", "Given"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="family")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    invited = models.BooleanField()
    invitation_reason = models.TextField(
        "why", help_text="Why they were invited, or why not (e.g. a parallel criminal process).",
                                         max_length=DESCRIPTION_LENGTH)
    consent = models.CharField(max_length=20, choices=Consent.choices,
                               default=Consent.NOT_ASKED)
    support_needed = models.TextField(blank=True, help_text="Advocacy, accessibility, timing.",
                                      max_length=DESCRIPTION_LENGTH)
    interpreter_language = models.CharField(
        max_length=100, blank=True, help_text="Leave blank if no interpreter is needed.")

    objects: ClassVar[FamilyManager[Self]] = FamilyQuerySet.as_manager()

    class Meta:
        ordering = ["review", "id"]
        verbose_name_plural = "family involvement"
        constraints = [models.UniqueConstraint(fields=["review", "subject"],
                                               name="family_member_once")]

    def __str__(self) -> str:
        return f"Family involvement: {self.subject}"


class FamilyContact(NarrowHistory, ReviewRecord):
    class Method(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        PHONE = "phone", "Telephone"
        VIDEO = "video", "Video call"
        LETTER = "letter", "Letter"
        EMAIL = "email", "E-mail"
        ADVOCATE = "advocate", "Through an advocate"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="+")
    involvement = models.ForeignKey(FamilyInvolvement, on_delete=models.PROTECT,
                                    related_name="contacts")
    contacted_on = models.DateField("date")
    contacted_by = models.CharField("by whom", max_length=200,
                                    help_text="Their role, e.g. 'Independent reviewer'.")
    method = models.CharField("how", max_length=20, choices=Method.choices)
    summary = models.TextField(max_length=NARRATIVE_LENGTH)

    objects: ClassVar[FamilyManager[Self]] = FamilyQuerySet.as_manager()

    class Meta:
        ordering = ["contacted_on", "id"]

    def __str__(self) -> str:
        return f"Contact, {self.contacted_on:%-d %b %Y}"

    def clean(self) -> None:
        check_dates(self, past_only=("contacted_on",))


class FamilyComment(NarrowHistory, ReviewRecord):
    """A family member's comments on a draft report, against the version they read."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="+")
    involvement = models.ForeignKey(FamilyInvolvement, on_delete=models.PROTECT,
                                    related_name="comments")
    received_on = models.DateField("date received")
    report_version = models.ForeignKey("reviews.ReportSnapshot", on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="family_comments")
    report_version_label = models.CharField(
        "version of the draft they read", max_length=100,
        help_text="As the draft is labelled, e.g. 'Draft 3, 12 May 2026'.")
    comments = models.TextField(max_length=DOCUMENT_LENGTH)
    response = models.TextField("how the review responded", blank=True, max_length=NARRATIVE_LENGTH)

    objects: ClassVar[FamilyManager[Self]] = FamilyQuerySet.as_manager()

    class Meta:
        ordering = ["received_on", "id"]
        constraints = [models.CheckConstraint(condition=~Q(report_version_label=""),
                                              name="family_comment_names_version")]

    def __str__(self) -> str:
        return f"Comments on {self.report_version_label}"

    def clean(self) -> None:
        check_dates(self, past_only=("received_on",))
