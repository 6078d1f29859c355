"""The plan as a whole: quarterly monitoring reviews and the board's sign-off of closure.

Closure: the plan of a review closes only when every recommendation has at least one action
and every action is verified or formally closed; then a board member signs off its closure,
which — in the same transaction — moves the review from Monitoring to Closed through the
review's own guard (``reviews.workflow``, whose Monitoring → Closed guard asks
``actionplans.selectors.plan_closure_missing`` through ``ACTION_PLAN_CLOSURE_GUARD``).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from actionplans.models import EXPORT_COLUMNS, ActionPlan, MonitoringReview
from actionplans.selectors.plans import closure_blockers, plan_actions, plan_rows
from actionplans.services.base import plan_stage, require_manager
from agencies.models import User
from agencies.models.roles import Role
from reviews import services as review_services
from reviews.models import Stage
from scr.history import save_with_history
from scr.rules import fresh_locked, require_reason
from scr.workdays import add_months

__all__ = [
    "monitoring_review_record",
    "plan_pdf_html",
    "plan_sign_off_closure",
]


@transaction.atomic(durable=True)
def monitoring_review_record(*, by: User, plan: ActionPlan, held_on: date, overall_rag: str,
                             commentary: str, next_due_on: date | None = None
                             ) -> MonitoringReview:
    """The business manager's quarterly review of a plan; the next one is scheduled
    (``MONITORING_INTERVAL_MONTHS`` later unless another date is given) and reminded."""
    require_manager(by, "Only a business manager can record a monitoring review.")
    locked = fresh_locked(plan)
    plan_stage(locked.review)
    commentary = require_reason(commentary, "Enter the commentary", field="commentary")
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "The date of the monitoring review cannot be in the "
                                          "future"})
    next_due_on = next_due_on or add_months(held_on, settings.MONITORING_INTERVAL_MONTHS)
    if next_due_on <= held_on:
        raise ValidationError({"next_due_on": "The next monitoring review must be after this one"})
    record = save_with_history(MonitoringReview(
        review=locked.review, plan=locked, held_on=held_on, overall_rag=overall_rag,
        commentary=commentary, next_due_on=next_due_on, by=by), by=by,
        reason="Monitoring review recorded")
    locked.next_monitoring_on = next_due_on
    save_with_history(locked, by=by, reason="Next monitoring review scheduled")
    plan.refresh_from_db()
    return record


@transaction.atomic(durable=True)
def plan_sign_off_closure(*, by: User, plan: ActionPlan, note: str) -> ActionPlan:
    """A board member signs off the plan's closure, and the review moves to Closed."""
    if not by.has_role(Role.BOARD_MEMBER):
        raise ValidationError("Only a board member can sign off the closure of an action plan.")
    if not ActionPlan.objects.for_user(by, "aggregate").filter(pk=plan.pk).exists():
        raise ValidationError("You cannot sign off this plan.")
    locked = fresh_locked(plan)
    note = require_reason(note, "Enter the board's sign-off note", field="note")
    if locked.review.stage != Stage.MONITORING:
        raise ValidationError(f"The review is at {Stage(locked.review.stage).label}, not action "
                              "plan monitoring: its plan cannot be closed. Nothing was changed.")
    blockers = closure_blockers(locked)
    if blockers:
        raise ValidationError("The plan cannot close yet. Still needed: " + "; ".join(blockers)
                              + ". Nothing was changed.")
    locked.closure_signed_off_at, locked.closure_signed_off_by = timezone.now(), by
    locked.closure_note = note
    save_with_history(locked, by=by, reason=f"Closure signed off by the board: {note}")
    review_services.review_transition_within(
        by=by, review=locked.review, to=Stage.CLOSED, expected_from=Stage.MONITORING,
        reason=f"Action plan closed, signed off by the board: {note}")
    plan.refresh_from_db()
    return plan


def plan_pdf_html(plan: ActionPlan) -> str:
    """The renderer of ``actionplans.plan`` (``scr.renders``, registered in ``apps.py``, run
    on the ``pdf`` queue through a render record): the whole plan, its texts always through
    the pseudonymiser whoever asked for it, since a PDF travels."""
    rows = list(plan_rows(None, plan_actions(plan)))
    return render_to_string("actionplans/plan_pdf.html", {
        "plan": plan, "review": plan.review, "columns": EXPORT_COLUMNS, "rows": rows,
        "generated": timezone.localtime()})
