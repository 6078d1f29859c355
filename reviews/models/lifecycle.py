"""A review and the records of its lifecycle (DOMAIN.md, stages 0-4 and 11).

The review itself (referral, stage records, the dates its clocks depend on), the
agencies involved, each stage change, the reference counter and the per-review
guardian grants. Clock due dates are derived (reviews/clocks.py) and the next one is
stored on the review (``next_due_on``) so dashboards can sort and filter in SQL.
Case data is never hard-deleted through the app: history keeps every value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from guardian.managers import GroupObjectPermissionManager, UserObjectPermissionManager
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from agencies.models import Agency, User
from reviews.models.base import NoOneQuerySet, ReviewRecord, date_errors
from reviews.models.scope import reviews_for
from scr.actions import Action
from scr.history import EVERY_FIELD
from scr.text import NARRATIVE_LENGTH, REASON_LENGTH

__all__ = [
    "DATE_ORDER",
    "ENDED_STAGES",
    "PAST_ONLY",
    "STAGE_PATH",
    "GrantScope",
    "InvolvedAgency",
    "ReferenceCounter",
    "Review",
    "ReviewGroupGrantManager",
    "ReviewGroupObjectPermission",
    "ReviewQuerySet",
    "ReviewUserGrantManager",
    "ReviewUserObjectPermission",
    "Stage",
    "StageChange",
]


class Stage(models.TextChoices):
    REFERRAL = "referral", "Referral"
    NOTIFICATION = "notification", "Notification"
    RAPID_REVIEW = "rapid_review", "Rapid review"
    DECISION = "decision", "Decision"
    COMMISSIONING = "commissioning", "Commissioning"
    EVIDENCE = "evidence", "Evidence"
    ANALYSIS = "analysis", "Analysis"
    REPORT = "report", "Report"
    SIGN_OFF = "sign_off", "Sign-off"
    PUBLICATION = "publication", "Publication"
    MONITORING = "monitoring", "Action plan and monitoring"
    CLOSED = "closed", "Closed"
    NO_REVIEW = "no_review", "No review"
    WITHDRAWN = "withdrawn", "Withdrawn"


# The main path, in order; NO_REVIEW and WITHDRAWN are side exits.
STAGE_PATH: tuple[str, ...] = (
    Stage.REFERRAL, Stage.NOTIFICATION, Stage.RAPID_REVIEW, Stage.DECISION,
    Stage.COMMISSIONING, Stage.EVIDENCE, Stage.ANALYSIS, Stage.REPORT, Stage.SIGN_OFF,
    Stage.PUBLICATION, Stage.MONITORING, Stage.CLOSED,
)
ENDED_STAGES = frozenset({Stage.CLOSED, Stage.NO_REVIEW, Stage.WITHDRAWN})


class ReviewQuerySet(models.QuerySet["Review"]):
    def for_user(self, user: User, action: Action = "view") -> ReviewQuerySet:
        return reviews_for(user, action, self)

    def open(self) -> ReviewQuerySet:
        return self.exclude(stage__in=ENDED_STAGES)


class Review(models.Model):
    class Harm(models.TextChoices):
        DEATH = "death", "Death"
        SERIOUS_HARM = "serious_harm", "Serious harm"

    class AbuseNeglect(models.TextChoices):
        KNOWN = "known", "Known"
        SUSPECTED = "suspected", "Suspected"

    class Decision(models.TextChoices):
        REVIEW = "review", "Carry out a review"
        NO_REVIEW = "no_review", "Do not carry out a review"

    reference = models.CharField(max_length=30, unique=True, editable=False)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.REFERRAL,
                             db_index=True)
    stage_entered_at = models.DateTimeField(default=timezone.now)

    # Stage 0: referral / triggering event.
    incident_date = models.DateField()
    aware_date = models.DateField(help_text="The day the local authority became aware (day 0).")
    what_happened = models.TextField(max_length=NARRATIVE_LENGTH)
    harm = models.CharField(max_length=20, choices=Harm.choices)
    abuse_or_neglect = models.CharField(max_length=20, choices=AbuseNeglect.choices)
    criteria_met = models.BooleanField(default=False)
    referring_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    agencies_involved = models.ManyToManyField(Agency, through="InvolvedAgency",
                                               related_name="reviews_involved_in")

    # Stage 1: notification to the national Panel and Ofsted.
    notification_sent_on = models.DateField(null=True, blank=True)
    # Stage 2: rapid review.
    rapid_review_meeting_on = models.DateField(null=True, blank=True)
    agency_summaries_received_on = models.DateField(null=True, blank=True)
    rapid_review_report_sent_on = models.DateField(null=True, blank=True)
    national_panel_reply_on = models.DateField(null=True, blank=True)
    national_panel_reply = models.TextField(blank=True, max_length=NARRATIVE_LENGTH)
    # Stage 3: decision.
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decision_date = models.DateField(null=True, blank=True)
    decision_reasons = models.TextField(blank=True, max_length=NARRATIVE_LENGTH)
    # Later stages that clocks depend on.
    final_report_received_on = models.DateField(null=True, blank=True)
    planned_publication_on = models.DateField(null=True, blank=True)
    national_panel_sent_report_on = models.DateField(null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)

    # Denormalised from reviews/clocks.py by the services, for SQL sort/filter.
    next_clock = models.CharField(max_length=30, blank=True)
    next_due_on = models.DateField(null=True, blank=True, db_index=True)
    has_missed_clock = models.BooleanField(default=False, help_text="A clock was met late.")
    # Guards against a double-submitted referral form creating two reviews.
    creation_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = ReviewQuerySet.as_manager()
    # The derived clock fields are recomputable, so they stay out of the history.
    history = HistoricalRecords(excluded_fields=["next_clock", "next_due_on", "has_missed_clock",
                                                 "creation_token"])
    history_fields = EVERY_FIELD  # its page shows every field to whoever may read it (scr.history)

    class Meta:
        ordering = ["-aware_date", "-id"]
        permissions = [
            ("view_identifiable", "Can see real identities of people in the review"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.stage not in ENDED_STAGES

    def clean(self) -> None:
        """Invariants of the dates, whatever form or service sets them."""
        errors = date_errors(self, past_only=PAST_ONLY, order=DATE_ORDER)
        for name in ("notification_sent_on", "rapid_review_meeting_on", "decision_date",
                     "agency_summaries_received_on", "rapid_review_report_sent_on"):
            value = getattr(self, name)
            if value and self.aware_date and value < self.aware_date and name not in errors:
                errors[name] = "This date cannot be before the local authority became aware"
        if self.final_report_received_on and not (
                self.decision == self.Decision.REVIEW and self.decision_date):
            errors.setdefault("final_report_received_on", "A final report can be received only "
                                                          "after a decision to carry out a review")
        if self.published_on and not self.national_panel_sent_report_on:
            errors.setdefault("published_on", "Record the date the report was sent to the "
                                              "national Panel before the publication date")
        if errors:
            raise ValidationError(errors)


PAST_ONLY = ("incident_date", "aware_date", "notification_sent_on", "rapid_review_meeting_on",
             "agency_summaries_received_on", "rapid_review_report_sent_on",
             "national_panel_reply_on", "decision_date", "final_report_received_on",
             "national_panel_sent_report_on", "published_on")
# (later date, earlier date, message): a record dated before what it follows is refused.
DATE_ORDER: tuple[tuple[str, str, str], ...] = (
    ("rapid_review_report_sent_on", "rapid_review_meeting_on",
     "The rapid review report cannot be sent before the rapid review meeting"),
    ("national_panel_reply_on", "rapid_review_report_sent_on",
     "The national Panel cannot reply before the rapid review report was sent"),
    ("aware_date", "incident_date",
     "The date the local authority became aware cannot be before the date of the incident"),
    ("decision_date", "rapid_review_meeting_on",
     "The decision cannot be dated before the rapid review meeting"),
    ("final_report_received_on", "decision_date",
     "The final report cannot be received before the decision to review"),
    ("national_panel_sent_report_on", "final_report_received_on",
     "The report cannot be sent to the national Panel before it was received"),
    ("planned_publication_on", "national_panel_sent_report_on",
     "Publication cannot be planned before the report is sent to the national Panel"),
    ("published_on", "national_panel_sent_report_on",
     "The report cannot be published before it was sent to the national Panel"),
)


class ReferenceCounter(models.Model):
    """The last reference number given in a year: one sequence whatever the vocabulary.

    Taken with a row lock (``services.review_create``), so two referrals saved at
    once each get their own number instead of one failing on the unique reference.
    """

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)
    objects = NoOneQuerySet.as_manager()
    history = HistoricalRecords()
    history_fields = EVERY_FIELD  # its page shows every field to whoever may read it (scr.history)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class GrantScope:
    """Grants are managed by the services; only business managers may list them."""

    if TYPE_CHECKING:  # mixed into guardian's managers, which define it
        def get_queryset(self) -> models.QuerySet[Any]: ...

    def for_user(self, user: User, action: Action = "view") -> models.QuerySet:
        from agencies.models.roles import Role

        qs = self.get_queryset()
        if getattr(user, "is_authenticated", False) and user.has_role(
                Role.BUSINESS_MANAGER) and action == "view":
            return qs
        return qs.none()


class ReviewUserGrantManager(GrantScope, UserObjectPermissionManager):
    pass


class ReviewGroupGrantManager(GrantScope, GroupObjectPermissionManager):
    pass


class ReviewUserObjectPermission(UserObjectPermissionBase):
    """Direct-FK guardian grants to one person (appointed reviewer, panel member)."""

    content_object = models.ForeignKey(Review, on_delete=models.CASCADE)
    objects: ClassVar[ReviewUserGrantManager] = ReviewUserGrantManager()
    history = HistoricalRecords()
    history_fields = EVERY_FIELD  # its page shows every field to whoever may read it (scr.history)


class ReviewGroupObjectPermission(GroupObjectPermissionBase):
    """Direct-FK guardian grants to an agency's group (an involved agency)."""

    content_object = models.ForeignKey(Review, on_delete=models.CASCADE)
    objects: ClassVar[ReviewGroupGrantManager] = ReviewGroupGrantManager()
    history = HistoricalRecords()
    history_fields = EVERY_FIELD  # its page shows every field to whoever may read it (scr.history)


class InvolvedAgency(ReviewRecord):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="involvements")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="involvements")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "agency"],
                                               name="agency_involved_once")]

    def __str__(self) -> str:
        return f"{self.agency} in {self.review}"


class StageChange(ReviewRecord):
    """One row per transition: who moved the review, when, from where to where, and why."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True, max_length=REASON_LENGTH)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"
