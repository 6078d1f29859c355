"""Hand-offs of an action plan, announced to whoever acts next (``scr.notifications``): an
action assigned to an agency, a completed action to verify, an action returned to its agency,
a plan ready for the board's closure sign-off. Called by the services in their transaction;
texts are references and agency names only (they may be e-mailed).

``ACTION_HANDOFFS`` says, for every status an action can reach, the kind it raises or why it
is no hand-off (tests/test_handoffs.py walks it).
"""

from __future__ import annotations

from django.urls import reverse

from actionplans.models import FINISHED, Action, ActionStatus
from agencies.models import Membership, User
from agencies.models.roles import Role
from reviews.models import Stage
from reviews.services.handoffs import NOT_A_HANDOFF, agency_leads, business_managers
from scr.notifications import notify, register

__all__ = [
    "ACTION_HANDOFFS",
    "HANDOFF_KINDS",
    "notify_action_assigned",
    "notify_action_moved",
]

ACTION_ASSIGNED = register("action_assigned", "An action assigned to your agency",
                           "the lead agency's leads and the action's owner")
ACTION_COMPLETED = register("action_completed", "A completed action to verify",
                            "business managers")
ACTION_RETURNED = register("action_returned", "An action returned to your agency",
                           "the lead agency's leads and the action's owner")
PLAN_READY = register("plan_ready", "An action plan ready for the board's closure sign-off",
                      "board members")
HANDOFF_KINDS = (ACTION_ASSIGNED, ACTION_COMPLETED, ACTION_RETURNED, PLAN_READY)

S = ActionStatus
ACTION_HANDOFFS: dict[str, str] = {
    S.NOT_STARTED: ACTION_ASSIGNED,
    S.IN_PROGRESS: NOT_A_HANDOFF + "the agency still acts (from Completed: action_returned)",
    S.COMPLETED: ACTION_COMPLETED,
    S.VERIFIED: PLAN_READY + " (when it was the plan's last)",
    S.CLOSED: PLAN_READY + " (when it was the plan's last)",
}


def _agency_people(action: Action) -> list[User]:
    people = {u.pk: u for u in agency_leads(action.lead_agency_id)}
    people.setdefault(action.owner_id, action.owner)
    return list(people.values())


def notify_action_assigned(*, by: User, action: Action) -> None:
    notify(by=by, recipients=_agency_people(action), kind=ACTION_ASSIGNED, item=action,
           event=f"action-{action.pk}",
           text=f"{action.reference}: an action is assigned to {action.lead_agency}, due "
                f"{action.target_date.day} {action.target_date:%B %Y}",
           path=reverse("action", args=[action.pk]))


def _board_members() -> list[User]:
    return list(User.objects.filter(is_active=True, pk__in=Membership.objects.active().filter(
        role=Role.BOARD_MEMBER).values("user_id")).order_by("pk"))


def notify_action_moved(*, by: User, action: Action, before: str) -> None:
    """The hand-off of an action's new status, if it is one."""
    if action.status == S.COMPLETED:
        notify(by=by, recipients=business_managers(), kind=ACTION_COMPLETED, item=action,
               event=f"action-{action.pk}-completed-{action.history.count()}",
               text=f"{action.reference}: {action.lead_agency} completed the action: verify "
                    f"its evidence of impact", path=reverse("action", args=[action.pk]))
    elif action.status == S.IN_PROGRESS and before == S.COMPLETED:
        notify(by=by, recipients=_agency_people(action), kind=ACTION_RETURNED, item=action,
               event=f"action-{action.pk}-returned-{action.history.count()}",
               text=f"{action.reference}: the action was returned to {action.lead_agency}: "
                    f"more is needed", path=reverse("action", args=[action.pk]))
    elif action.status in FINISHED and action.review.stage == Stage.MONITORING:
        plan = action.plan
        if Action.objects.filter(plan=plan).exclude(status__in=sorted(FINISHED)).exists():
            return
        notify(by=by, recipients=_board_members(), kind=PLAN_READY, item=plan,
               event=f"plan-{plan.pk}-ready-{action.review.stage_entered_at.isoformat()}",
               text=f"{action.review.reference}: every action of the plan is verified or "
                    f"closed: the board may sign off its closure",
               path=reverse("action_plan_sign_off", args=[action.review_id]))
