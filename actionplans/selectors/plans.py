"""Reads of action plans, already narrowed to what the person may see.

Recommendation and action texts are typed by people and may hold real names: anyone without
the review's ``view_identifiable`` access reads them through the pseudonymiser
(``scr.pseudonymise``), with the review's register (``registers``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from actionplans.models import FINISHED, OPEN_STATUSES, Action, ActionPlan, ActionStatus, Milestone
from actionplans.models.plans import ActionQuerySet
from actionplans.selectors.measures import MeasureSeries, measure_series, plan_measure_summary
from agencies.models import User
from agencies.models.roles import Role
from reviews.models import Recommendation, Review, Stage
from reviews.models.scope import can_see_identities
from reviews.selectors import Task, review_registers
from reviews.selectors import tasks_for as review_tasks_for
from scr.pseudonymise import RegisterEntry, pseudonymise

__all__ = [
    "PlanPage",
    "action_page",
    "actions_of",
    "agency_action_tasks",
    "board_plan_tasks",
    "closure_blockers",
    "manager_action_tasks",
    "plan_actions",
    "plan_closure_missing",
    "plan_page",
    "plan_rows",
    "plan_status_counts",
    "readable",
    "registers",
    "tasks_for",
]


def registers(review_ids: Iterable[int]) -> dict[int, list[RegisterEntry]]:
    """The pseudonym register of each review (``reviews.selectors.review_registers``)."""
    return review_registers(review_ids)


def readable(user: User | None, review: Review, texts: dict[str, str],
             register: list[RegisterEntry] | None = None) -> dict[str, str]:
    """The texts as this person may read them: as typed with identifiable access, else with
    every name in the review's register replaced by its pseudonym."""
    if user is not None and can_see_identities(user, review):
        return texts
    entries = register if register is not None else registers([review.pk])[review.pk]
    return {key: pseudonymise(text, entries) for key, text in texts.items()}


def actions_of(user: User, qs: ActionQuerySet | None = None) -> QuerySet[Action]:
    """The actions this person may see, with their RAG and what the lists show."""
    qs = qs if qs is not None else Action.objects.all()
    return (qs.filter(pk__in=Action.objects.for_user(user, "view").values("pk"))
            .with_rag()
            .select_related("review", "recommendation", "lead_agency", "owner")
            .order_by("review__reference", "recommendation__number", "number"))


@dataclass
class ActionRow:
    action: Action
    recommendation_text: str
    action_text: str


def _rows(user: User, review: Review, actions: Iterable[Action]) -> list[ActionRow]:
    register = None if can_see_identities(user, review) else registers([review.pk])[review.pk]
    rows = []
    for action in actions:
        texts = readable(user, review, {"r": action.recommendation.text, "a": action.action_text},
                         register)
        rows.append(ActionRow(action, texts["r"], texts["a"]))
    return rows


@dataclass
class PlanPage:
    review: Review
    plan: ActionPlan | None
    rows: list[ActionRow]
    recommendations: list[tuple[Recommendation, str]]
    monitoring: list[Any]
    blockers: list[str]
    can_manage: bool
    measures: list[tuple[Action, MeasureSeries]]


def plan_page(user: User, review: Review, plan: ActionPlan | None) -> PlanPage:
    """The plan page (``plan``: the review's plan as the view found it, ``None`` before the
    first action): the actions this person may see; for business managers also the
    recommendations (to add actions to), the monitoring reviews and what stops closure."""
    can_manage = user.has_role(Role.BUSINESS_MANAGER)
    actions = actions_of(user, Action.objects.filter(review=review)).prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "id")))
    recommendations: list[tuple[Recommendation, str]] = []
    if can_manage:
        register = registers([review.pk])[review.pk]
        for rec in (review.recommendations.filter(withdrawn=False).select_related("agency")
                    .annotate(action_count=Count("actions")).order_by("number")):
            recommendations.append((rec, readable(user, review, {"t": rec.text}, register)["t"]))
    return PlanPage(review, plan, _rows(user, review, actions), recommendations,
                    list(plan.monitoring_reviews.select_related("by")) if plan and can_manage
                    else [],
                    closure_blockers(plan) if plan and can_manage else [], can_manage,
                    plan_measure_summary(actions_of(user, Action.objects.filter(review=review))))


def action_page(user: User, action: Action) -> dict[str, Any]:
    texts = readable(user, action.review, {"recommendation_text": action.recommendation.text,
                                           "action_text": action.action_text,
                                           "agency_response": action.agency_response,
                                           "outcome": action.outcome})
    rag = Action.objects.filter(pk=action.pk).with_rag().values_list(
        "rag", flat=True).get()
    return {
        **texts, "action": action, "rag": rag,
        "milestones": list(action.milestones.all()),
        "progress": list(action.progress.select_related("by")),
        "date_changes": list(action.date_changes.select_related("by")),
        "evidence": list(action.impact_evidence.order_by("title", "-version")),
        "measures": (series := measure_series([action.pk])[action.pk]),
        "measures_rows": [series.baseline, *series.points] if series.baseline else [],
        "can_change": Action.objects.for_user(user, "change").filter(pk=action.pk).exists(),
        "can_manage": user.has_role(Role.BUSINESS_MANAGER),
    }


def plan_closure_missing(review: Review) -> list[str]:
    """The Monitoring → Closed guard (``ACTION_PLAN_CLOSURE_GUARD``): the board has signed off
    the closure of the review's plan since the review last entered Monitoring (a reopened
    review's plan needs a new sign-off)."""
    plan = ActionPlan._base_manager.filter(review=review).first()
    signed = plan.closure_signed_off_at if plan is not None else None
    if signed is None or signed < review.stage_entered_at:
        return ["the board's sign-off of the action plan's closure (every action verified or "
                "formally closed)"]
    return []


def agency_action_tasks(user: User, today: date) -> list[Task]:
    """An agency lead: their agency's open actions, each with its target date."""
    horizon = today + timedelta(days=settings.REMINDER_LOOKAHEAD_DAYS)
    tasks = []
    for action in (Action.objects.for_user(user, "change").filter(status__in=OPEN_STATUSES)
                   .select_related("review", "recommendation", "lead_agency")
                   .order_by("target_date")[:30]):
        returned = " (returned: more is needed)" if action.returned_note else ""
        soon = " (due soon)" if today <= action.target_date <= horizon else ""
        tasks.append(Task(f"{action.reference}: update the action of {action.lead_agency}"
                          f"{returned or soon}", reverse("action", args=[action.pk]),
                          action.target_date, action.target_date < today))
    return tasks


def manager_action_tasks(user: User, today: date) -> list[Task]:
    """A business manager: completed actions whose evidence of impact awaits verification."""
    return [Task(f"{action.reference}: verify the evidence of impact",
                 reverse("action", args=[action.pk]))
            for action in (Action.objects.filter(status=ActionStatus.COMPLETED)
                           .select_related("review", "recommendation")
                           .order_by("completed_on")[:30])]


def board_plan_tasks(user: User, today: date) -> list[Task]:
    """A board member: the plans whose every action is verified or closed, to sign off."""
    unfinished = Action.objects.filter(plan=OuterRef("pk")).exclude(status__in=sorted(FINISHED))
    ready = (ActionPlan.objects.for_user(user, "aggregate")
             .filter(review__stage=Stage.MONITORING, closure_signed_off_at__isnull=True)
             .exclude(Exists(unfinished)).values_list("review_id", "review__reference"))
    return [Task(f"{reference}: sign off the action plan's closure",
                 reverse("action_plan_sign_off", args=[review_id]))
            for review_id, reference in ready[:30]]


def tasks_for(user: User) -> list[Task]:
    """The home page's tasks: the review tasks of each of the person's roles, then the action
    plans' (``agency_action_tasks``, ``manager_action_tasks``, ``board_plan_tasks``)."""
    tasks = review_tasks_for(user)
    if not getattr(user, "is_authenticated", False):
        return tasks
    today = timezone.localdate()
    if user.has_role(Role.AGENCY_LEAD):
        tasks += agency_action_tasks(user, today)
    if user.has_role(Role.BUSINESS_MANAGER):
        tasks += manager_action_tasks(user, today)
    if user.has_role(Role.BOARD_MEMBER):
        tasks += board_plan_tasks(user, today)
    return tasks


def plan_status_counts(plan: ActionPlan) -> list[tuple[str, int]]:
    """How many of the plan's actions are at each status (the board's sign-off page: counts,
    never the actions' texts)."""
    from django.db.models import Count

    counts = dict(plan.actions.order_by().values_list("status").annotate(n=Count("pk")))
    return [(str(label), counts.get(value, 0)) for value, label in ActionStatus.choices]


def closure_blockers(plan: ActionPlan) -> list[str]:
    """What stops the plan closing: a recommendation with no action, an action not yet
    verified or formally closed (by reference, never by its text)."""
    missing: list[str] = []
    recommendations = plan.review.recommendations.filter(withdrawn=False).order_by("number")
    with_actions = set(plan.actions.values_list("recommendation_id", flat=True))
    for rec in recommendations:
        if rec.pk not in with_actions:
            missing.append(f"an action for recommendation {rec.number}")
    unfinished = (plan.actions.exclude(status__in=sorted(FINISHED))
                  .select_related("recommendation").order_by("recommendation__number", "number"))
    for action in unfinished:
        missing.append(f"action {action.recommendation.number}.{action.number} verified or "
                       f"formally closed (it is {action.get_status_display().lower()})")
    return missing


def _milestones(action: Action) -> str:
    return "; ".join(f"{m.due_on:%d/%m/%Y}: {m.description}{' (done)' if m.done else ''}"
                     for m in action.milestones.all())


def plan_rows(user: Any, actions: Iterable[Action]) -> Iterator[list[Any]]:
    """One row per action, in ``EXPORT_COLUMNS`` order (texts as ``user`` may read them;
    ``None`` for the pseudonymised text every reader may see)."""
    actions = list(actions)
    register = registers({a.review_id for a in actions})
    for a in actions:
        texts = readable(user, a.review, {"r": a.recommendation.text, "a": a.action_text,
                                          "m": _milestones(a), "s": a.success_measure,
                                          "resp": a.agency_response, "o": a.outcome},
                         register.get(a.review_id, []))
        owner = a.owner.get_full_name() or a.owner.username
        yield [f"Recommendation {a.recommendation.number}: {texts['r']}", a.get_scope_display(),
               texts["a"], a.lead_agency.name, f"{owner} ({a.owner.username})", texts["m"],
               a.target_date, texts["s"], texts["resp"], a.get_status_display(),
               (getattr(a, "rag", "") or "").capitalize(),
               a.completed_on, texts["o"]]


def plan_actions(plan: ActionPlan, qs: Any = None) -> Any:
    base = qs if qs is not None else Action.objects.filter(plan=plan)
    return (base.filter(plan=plan).with_rag()
            .select_related("review", "recommendation", "lead_agency", "owner")
            .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by(
                "due_on", "id")))
            .order_by("recommendation__number", "number"))
