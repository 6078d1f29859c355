"""What every write to a report shares: the report row (its lock and revision) and the
rule that a change after submission voids the submission and every approval of it.

Private helpers (``savepoint=False``): they run inside the calling service's transaction.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import User
from scr.history import save_with_history

from ..models import Report, Review, SignOffSubmission

__all__: list[str] = []

LIVE = (SignOffSubmission.Status.PENDING, SignOffSubmission.Status.APPROVED)


@transaction.atomic(savepoint=False)
def _report_locked(review: Review, *, by: User) -> Report:
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
def _close_live_submission(review: Review, *, by: User, status: str, outcome: str,
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
def _report_changed(review: Review, *, by: User, what: str) -> Report:
    """The report's content changed (``what``, in words): its revision moves on, so every
    snapshot taken before is no longer current, and a version submitted for sign-off is
    voided with every approval of it."""
    report = _report_locked(review, by=by)
    report.revision += 1
    report.changed_at = timezone.now()
    report.last_change = what[:300]
    save_with_history(report, by=by, reason=what)
    approvals = review.approvals.filter(voided_at__isnull=True, submission__status__in=LIVE).count()
    _close_live_submission(
        review, by=by, status=SignOffSubmission.Status.VOIDED,
        outcome=(f"The report changed after it was submitted for sign-off ({what}): "
                 f"{approvals} approval{'s' if approvals != 1 else ''} voided. Submit the "
                 f"changed report as a new version."),
        void_reason=f"Voided: the report changed after this approval ({what}).")
    return report
