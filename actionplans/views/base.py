"""What the action-plan views share: finding a plan the person may see, the page of a form."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from actionplans.models import Action, ActionPlan
from agencies.models import User
from agencies.models.roles import Role
from reviews.models import Review
from scr.access import object_for_action_or_404, scoped_object_or_404
from scr.actions import Action as ScopeAction

__all__ = ["action_back", "plan_review"]


def plan_review(user: User, pk: int, action: ScopeAction = "view") -> tuple[Review, ActionPlan | None]:
    """The review whose plan a page shows, and its plan (``None`` before the first action).

    A business manager reaches every review's plan (even before it has one); anyone else
    reaches a plan in their scope (an agency lead's through their agency's actions, the
    review's appointed reviewer and panel) and only once it exists; outside it: 404."""
    if user.has_role(Role.BUSINESS_MANAGER):
        review = scoped_object_or_404(Review, user, "manage", pk=pk)
        return review, ActionPlan.objects.filter(review=review).first()
    plan = scoped_object_or_404(ActionPlan, user, action, review_id=pk)
    return plan.review, plan


def plan_or_404(user: User, pk: int) -> ActionPlan:
    _review, plan = plan_review(user, pk)
    if plan is None:
        raise Http404
    return plan


def action_back(obj: Any) -> str:
    action = obj if isinstance(obj, Action) else obj.action
    return reverse("action", args=[action.pk])


def plan_back(review_id: int) -> str:
    return reverse("action_plan", args=[review_id])


def get_plan_for_board(user: User, pk: int, *, managers_read: bool = False) -> ActionPlan:
    """The plan of review ``pk`` whose closure a board member signs off (``aggregate``: a page
    of counts). Only the board signs off: anyone else gets a 403 for a plan they may see and
    a 404 for one they may not, or for a review with no plan or no review at all.
    ``managers_read``: business managers reach it too (the board's read of the plan, which
    they check before the board sees it)."""
    board = (Role.BOARD_MEMBER, Role.BUSINESS_MANAGER) if managers_read else (Role.BOARD_MEMBER,)
    if not user.has_role(*board):
        if ActionPlan.objects.for_user(user, "view").filter(review_id=pk).exists():
            raise PermissionDenied
        raise Http404
    return object_for_action_or_404(ActionPlan, user, "aggregate", review_id=pk)
