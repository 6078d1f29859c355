"""Action plans (DOMAIN.md stage 10): recommendations → actions → progress → evidence of
impact → verification → the board's sign-off of the plan's closure.

- ``ActionPlan`` — one per review: the next quarterly monitoring review it is due, and the
  board's sign-off of its closure (which moves the review from Monitoring to Closed).
- ``Action`` — one action answering one recommendation, in the columns partnerships use in
  their spreadsheets (``EXPORT_COLUMNS``). Its RAG is computed (``rag_expression``), never
  typed; its original target date is kept beside the one in force.
- ``Milestone`` — a key milestone of an action (date, done or not).
- ``ProgressUpdate`` — an agency's progress note, with the status move it made.
- ``TargetDateChange`` — each move of a target date, with its reason.
- ``ImpactEvidence`` — evidence of impact: a secure document (``scr.models.StoredDocument``).
- ``MonitoringReview`` — the business manager's quarterly review of a plan.

Scope (``ActionQuerySet.for_user``): business managers see every action; an agency lead sees
and updates only the actions their agency leads (another agency's action is a 404); the
review's appointed reviewer and panel read its actions; board members see none (they see
aggregate figures on their own page).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agencies.models import Agency, User
from reviews.models import Recommendation, Review, ReviewRecord, ReviewScopedQuerySet
from scr import filetypes
from scr.actions import Action as ScopeAction
from scr.history import EVERY_FIELD
from scr.models import StoredDocument
from scr.text import NARRATIVE_LENGTH, REASON_LENGTH

__all__ = [
    "EXPORT_COLUMNS",
    "FINISHED",
    "OPEN_STATUSES",
    "Action",
    "ActionPlan",
    "ActionPlanQuerySet",
    "ActionQuerySet",
    "ActionStatus",
    "ImpactEvidence",
    "Milestone",
    "MonitoringReview",
    "ProgressUpdate",
    "Rag",
    "TargetDateChange",
    "rag_expression",
]

# The columns of a partnership's action-plan spreadsheet, in order: exports write them and
# imports read them in exactly this order.
EXPORT_COLUMNS: tuple[str, ...] = (
    "Recommendation", "Scope", "Action to be taken", "Lead agency", "Owner", "Key milestones",
    "Target date", "Success measure", "Agency's response", "Status", "RAG",
    "Date of completion", "Outcome",
)


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    VERIFIED = "verified", "Verified"
    CLOSED = "closed", "Formally closed"


# Done for good: the plan may close once every action is one of these.
FINISHED = frozenset({ActionStatus.VERIFIED, ActionStatus.CLOSED})
OPEN_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    BLUE = "blue", "Blue (complete)"


def _lead_agency_actions(user: User) -> Q:
    from agencies.models.roles import Role

    return Q(lead_agency_id__in=sorted(user.agency_ids(Role.AGENCY_LEAD)))


class ActionQuerySet(ReviewScopedQuerySet):
    """Actions by who may see and update them (module docstring)."""

    def for_user(self, user: User, action: ScopeAction = "view") -> Self:
        from agencies.models.roles import Role
        from reviews.models.scope import direct_grant_reviews

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.has_role(Role.BUSINESS_MANAGER):
            return self.all()
        if action == "aggregate":
            return self.all() if user.has_role(Role.BOARD_MEMBER) else self.none()
        own = _lead_agency_actions(user)
        if action == "view":
            return self.filter(own | Q(review__in=direct_grant_reviews(user)))
        if action == "change":
            return self.filter(own)
        if action in ("view_history", "view_identifiable"):
            return self.filter(own & Q(review__in=Review.objects.for_user(user, action).values("pk"))
                               | Q(review__in=direct_grant_reviews(user)))
        return self.none()  # manage: verify, return, close: business managers only

    def open(self) -> ActionQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def with_rag(self, on: Any = None) -> ActionQuerySet:
        return self.annotate(rag=rag_expression(on))


if TYPE_CHECKING:
    ActionManager = models.Manager.from_queryset(ActionQuerySet)


class ActionPlanQuerySet(ReviewScopedQuerySet):
    """A plan: business managers; the review's appointed reviewer and panel; an agency lead
    whose agency leads one of its actions (the plan page then lists only those). The board
    signs off a plan's closure (``aggregate``: a page of counts, never the actions)."""

    def for_user(self, user: User, action: ScopeAction = "view") -> Self:
        from agencies.models.roles import Role
        from reviews.models.scope import direct_grant_reviews

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.has_role(Role.BUSINESS_MANAGER):
            return self.all()
        if action == "aggregate":
            return (self.filter(review__published_on__isnull=False)
                    if user.has_role(Role.BOARD_MEMBER) else self.none())
        if action != "view":
            return self.none()
        ours = Action.objects.filter(plan=OuterRef("pk")).filter(_lead_agency_actions(user))
        return self.filter(Q(Exists(ours)) | Q(review__in=direct_grant_reviews(user)))


if TYPE_CHECKING:
    ActionPlanManager = models.Manager.from_queryset(ActionPlanQuerySet)


class ActionScopedRecord(ReviewRecord):
    """On the review's History page, these records' rows through their own scope (an agency
    lead reads only their agency's actions' history), not the review's."""

    class Meta:
        abstract = True

    @classmethod
    def history_in(cls, user: User, review: models.Model) -> models.QuerySet:
        # A Q: mypy's Django plugin cannot resolve the fields of an abstract model.
        visible = cls.objects.for_user(user, "view_history").filter(Q(review=review))
        return cls.history.filter(id__in=visible.values("pk"))


class ActionPlan(ActionScopedRecord):
    """The action plan of one review."""

    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="action_plan")
    next_monitoring_on = models.DateField(
        null=True, blank=True, help_text="When the next quarterly monitoring review is due.")
    closure_signed_off_at = models.DateTimeField(null=True, blank=True)
    closure_signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                              null=True, blank=True, related_name="+")
    closure_note = models.TextField(blank=True, help_text="The board's sign-off of closure.",
                                    max_length=NARRATIVE_LENGTH)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[ActionPlanManager[Self]] = ActionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Action plan of {self.review}"


class Action(ActionScopedRecord):
    """One action answering one recommendation (the spreadsheet's columns)."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="actions")
    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="actions")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT,
                                       related_name="actions")
    number = models.PositiveIntegerField(help_text="Action 1, 2, … of its recommendation.")
    scope = models.CharField(max_length=20, choices=Recommendation.Scope.choices,
                             default=Recommendation.Scope.LOCAL)
    action_text = models.TextField("Action to be taken", max_length=NARRATIVE_LENGTH)
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="actions")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="owned_actions")
    start_date = models.DateField(default=timezone.localdate)
    original_target_date = models.DateField(editable=False)
    target_date = models.DateField()
    success_measure = models.TextField(help_text="How we will know it worked.", max_length=NARRATIVE_LENGTH)
    agency_response = models.TextField("Agency's response", blank=True, max_length=NARRATIVE_LENGTH)
    status = models.CharField(max_length=20, choices=ActionStatus.choices,
                              default=ActionStatus.NOT_STARTED)
    completed_on = models.DateField("Date of completion", null=True, blank=True)
    outcome = models.TextField(blank=True, max_length=NARRATIVE_LENGTH)
    returned_note = models.TextField(blank=True,
                                     help_text="What is missing, when verification was refused.",
                                     max_length=NARRATIVE_LENGTH)
    closed_reason = models.TextField(blank=True, max_length=REASON_LENGTH)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[ActionManager[Self]] = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["review", "recommendation__number", "number"]
        constraints = [models.UniqueConstraint(fields=["recommendation", "number"],
                                               name="one_action_number_per_recommendation")]
        indexes = [models.Index(fields=["status", "target_date"]),
                   models.Index(fields=["owner", "status", "target_date"]),
                   models.Index(fields=["lead_agency", "status"])]

    def __str__(self) -> str:
        return f"Action {self.recommendation.number}.{self.number}" if self.recommendation_id \
            else f"Action {self.number}"

    @property
    def reference(self) -> str:
        """``SCR-2026-004 R2.1``: the review, the recommendation and the action."""
        return f"{self.review.reference} R{self.recommendation.number}.{self.number}"

    @property
    def target_date_moved(self) -> bool:
        return self.target_date != self.original_target_date


class ActionChildQuerySet(ReviewScopedQuerySet):
    """Records of one action (milestones, progress, date changes, evidence) take the
    action's scope."""

    def for_user(self, user: User, action: ScopeAction = "view") -> Self:
        return self.filter(action__in=Action.objects.for_user(user, action).values("pk"))


if TYPE_CHECKING:
    ActionChildManager = models.Manager.from_queryset(ActionChildQuerySet)


class _PlanChildQuerySet(ReviewScopedQuerySet):
    """Records of one plan (its monitoring reviews) take the plan's scope."""

    def for_user(self, user: User, action: ScopeAction = "view") -> Self:
        return self.filter(plan__in=ActionPlan.objects.for_user(user, action).values("pk"))


if TYPE_CHECKING:
    _PlanChildManager = models.Manager.from_queryset(_PlanChildQuerySet)


class Milestone(ActionScopedRecord):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="action_milestones")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="milestones")
    description = models.CharField(max_length=300)
    due_on = models.DateField()
    done = models.BooleanField(default=False)
    done_on = models.DateField(null=True, blank=True)

    objects: ClassVar[ActionChildManager[Self]] = ActionChildQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["action", "done", "due_on"])]

    def __str__(self) -> str:
        return f"Milestone: {self.description[:60]}"


class ProgressUpdate(ActionScopedRecord):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="action_progress")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="progress")
    note = models.TextField(max_length=NARRATIVE_LENGTH)
    status_from = models.CharField(max_length=20, choices=ActionStatus.choices)
    status_to = models.CharField(max_length=20, choices=ActionStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[ActionChildManager[Self]] = ActionChildQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Progress on {self.action_id}"


class TargetDateChange(ActionScopedRecord):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="action_date_changes")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="date_changes")
    from_date = models.DateField()
    to_date = models.DateField()
    reason = models.TextField(max_length=REASON_LENGTH)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[ActionChildManager[Self]] = ActionChildQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Target date {self.from_date:%-d %B %Y} → {self.to_date:%-d %B %Y}"


class ImpactEvidence(StoredDocument):
    """Evidence of impact of one action: a secure document, versioned per title."""

    ALLOWED_TYPES = frozenset({filetypes.PDF, filetypes.DOCX, filetypes.XLSX, filetypes.ODT,
                               filetypes.TEXT, filetypes.PNG, filetypes.JPEG})
    # The review is named too (it follows from the action) so the access log files each
    # download under its review.
    LOGICAL_KEY = ("review", "action", "title")

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="impact_evidence")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="impact_evidence")
    title = models.CharField(max_length=200, help_text="What it shows, e.g. “Audit of strategy "
                                                       "meetings, October”.")

    history = HistoricalRecords()
    history_fields = EVERY_FIELD  # its page shows every field to whoever may read it (scr.history)
    objects = ActionChildQuerySet.as_manager()

    class Meta(StoredDocument.Meta):
        constraints = [models.UniqueConstraint(fields=["review", "action", "title", "version"],
                                               name="impact_evidence_version_once")]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class MonitoringReview(ActionScopedRecord):
    """A quarterly monitoring review of a plan: date, overall RAG, commentary."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="monitoring_reviews")
    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT,
                             related_name="monitoring_reviews")
    held_on = models.DateField()
    overall_rag = models.CharField(max_length=10, choices=Rag.choices)
    commentary = models.TextField(max_length=NARRATIVE_LENGTH)
    next_due_on = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[_PlanChildManager[Self]] = _PlanChildQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"Monitoring review of {self.held_on:%d %B %Y}"


def rag_expression(on: date | None = None) -> Case:
    """The RAG of each action of a queryset on the day ``on`` (today by default).

    The RAG of an action, computed from its status, milestones and dates (never typed).

    One definition, as a SQL expression, so lists, exports, the digest and the board's counts
    over every action all read the same rule (and the board's figures are one query). The
    rules, first match wins (docs/action-plans.md; the day counts are settings):

    | # | when | RAG |
    |---|---|---|
    | 1 | verified, or formally closed | blue (complete) |
    | 2 | completed (awaiting verification) | green |
    | 3 | the target date has passed | red |
    | 4 | a milestone's date has passed and it is not done | amber |
    | 5 | the target date is within ``ACTION_RAG_AMBER_DAYS`` (30) | amber |
    | 6 | not started and the target date is within ``ACTION_RAG_NOT_STARTED_AMBER_DAYS`` (90) | amber |
    | 7 | otherwise | green |
    """
    today = on or timezone.localdate()
    # Uncorrelated ("id IN (...)"): PostgreSQL hashes the late milestones' actions once
    # rather than probing the milestones once per action (the board counts 100,000 actions).
    late_milestone = Milestone._base_manager.filter(done=False, due_on__lt=today).values(
        "action_id")
    return Case(
        When(status__in=sorted(FINISHED), then=Value(Rag.BLUE)),
        When(status=ActionStatus.COMPLETED, then=Value(Rag.GREEN)),
        When(target_date__lt=today, then=Value(Rag.RED)),
        When(pk__in=late_milestone, then=Value(Rag.AMBER)),
        When(target_date__lte=today + timedelta(days=settings.ACTION_RAG_AMBER_DAYS),
             then=Value(Rag.AMBER)),
        When(status=ActionStatus.NOT_STARTED,
             target_date__lte=today + timedelta(days=settings.ACTION_RAG_NOT_STARTED_AMBER_DAYS),
             then=Value(Rag.AMBER)),
        default=Value(Rag.GREEN),
        output_field=models.CharField(),
    )
