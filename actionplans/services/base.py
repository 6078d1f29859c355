"""What the action-plan services share: the locked action, role checks, the review's
moment (an action plan is worked on once the review is published)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from actionplans.models import Action, ActionPlan
from agencies.models import User
from agencies.models.roles import Role
from reviews.models import Review, Stage
from scr.history import save_with_history
from scr.rules import fresh_locked

__all__: list[str] = []

# An action plan is built and worked on from publication until the review closes.
PLAN_STAGES = (Stage.PUBLICATION, Stage.MONITORING)


def require_manager(by: User, message: str = "Only a business manager can do this.") -> None:
    if not by.has_role(Role.BUSINESS_MANAGER):
        raise ValidationError(message)


def plan_stage(review: Review) -> None:
    """The plan changes only while the review is at Publication or Monitoring."""
    if review.stage not in PLAN_STAGES:
        raise ValidationError(
            f"This review is at {Stage(review.stage).label}: its action plan can change only "
            "once it is published and until it closes. Nothing was changed.")


def locked_action(by: User, action: Action, scope: Any = "change") -> Action:
    """A fresh, row-locked copy of an action the person may act on (``scope``), in a review
    whose plan may still change."""
    if not Action.objects.for_user(by, scope).filter(pk=action.pk).exists():
        raise ValidationError("You cannot change this action.")
    locked = fresh_locked(action)
    plan_stage(locked.review)
    return locked


@transaction.atomic(savepoint=False)
def plan_of(review: Review, by: User) -> ActionPlan:
    """The review's plan, created with its first action."""
    plan = ActionPlan.objects.filter(review=review).first()
    if plan is None:
        plan = save_with_history(ActionPlan(review=review, created_by=by), by=by,
                                 reason="Action plan started")
    return plan
