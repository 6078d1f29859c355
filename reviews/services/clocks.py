"""Clocks: parallel processes, pauses and resumes, delay explanations, and the
derived next clock stored on the review for dashboards.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from agencies.models import User
from reviews.models import ClockKind, ClockPause, DelayExplanation, ParallelProcess, Review
from reviews.selectors.clocks import next_clock, review_clocks
from reviews.services.base import open_review_locked
from scr.history import save_with_history, save_without_history
from scr.rules import fresh_locked, require_reason

__all__ = [
    "clock_pause",
    "clock_resume",
    "delay_explain",
    "parallel_process_clear",
    "parallel_process_open",
    "review_refresh_clocks",
]


def review_refresh_clocks(review: Review) -> Review:
    """Recompute the stored next clock. Derived data: saved without a history row."""
    clocks = review_clocks(review)
    upcoming = next_clock(clocks) if review.is_open else None
    review.next_clock = upcoming.kind if upcoming else ""
    review.next_due_on = upcoming.due if upcoming else None
    review.has_missed_clock = any(c.met_on is not None and c.missed for c in clocks)
    return save_without_history(
        review, update_fields=["next_clock", "next_due_on", "has_missed_clock"])


@transaction.atomic(durable=True)
def parallel_process_open(*, by: User, review: Review, kind: str, opened_on: date,
                          description: str = "", pause_clocks: Iterable[str] = (),
                          reason: str = "Parallel process recorded") -> ParallelProcess:
    review = open_review_locked(review)
    process = ParallelProcess(review=review, kind=kind, opened_on=opened_on,
                              description=description)
    process.full_clean()
    if review.parallel_processes.filter(kind=kind, opened_on=opened_on,
                                        cleared_on__isnull=True).exists():
        raise ValidationError("This parallel process is already recorded. Nothing was changed.")
    save_with_history(process, by=by, reason=require_reason(reason))
    for clock in pause_clocks:
        _pause_clock(by=by, review=review, clock=clock, paused_on=opened_on,
                    reason=f"{process.get_kind_display()} under way", parallel_process=process)
    return process


@transaction.atomic(durable=True)
def parallel_process_clear(*, by: User, process: ParallelProcess, cleared_on: date,
                           reason: str) -> ParallelProcess:
    reason = require_reason(reason)
    open_review_locked(process.review)
    stored = fresh_locked(process)
    if stored.cleared_on is not None:
        raise ValidationError("This process has already been cleared. Nothing was changed.")
    stored.cleared_on = cleared_on
    stored.full_clean()
    save_with_history(stored, by=by, reason=reason)
    for pause in stored.pauses.filter(resumed_on__isnull=True):
        _resume_clock(by=by, pause=pause, resumed_on=cleared_on, reason=reason)
    process.refresh_from_db()
    return process


@transaction.atomic(durable=True)
def clock_pause(*, by: User, review: Review, clock: str, paused_on: date, reason: str,
                parallel_process: ParallelProcess | None = None) -> ClockPause:
    """Pause a running clock. Pauses of one clock never overlap: each paused working day
    counts once (a backdated pause inside an earlier one is refused)."""
    return _pause_clock(by=by, review=review, clock=clock, paused_on=paused_on, reason=reason,
                        parallel_process=parallel_process)


@transaction.atomic(savepoint=False)
def _pause_clock(*, by: User, review: Review, clock: str, paused_on: date, reason: str,
                 parallel_process: ParallelProcess | None = None) -> ClockPause:
    """``clock_pause`` inside the caller's transaction (a parallel process pauses clocks)."""
    review = open_review_locked(review)
    reason = require_reason(reason, "Enter the reason for pausing the clock")
    own = list(review.clock_pauses.filter(clock=clock))
    if any(p.resumed_on is None for p in own):
        raise ValidationError({"clock": "This clock is already paused"})
    pause = ClockPause(review=review, clock=clock, paused_on=paused_on, reason=reason,
                       parallel_process=parallel_process)
    pause.full_clean()
    overlapping = next((p for p in own if p.resumed_on and p.resumed_on > paused_on), None)
    if overlapping is not None:
        raise ValidationError({"paused_on": (
            f"This pause overlaps the pause from {overlapping.paused_on:%-d %B %Y} to "
            f"{overlapping.resumed_on:%-d %B %Y}: a day can be paused only once. Choose a date "
            "on or after the day that pause resumed.")})
    running = {c.kind: c for c in review_clocks(review) if c.pausable}
    if clock not in running:
        raise ValidationError({"clock": f"“{ClockKind(clock).label}” has not started, cannot be "
                                        "paused, or has already been met"})
    started, due = running[clock].started, running[clock].due
    if started and paused_on < started:
        raise ValidationError({"paused_on": "A clock cannot be paused before it started"})
    if due and paused_on > due:
        raise ValidationError({"paused_on": "The clock was already overdue on that date: record "
                                            "an explanation for the delay instead"})
    save_with_history(pause, by=by, reason=reason)
    review_refresh_clocks(review)
    return pause


@transaction.atomic(durable=True)
def clock_resume(*, by: User, pause: ClockPause, resumed_on: date, reason: str) -> ClockPause:
    return _resume_clock(by=by, pause=pause, resumed_on=resumed_on, reason=reason)


@transaction.atomic(savepoint=False)
def _resume_clock(*, by: User, pause: ClockPause, resumed_on: date, reason: str) -> ClockPause:
    """``clock_resume`` inside the caller's transaction (clearing a process resumes clocks)."""
    reason = require_reason(reason)
    review = open_review_locked(pause.review)
    stored = fresh_locked(pause)
    if stored.resumed_on is not None:
        raise ValidationError("This clock has already resumed. Nothing was changed.")
    stored.resumed_on = resumed_on
    stored.full_clean()
    save_with_history(stored, by=by, reason=reason)
    review_refresh_clocks(review)
    pause.refresh_from_db()
    return pause


@transaction.atomic(durable=True)
def delay_explain(*, by: User, review: Review, clock: str, explanation: str,
                  reason: str = "") -> DelayExplanation:
    """Record why a clock was missed. Changing an explanation already given needs a reason,
    and the history keeps both."""
    review = open_review_locked(review)
    explanation = require_reason(explanation, "Enter the explanation for the delay",
                                 field="explanation")
    existing = review.delay_explanations.select_for_update().filter(clock=clock).first()
    if existing is None:
        return save_with_history(DelayExplanation(review=review, clock=clock,
                                                  explanation=explanation),
                                 by=by, reason="Delay explained")
    if existing.explanation == explanation:
        return existing
    reason = require_reason(reason, "Enter the reason for changing the explanation already "
                                    "recorded")
    existing.explanation = explanation
    return save_with_history(existing, by=by, reason=reason)
