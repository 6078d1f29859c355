"""Whose approval a report needs (``settings.REPORT_SIGN_OFF_APPROVERS``) and who may give
each, and what the two guards of sign-off read. Used by the services, the selectors and
``reviews/workflow.py`` alike, so the rule is written once.

Each approver is ``(key, label, who)``; ``who`` is one of:

- ``"reviewer"`` — the review's independent reviewer (a current reviewer appointment);
- ``"business_manager"`` — any business manager;
- ``"agency:<kind>"`` — the safeguarding partner of that agency kind
  (``agencies.Agency.Kind``): a current panel member or chair of this review who
  represents an agency of that kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

from agencies.roles import Role

if TYPE_CHECKING:
    from .models import Report, Review, SignOffSubmission

__all__ = ["Approver", "approvers", "current_report", "live_submission", "may_approve"]


@dataclass(frozen=True)
class Approver:
    key: str
    label: str
    who: str


def approvers() -> list[Approver]:
    return [Approver(*row) for row in settings.REPORT_SIGN_OFF_APPROVERS]


def may_approve(user: Any, review: Review, approver: Approver) -> bool:
    """Whether ``user`` may give ``approver``'s approval on ``review``."""
    from .models import PanelAppointment

    roles = user.roles() if hasattr(user, "roles") else set()
    current = review.panel.filter(user=user, ended_on__isnull=True)
    if approver.who == "business_manager":
        return Role.BUSINESS_MANAGER in roles
    if approver.who == "reviewer":
        return Role.REVIEWER in roles and current.filter(
            panel_role=PanelAppointment.PanelRole.REVIEWER).exists()
    if approver.who.startswith("agency:"):
        kind = approver.who.removeprefix("agency:")
        return bool(roles & {Role.PANEL_MEMBER, Role.REVIEWER}) and current.filter(
            panel_role__in=[PanelAppointment.PanelRole.MEMBER, PanelAppointment.PanelRole.CHAIR],
            agency__kind=kind).exists()
    return False


def current_report(review: Review) -> Report | None:
    from .models import Report

    return Report.objects.filter(review=review).first()


def live_submission(review: Review) -> SignOffSubmission | None:
    """The submission awaiting or holding approvals, if any, with its snapshot."""
    from .models import SignOffSubmission

    return (SignOffSubmission.objects.filter(
        review=review, status__in=[SignOffSubmission.Status.PENDING,
                                   SignOffSubmission.Status.APPROVED])
        .select_related("snapshot").first())
