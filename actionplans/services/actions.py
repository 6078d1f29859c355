"""Actions: created from recommendations, updated by their agency, verified by the business
manager (or returned with what is missing, or formally closed with a reason).

Every rule is here, whatever the entry point (form, import): a target date in the past on
creation, an owner who is not a member of the lead agency, a completion date before the
start, a status move not allowed from the current one, verifying without evidence of impact.
Each refusal is a ``ValidationError`` that changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from actionplans.models import (
    Action,
    ActionStatus,
    ImpactEvidence,
    Milestone,
    ProgressUpdate,
    TargetDateChange,
)
from actionplans.services import handoffs
from actionplans.services.base import locked_action, plan_of, plan_stage, require_manager
from agencies.models import Agency, Membership, User
from reviews.models import Recommendation
from scr.documents import document_store_version
from scr.history import save_with_history
from scr.rules import fresh_locked, require_reason

__all__ = [
    "AGENCY_MOVES",
    "action_change_target_date",
    "action_close",
    "action_create",
    "action_return",
    "action_update_progress",
    "action_verify",
    "impact_evidence_add",
    "milestone_add",
    "milestone_mark_done",
]

S = ActionStatus
# The moves an agency makes with a progress update; verifying, returning and closing are
# the business manager's own services. Staying at the same status is a progress note.
AGENCY_MOVES: dict[str, frozenset[str]] = {
    S.NOT_STARTED: frozenset({S.IN_PROGRESS, S.COMPLETED}),
    S.IN_PROGRESS: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset({S.IN_PROGRESS}),
    S.VERIFIED: frozenset(),
    S.CLOSED: frozenset(),
}


def _is_member(user: User, agency: Agency, on: date) -> bool:
    return Membership.objects.active(on).filter(user=user, agency=agency).exists()


def _owner_errors(owner: User | None, agency: Agency | None, on: date) -> dict[str, str]:
    if owner is None or agency is None:
        return {}
    if not _is_member(owner, agency, on):
        return {"owner": f"The owner must be a member of the lead agency: {owner} is not a "
                         f"member of {agency}"}
    return {}


def _completion_errors(start: date, completed_on: date | None, today: date) -> dict[str, str]:
    if completed_on is None:
        return {"completed_on": "Enter the date of completion"}
    if completed_on > today:
        return {"completed_on": "The date of completion cannot be in the future"}
    if completed_on < start:
        return {"completed_on": f"The date of completion cannot be before the action started "
                                f"({start:%-d %B %Y})"}
    return {}


@transaction.atomic(savepoint=False)
def create_action(*, by: User, recommendation: Recommendation, scope: str, action_text: str,
                   lead_agency: Agency, owner: User, target_date: date, success_measure: str,
                   agency_response: str = "", start_date: date | None = None,
                   status: str = S.NOT_STARTED, completed_on: date | None = None,
                   outcome: str = "", milestones: Iterable[tuple[str, date, bool]] = (),
                   reason: str = "Action added") -> Action:
    """Create one action (the form's and the import's shared rules)."""
    review = recommendation.review
    plan_stage(review)
    today = timezone.localdate()
    start = start_date or today
    if status == S.COMPLETED and start_date is None:
        # An action brought in already completed (an imported plan) started by then.
        start = min(d for d in (today, completed_on, target_date) if d is not None)
    errors: dict[str, str] = {}
    if recommendation.withdrawn:
        errors["recommendation"] = "This recommendation was withdrawn: choose another"
    if not action_text.strip():
        errors["action_text"] = "Enter the action to be taken"
    if not success_measure.strip():
        errors["success_measure"] = "Enter the success measure: how you will know it worked"
    finished_already = status == S.COMPLETED
    if status not in (S.NOT_STARTED, S.IN_PROGRESS, S.COMPLETED):
        errors["status"] = ("A new action is not started, in progress or completed: verify or "
                            "close it once it exists")
    if not finished_already and target_date < today:
        errors["target_date"] = "The target date cannot be in the past"
    elif target_date < start:
        errors["target_date"] = "The target date cannot be before the action starts"
    if finished_already:
        errors.update(_completion_errors(start, completed_on, today))
    errors.update(_owner_errors(owner, lead_agency, today))
    if not lead_agency.is_active:
        errors["lead_agency"] = f"{lead_agency} is no longer active: choose another agency"
    if errors:
        raise ValidationError(errors)
    plan = plan_of(review, by)
    number = (Action.objects.filter(recommendation=recommendation).aggregate(n=Max("number"))["n"]
              or 0) + 1
    action = save_with_history(Action(
        review=review, plan=plan, recommendation=recommendation, number=number, scope=scope,
        action_text=action_text.strip(), lead_agency=lead_agency, owner=owner,
        start_date=start, original_target_date=target_date, target_date=target_date,
        success_measure=success_measure.strip(), agency_response=agency_response.strip(),
        status=status, completed_on=completed_on if finished_already else None,
        outcome=outcome.strip(), created_by=by), by=by, reason=reason)
    for description, due_on, done in milestones:
        save_with_history(Milestone(review=review, action=action, description=description,
                                    due_on=due_on, done=done, done_on=today if done else None),
                          by=by, reason=reason)
    handoffs.notify_action_assigned(by=by, action=action)
    return action


@transaction.atomic(durable=True)
def action_create(*, by: User, recommendation: Recommendation, **fields: Any) -> Action:
    """A business manager turns a recommendation into an action of the review's plan."""
    require_manager(by, "Only a business manager can add actions to a plan.")
    recommendation = fresh_locked(recommendation)
    return create_action(by=by, recommendation=recommendation, **fields)


@transaction.atomic(durable=True)
def action_update_progress(*, by: User, action: Action, note: str, status: str,
                           completed_on: date | None = None, outcome: str = "",
                           agency_response: str | None = None) -> Action:
    """The lead agency's progress: a note, and perhaps a new status (completing needs the
    date of completion and the outcome)."""
    locked = locked_action(by, action)
    note = require_reason(note, "Enter a progress note", field="note")
    current = locked.status
    if status != current and status not in AGENCY_MOVES.get(current, frozenset()):
        raise ValidationError({"status": (
            f"An action that is {S(current).label.lower()} cannot be moved to "
            f"{S(status).label.lower()}" + (" here: the business manager verifies completed "
                                            "actions" if status == S.VERIFIED else ""))})
    today = timezone.localdate()
    if status == S.COMPLETED and current != S.COMPLETED:
        errors = _completion_errors(locked.start_date, completed_on, today)
        if not outcome.strip():
            errors["outcome"] = "Enter the outcome: what changed"
        if errors:
            raise ValidationError(errors)
        locked.completed_on, locked.outcome = completed_on, outcome.strip()
    elif status != S.COMPLETED:
        locked.completed_on = None
    if agency_response is not None:
        locked.agency_response = agency_response.strip()
    locked.status = status
    save_with_history(locked, by=by, reason=note)
    save_with_history(ProgressUpdate(review=locked.review, action=locked, note=note,
                                     status_from=current, status_to=status, by=by),
                      by=by, reason="Progress recorded")
    if status != current:
        handoffs.notify_action_moved(by=by, action=locked, before=current)
    action.refresh_from_db()
    return action


@transaction.atomic(durable=True)
def action_change_target_date(*, by: User, action: Action, target_date: date,
                              reason: str) -> Action:
    """Move a target date, with a reason; the original date stays on the action."""
    locked = locked_action(by, action)
    reason = require_reason(reason, "Enter the reason for changing the target date")
    if target_date == locked.target_date:
        raise ValidationError({"target_date": "This is already the target date"})
    if target_date < timezone.localdate():
        raise ValidationError({"target_date": "The new target date cannot be in the past"})
    if target_date < locked.start_date:
        raise ValidationError({"target_date": "The target date cannot be before the action "
                                              "starts"})
    save_with_history(TargetDateChange(review=locked.review, action=locked,
                                       from_date=locked.target_date, to_date=target_date,
                                       reason=reason, by=by), by=by, reason=reason)
    locked.target_date = target_date
    save_with_history(locked, by=by, reason=reason)
    action.refresh_from_db()
    return action


@transaction.atomic(durable=True)
def milestone_add(*, by: User, action: Action, description: str, due_on: date) -> Milestone:
    locked = locked_action(by, action)
    if not description.strip():
        raise ValidationError({"description": "Enter the milestone"})
    if due_on < locked.start_date:
        raise ValidationError({"due_on": "A milestone cannot be due before the action starts"})
    return save_with_history(Milestone(review=locked.review, action=locked,
                                       description=description.strip(), due_on=due_on),
                             by=by, reason="Milestone added")


@transaction.atomic(durable=True)
def milestone_mark_done(*, by: User, milestone: Milestone, done_on: date) -> Milestone:
    locked_action(by, milestone.action)
    locked = fresh_locked(milestone)
    if locked.done:
        raise ValidationError("This milestone is already marked done. Nothing was changed.")
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": "The date done cannot be in the future"})
    locked.done, locked.done_on = True, done_on
    save_with_history(locked, by=by, reason="Milestone done")
    milestone.refresh_from_db()
    return milestone


@transaction.atomic(durable=True)
def impact_evidence_add(*, by: User, action: Action, title: str, upload: File) -> ImpactEvidence:
    """Attach evidence of impact (a secure document; the same title makes a new version)."""
    locked = locked_action(by, action)
    if locked.status in (S.VERIFIED, S.CLOSED):
        raise ValidationError(f"This action is {S(locked.status).label.lower()}: its evidence "
                              "cannot change. Nothing was changed.")
    if not title.strip():
        raise ValidationError({"title": "Enter what the evidence shows"})
    return document_store_version(model=ImpactEvidence, by=by, upload=upload,
                                  reason="Evidence of impact attached", action=locked,
                                  title=title.strip(), review=locked.review)


@transaction.atomic(durable=True)
def action_verify(*, by: User, action: Action, note: str = "") -> Action:
    """The business manager verifies a completed action's evidence of impact."""
    require_manager(by, "Only a business manager can verify an action.")
    locked = locked_action(by, action, "manage")
    if locked.status != S.COMPLETED:
        raise ValidationError(f"Only a completed action can be verified: this one is "
                              f"{S(locked.status).label.lower()}. Nothing was changed.")
    if not locked.impact_evidence.exists():
        raise ValidationError("This action has no evidence of impact: the agency must attach it "
                              "before it can be verified. Nothing was changed.")
    locked.status, locked.verified_by, locked.verified_at = S.VERIFIED, by, timezone.now()
    locked.returned_note = ""
    save_with_history(locked, by=by, reason=note.strip() or "Evidence of impact verified")
    save_with_history(ProgressUpdate(review=locked.review, action=locked,
                                     note=note.strip() or "Verified", status_from=S.COMPLETED,
                                     status_to=S.VERIFIED, by=by), by=by, reason="Verified")
    handoffs.notify_action_moved(by=by, action=locked, before=S.COMPLETED)
    action.refresh_from_db()
    return action


@transaction.atomic(durable=True)
def action_return(*, by: User, action: Action, missing: str) -> Action:
    """Not verified: back to the agency (in progress) with what is missing."""
    require_manager(by, "Only a business manager can return an action.")
    locked = locked_action(by, action, "manage")
    missing = require_reason(missing, "Enter what is missing", field="missing")
    if locked.status != S.COMPLETED:
        raise ValidationError(f"Only a completed action can be returned: this one is "
                              f"{S(locked.status).label.lower()}. Nothing was changed.")
    locked.status, locked.returned_note = S.IN_PROGRESS, missing
    save_with_history(locked, by=by, reason=f"Returned: {missing}")
    save_with_history(ProgressUpdate(review=locked.review, action=locked,
                                     note=f"Returned: {missing}", status_from=S.COMPLETED,
                                     status_to=S.IN_PROGRESS, by=by), by=by, reason="Returned")
    handoffs.notify_action_moved(by=by, action=locked, before=S.COMPLETED)
    action.refresh_from_db()
    return action


@transaction.atomic(durable=True)
def action_close(*, by: User, action: Action, reason: str) -> Action:
    """Formally close an action that will not be completed (superseded, no longer relevant)."""
    require_manager(by, "Only a business manager can close an action.")
    locked = locked_action(by, action, "manage")
    reason = require_reason(reason, "Enter the reason for closing the action")
    if locked.status in (S.VERIFIED, S.CLOSED):
        raise ValidationError(f"This action is already {S(locked.status).label.lower()}. "
                              "Nothing was changed.")
    current = locked.status
    locked.status, locked.closed_reason = S.CLOSED, reason
    save_with_history(locked, by=by, reason=f"Closed: {reason}")
    save_with_history(ProgressUpdate(review=locked.review, action=locked, note=f"Closed: {reason}",
                                     status_from=current, status_to=S.CLOSED, by=by),
                      by=by, reason="Closed")
    handoffs.notify_action_moved(by=by, action=locked, before=current)
    action.refresh_from_db()
    return action
