"""Who may read the draft report of a review, worked out once per person, review and
request (memoised on the user object, like ``access.review_access``).

- ``drafting``: the drafting team — the review's appointed independent reviewer (its
  ``change`` scope) and business managers. They read and write everything of the draft.
- ``panel``: a current panel member or chair of the review (with identifiable access):
  reads only the versions shared with the panel, comments on them, and — for the
  partners' representatives — approves the submitted one.

Agency leads and board members are neither: they never see a draft (an agency's leads
read only the sections of a named version sent to them for a factual-accuracy check, through
that evidence request: ``selectors.evidence.factual_check_parts``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agencies.roles import Role

from .models import Review
from .models.report import panel_reader

__all__ = ["ReportAccess", "report_access"]


@dataclass(frozen=True)
class ReportAccess:
    drafting: bool
    panel: bool

    @property
    def reads_versions(self) -> bool:
        return self.drafting or self.panel


def report_access(user: Any, review: Review) -> ReportAccess:
    memo = getattr(user, "_report_access", None)
    if memo is None:
        memo = user._report_access = {}
    if review.pk not in memo:
        if not getattr(user, "is_authenticated", False):
            access = ReportAccess(False, False)
        elif user.has_role(Role.BUSINESS_MANAGER):
            access = ReportAccess(True, False)
        elif not user.has_role(Role.REVIEWER, Role.PANEL_MEMBER):
            access = ReportAccess(False, False)
        else:
            one = Review.objects.filter(pk=review.pk)
            access = ReportAccess(
                Review.objects.for_user(user, "change").filter(pk=review.pk).exists(),
                one.filter(panel_reader(user, "pk")).exists())
        memo[review.pk] = access
    return memo[review.pk]
