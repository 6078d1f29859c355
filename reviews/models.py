"""A review and the records of its lifecycle (DOMAIN.md, stages 0-4 and 11).

Every model carries ``HistoricalRecords``: case data is never hard-deleted
through the app; records are withdrawn or ended and history keeps every value.
Clock due dates are derived (reviews/clocks.py) and the next one is stored on
the review (``next_due_on``) so dashboards can sort and filter in SQL.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from guardian.managers import GroupObjectPermissionManager, UserObjectPermissionManager
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from agencies.models import Agency
from scr.text import normalise_text, skeleton

DATE_LABELS = {
    "incident_date": "The date of the incident",
    "aware_date": "The date the local authority became aware",
    "notification_sent_on": "The notification date",
    "rapid_review_meeting_on": "The rapid review meeting date",
    "agency_summaries_received_on": "The date summaries were received",
    "rapid_review_report_sent_on": "The date the report was sent",
    "national_panel_reply_on": "The date of the national Panel's reply",
    "decision_date": "The date of the decision",
    "final_report_received_on": "The date the final report was received",
    "national_panel_sent_report_on": "The date the report was sent",
    "published_on": "The publication date",
    "appointed_on": "The date appointed", "ended_on": "The end date",
    "opened_on": "The start date", "cleared_on": "The date cleared",
    "paused_on": "The date paused", "resumed_on": "The date resumed",
    "requested_on": "The date requested", "received_on": "The date received",
}


def date_errors(record: models.Model, *, past_only: tuple[str, ...] = (),
                order: tuple[tuple[str, str, str], ...] = ()) -> dict[str, str]:
    """The date rules every dated record shares, written once: none of ``past_only`` in
    the future, and each (later, earlier, message) pair in order. Returns field → message."""
    today = timezone.localdate()
    errors: dict[str, str] = {}
    for name in past_only:
        value = getattr(record, name)
        if value and value > today:
            errors[name] = f"{DATE_LABELS.get(name, 'The date')} cannot be in the future"
    for later, earlier, message in order:
        first, then = getattr(record, earlier), getattr(record, later)
        if first and then and then < first:
            errors.setdefault(later, message)
    return errors


def check_dates(record: models.Model, **rules: tuple) -> None:
    errors = date_errors(record, **rules)
    if errors:
        raise ValidationError(errors)


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


class ReviewScopedQuerySet(models.QuerySet):
    """Records that belong to one review take their scope from that review."""

    review_action = {"view": "view", "change": "manage", "manage": "manage",
                     "view_history": "view_history", "view_identifiable": "view_identifiable"}

    def for_user(self, user: object, action: str = "view") -> models.QuerySet:
        mapped = self.review_action.get(action)
        if mapped is None:
            return self.none()
        return self.filter(review__in=Review.objects.for_user(user, mapped).values("pk"))


class ReviewQuerySet(models.QuerySet["Review"]):
    def for_user(self, user: object, action: str = "view") -> ReviewQuerySet:
        from .access import reviews_for

        return reviews_for(user, action, self)  # type: ignore[arg-type]

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
    what_happened = models.TextField()
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
    national_panel_reply = models.TextField(blank=True)
    # Stage 3: decision.
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decision_date = models.DateField(null=True, blank=True)
    decision_reasons = models.TextField(blank=True)
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


class NoOneQuerySet(models.QuerySet):
    """Bookkeeping no page shows: in no one's scope."""

    def for_user(self, user: object, action: str = "view") -> models.QuerySet:
        return self.none()


class ReferenceCounter(models.Model):
    """The last reference number given in a year: one sequence whatever the vocabulary.

    Taken with a row lock (``services.review_create``), so two referrals saved at
    once each get their own number instead of one failing on the unique reference.
    """

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)
    objects = NoOneQuerySet.as_manager()
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class GrantScope:
    """Grants are managed by the services; only business managers may list them."""

    def for_user(self, user: object, action: str = "view") -> models.QuerySet:
        from agencies.roles import Role

        qs = self.get_queryset()  # type: ignore[attr-defined]
        if getattr(user, "is_authenticated", False) and user.has_role(  # type: ignore[attr-defined]
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
    objects = ReviewUserGrantManager()
    history = HistoricalRecords()


class ReviewGroupObjectPermission(GroupObjectPermissionBase):
    """Direct-FK guardian grants to an agency's group (an involved agency)."""

    content_object = models.ForeignKey(Review, on_delete=models.CASCADE)
    objects = ReviewGroupGrantManager()
    history = HistoricalRecords()


class InvolvedAgency(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="involvements")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="involvements")
    objects = ReviewScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "agency"],
                                               name="agency_involved_once")]

    def __str__(self) -> str:
        return f"{self.agency} in {self.review}"


class Subject(models.Model):
    """A person in the case, in the pseudonym register (DOMAIN.md, anonymisation)."""

    class Kind(models.TextChoices):
        CHILD = "child", "Subject child"
        SIBLING = "sibling", "Sibling"
        PARENT = "parent", "Parent or carer"
        RELATIVE = "relative", "Other family member"
        ADULT = "adult", "Other adult"
        PROFESSIONAL = "professional", "Professional"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="subjects")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    pseudonym = models.CharField(max_length=60,
                                 help_text='As it will appear when published, e.g. "Child A".')
    full_name = models.CharField(max_length=200)
    other_names = models.TextField(blank=True, help_text="Known as, previous surnames, nicknames: "
                                                         "one per line.")
    date_of_birth = models.DateField(null=True, blank=True)
    address = models.TextField(blank=True)
    school = models.CharField(max_length=200, blank=True)
    identifiers = models.TextField(blank=True, help_text="NHS number and other identifiers: "
                                                         "one per line.")
    withdrawn = models.BooleanField(default=False)
    objects = ReviewScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "pseudonym"]
        constraints = [
            models.UniqueConstraint(fields=["review", "pseudonym"],
                                    condition=Q(withdrawn=False),
                                    name="pseudonym_unique_in_review"),
        ]

    def __str__(self) -> str:
        # Never the real name: str() ends up in logs, history and the access log.
        return self.pseudonym

    def clean_fields(self, exclude: Any = None) -> None:
        """One normal form for every name (scr/text.py), before validation, so look-alikes
        cannot slip past the one-pseudonym rule or, later, the search for names in a
        published report."""
        for name in ("pseudonym", "full_name", "school"):
            setattr(self, name, normalise_text(getattr(self, name) or ""))
        for name in ("other_names", "identifiers", "address"):
            setattr(self, name, normalise_text(getattr(self, name) or "", multiline=True))
        super().clean_fields(exclude=exclude)

    @property
    def pseudonym_key(self) -> str:
        """Pseudonyms that differ only in case, spacing or look-alike letters are one."""
        return skeleton(self.pseudonym).replace(" ", "")

    def clean(self) -> None:
        errors = {}
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            errors["date_of_birth"] = "The date of birth cannot be in the future"
        if errors:
            raise ValidationError(errors)


class TermsOfReference(models.Model):
    """One version of the terms of reference; a new version is a new row."""

    class Method(models.TextChoices):
        FULL = "full", "Full review"
        SYSTEMS = "systems", "Systems review (SCIE Learning Together)"
        LEARNING = "learning", "Learning review"
        APPRECIATIVE = "appreciative", "Appreciative inquiry"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="terms")
    version = models.PositiveIntegerField()
    scope_start = models.DateField()
    scope_end = models.DateField()
    key_lines_of_enquiry = models.TextField()
    method = models.CharField(max_length=20, choices=Method.choices)
    agencies_in_scope = models.ManyToManyField(Agency, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    objects = ReviewScopedQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[agencies_in_scope])

    class Meta:
        ordering = ["review", "-version"]
        constraints = [models.UniqueConstraint(fields=["review", "version"],
                                               name="one_terms_version")]
        verbose_name_plural = "terms of reference"

    def __str__(self) -> str:
        return f"Terms of reference v{self.version}"


class PanelAppointment(models.Model):
    class PanelRole(models.TextChoices):
        CHAIR = "chair", "Chair"
        REVIEWER = "reviewer", "Independent reviewer"
        MEMBER = "member", "Panel member"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="panel")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="panel_appointments")
    panel_role = models.CharField(max_length=20, choices=PanelRole.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", help_text="The agency a panel member represents.")
    independence_declaration = models.TextField(blank=True)
    appointed_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)
    objects = ReviewScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["panel_role", "appointed_on"]
        constraints = [
            models.UniqueConstraint(fields=["review", "user", "panel_role"],
                                    condition=Q(ended_on__isnull=True),
                                    name="one_current_appointment_per_role"),
            models.UniqueConstraint(fields=["review", "agency"],
                                    condition=Q(ended_on__isnull=True, panel_role="member"),
                                    name="one_panel_member_per_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.get_panel_role_display()}: {self.user}"

    def clean(self) -> None:
        check_dates(self, past_only=("appointed_on", "ended_on"),
                    order=(("ended_on", "appointed_on", "An appointment cannot end before it "
                                                        "started"),))


class ParallelProcess(models.Model):
    class Kind(models.TextChoices):
        CRIMINAL = "criminal", "Criminal proceedings"
        INQUEST = "inquest", "Inquest"
        DHR = "dhr", "Domestic Homicide Review"
        SAR = "sar", "Safeguarding Adults Review"
        COURT = "court", "Court orders"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="parallel_processes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField(blank=True)
    opened_on = models.DateField()
    cleared_on = models.DateField(null=True, blank=True)
    objects = ReviewScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["opened_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({'cleared' if self.cleared_on else 'open'})"

    @property
    def is_open(self) -> bool:
        return self.cleared_on is None

    def clean(self) -> None:
        check_dates(self, past_only=("opened_on", "cleared_on"),
                    order=(("cleared_on", "opened_on", "It cannot clear before it started"),))


class ClockKind(models.TextChoices):
    NOTIFICATION = "notification", "Notify the national Panel"
    RAPID_REVIEW = "rapid_review", "Rapid review"
    FINAL_REPORT = "final_report", "Final report"
    PUBLICATION_NOTICE = "publication_notice", "Send the report to the national Panel"


class ClockPause(models.Model):
    """A clock stopped for a reason (usually a parallel process), then resumed."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="clock_pauses")
    clock = models.CharField(max_length=30, choices=ClockKind.choices)
    reason = models.TextField()
    parallel_process = models.ForeignKey(ParallelProcess, on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="pauses")
    paused_on = models.DateField()
    resumed_on = models.DateField(null=True, blank=True)
    objects = ReviewScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["paused_on"]
        constraints = [
            models.UniqueConstraint(fields=["review", "clock"], condition=Q(resumed_on__isnull=True),
                                    name="one_open_pause_per_clock"),
        ]

    def __str__(self) -> str:
        return f"{self.get_clock_display()} paused {self.paused_on}"

    def clean(self) -> None:
        check_dates(self, past_only=("paused_on", "resumed_on"),
                    order=(("resumed_on", "paused_on", "A clock cannot resume before it was "
                                                       "paused"),))


class DelayExplanation(models.Model):
    """Why a clock was missed: required before a missed clock stops showing as unexplained."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="delay_explanations")
    clock = models.CharField(max_length=30, choices=ClockKind.choices)
    explanation = models.TextField()
    recorded_on = models.DateField(default=timezone.localdate)
    objects = ReviewScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "clock"],
                                               name="one_explanation_per_clock")]

    def __str__(self) -> str:
        return f"Delay explained: {self.get_clock_display()}"


class StageChange(models.Model):
    """One row per transition: who moved the review, when, from where to where, and why."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    objects = ReviewScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class EvidenceRequestQuerySet(ReviewScopedQuerySet):
    def for_user(self, user: object, action: str = "view") -> models.QuerySet:
        """An agency lead sees only requests made to their own agency."""
        from agencies.roles import Role

        from .access import direct_grant_reviews

        qs = super().for_user(user, action)
        if not getattr(user, "is_authenticated", False) or user.has_role(  # type: ignore[attr-defined]
                Role.BUSINESS_MANAGER):
            return qs
        own = user.agency_ids(Role.AGENCY_LEAD)  # type: ignore[attr-defined]
        return qs.filter(Q(review__in=direct_grant_reviews(user)) | Q(agency_id__in=own))


class EvidenceRequest(models.Model):
    """A request to one agency for its agency report (IMR) and chronology."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="evidence_requests")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="evidence_requests")
    description = models.TextField(default="Agency report (IMR) and chronology")
    requested_on = models.DateField(default=timezone.localdate)
    due_on = models.DateField()
    received_on = models.DateField(null=True, blank=True)
    withdrawn = models.BooleanField(default=False)

    objects = EvidenceRequestQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"Evidence from {self.agency}"

    def clean(self) -> None:
        check_dates(self, past_only=("requested_on", "received_on"), order=(
            ("due_on", "requested_on", "The due date cannot be before the request"),
            ("received_on", "requested_on", "It cannot be received before it was requested"),
        ))

    @property
    def is_overdue(self) -> bool:
        return not self.received_on and not self.withdrawn and self.due_on < timezone.localdate()
