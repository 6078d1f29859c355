"""What every review service shares: the locked, still-open review and per-review grants.

Private helpers for the sub-domain modules; nothing here is a service a view calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import User
from reviews.models import (
    ENDED_STAGES,
    Report,
    Review,
    ReviewGroupObjectPermission,
    ReviewUserObjectPermission,
    SignOffSubmission,
    Stage,
)
from reviews.models.scope import may_change
from scr.history import mark_history, save_with_history
from scr.rules import fresh_locked

__all__ = [
    "open_review_locked",
]


def open_review_locked(review: Review) -> Review:
    """The review, fresh and row-locked, if it may still change. An ended review (closed,
    no review, withdrawn) is read-only: only a reasoned reopen changes it."""
    locked = fresh_locked(review)
    if locked.stage in ENDED_STAGES:
        raise ValidationError(
            f"This review is {Stage(locked.stage).label.lower()}, so it is read-only. Nothing "
            "was changed. A business manager can reopen it, with a reason, to change it.")
    return locked


def permission_named(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="reviews", codename=codename)


def permission_grant(review: Review, codename: str, *, by: User, reason: str, user: User | None = None,
           group: Group | None = None) -> None:
    """Give one per-review permission (a guardian row on the direct-FK tables), with who
    and why in its history, like every other change."""
    model = ReviewUserObjectPermission if user is not None else ReviewGroupObjectPermission
    holder: dict[str, Any] = {"user": user} if user is not None else {"group": group}
    permission = permission_named(codename)
    if model.objects.filter(content_object=review, permission=permission, **holder).exists():
        return
    save_with_history(model(content_object=review, permission=permission, **holder), by=by,
                      reason=reason)


def permission_revoke(review: Review, codename: str, *, user: User, by: User, reason: str) -> None:
    for row in ReviewUserObjectPermission.objects.filter(content_object=review, user=user,
                                                         permission__codename=codename):
        mark_history(row, by=by, reason=reason)
        row.delete()  # an access grant, not case data: history keeps who ended it and why

LIVE = (SignOffSubmission.Status.PENDING, SignOffSubmission.Status.APPROVED)


@transaction.atomic(savepoint=False)
def report_locked(review: Review, *, by: User) -> Report:
    """The review's report row, created the first time, under a row lock: every write to
    the report takes it, so two saves of the same base version are judged one after the
    other."""
    report = Report.objects.select_for_update().filter(review=review).first()
    if report is None:
        try:
            with transaction.atomic():  # savepoint: a concurrent first write may win
                save_with_history(Report(review=review), by=by, reason="Report started")
        except IntegrityError:
            pass
        report = Report.objects.select_for_update().get(review=review)
    return report


@transaction.atomic(savepoint=False)
def close_live_submission(review: Review, *, by: User, status: str, outcome: str,
                           void_reason: str) -> SignOffSubmission | None:
    """End the live submission (if any) and void each of its approvals, saying why."""
    now = timezone.now()
    live = (SignOffSubmission.objects.select_for_update()
            .filter(review=review, status__in=LIVE).first())
    if live is None:
        return None
    for approval in live.approvals.select_for_update().filter(voided_at__isnull=True):
        approval.voided_at = now
        approval.void_reason = void_reason
        save_with_history(approval, by=by, reason=void_reason)
    live.status = status
    live.closed_at, live.closed_by, live.outcome = now, by, outcome
    save_with_history(live, by=by, reason=outcome)
    return live


@transaction.atomic(savepoint=False)
def report_changed(review: Review, *, by: User, what: str) -> Report:
    """The report's content changed (``what``, in words): its revision moves on, so every
    snapshot taken before is no longer current, and a version submitted for sign-off is
    voided with every approval of it."""
    report = report_locked(review, by=by)
    report.revision += 1
    report.changed_at = timezone.now()
    report.last_change = what[:300]
    save_with_history(report, by=by, reason=what)
    approvals = review.approvals.filter(voided_at__isnull=True, submission__status__in=LIVE).count()
    close_live_submission(
        review, by=by, status=SignOffSubmission.Status.VOIDED,
        outcome=(f"The report changed after it was submitted for sign-off ({what}): "
                 f"{approvals} approval{'s' if approvals != 1 else ''} voided. Submit the "
                 f"changed report as a new version."),
        void_reason=f"Voided: the report changed after this approval ({what}).")
    return report


class TransitionEffect(Protocol):
    def __call__(self, *, by: User, review: Review, reason: str) -> None: ...


# What a stage move does besides moving, named in ``workflow.TRANSITIONS`` (``effects``):
# the move's table says *that* it happens, the owning sub-domain's service says *how*.
TRANSITION_EFFECTS: dict[str, TransitionEffect] = {}


def transition_effect(name: str) -> Callable[[TransitionEffect], TransitionEffect]:
    """Register a service as the effect ``name`` of the moves that declare it. It runs in
    the move's transaction (so it is ``atomic(savepoint=False)``) on the locked review."""
    def register(function: TransitionEffect) -> TransitionEffect:
        TRANSITION_EFFECTS[name] = function
        return function
    return register


def unregistered_effects(transitions: dict[Any, Any]) -> set[str]:
    """Effects that a transition declares and no service registered."""
    return {name for move in transitions.values() for name in move.effects} - set(
        TRANSITION_EFFECTS)


def require_changer(by: User, review: Review, what: str, *, nothing: str = "changed") -> None:
    """Refuse, with the one message every service gives, unless ``by`` may change ``review``
    (``reviews.models.scope.may_change``: a business manager or its appointed reviewer)."""
    if not may_change(by, review):
        raise ValidationError(f"Only the business manager or the review's reviewer can {what}. "
                              f"Nothing was {nothing}.")
