"""Is an independent reviewer or chair independent of a review's agencies?

DOMAIN.md: the reviewer "must be independent of the case and of the agencies
reviewed". The agencies in scope are those involved in the case *and* those in
its latest terms of reference; a membership counts while it is current and for
``REVIEWER_INDEPENDENCE_LOOKBACK_MONTHS`` after it ended. Computed live, never
stored, so a conflict that arises later (an agency involved after the
appointment, a membership given to the reviewer) shows at once, on the review
page and in the Commissioning → Evidence guard.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from agencies.models import Membership, User
from reviews.models import PanelAppointment, Review, TermsOfReference
from scr.workdays import add_months

INDEPENDENT_ROLES = (PanelAppointment.PanelRole.REVIEWER, PanelAppointment.PanelRole.CHAIR)


def agencies_in_scope(review: Review) -> set[int]:
    involved = set(review.involvements.values_list("agency_id", flat=True))
    latest = TermsOfReference.objects.filter(review=review).order_by("-version").first()
    if latest is not None:
        involved |= set(latest.agencies_in_scope.values_list("pk", flat=True))
    return involved


def independence_problems(review: Review, user: User) -> list[str]:
    """Why ``user`` is not independent of this review's agencies (empty if they are)."""
    since = add_months(timezone.localdate(), -settings.REVIEWER_INDEPENDENCE_LOOKBACK_MONTHS)
    clashes = (Membership.objects.filter(user=user, agency_id__in=agencies_in_scope(review))
               .filter(Q(active_to__isnull=True) | Q(active_to__gte=since))
               .select_related("agency").order_by("agency__name"))
    problems = []
    for m in clashes:
        if m.active_to is None or m.active_to >= timezone.localdate():
            problems.append(f"{user} works for {m.agency}, an agency involved in this case")
        else:
            problems.append(f"{user} worked for {m.agency}, an agency involved in this "
                            f"case, until {m.active_to:%-d %B %Y} (within the last "
                            f"{settings.REVIEWER_INDEPENDENCE_LOOKBACK_MONTHS} months)")
    return problems


def independence_conflicts(review: Review) -> list[str]:
    """Conflicts of the review's current reviewer and chair: shown on the review, and
    they block gathering evidence until resolved (the appointment ended or replaced)."""
    current = (PanelAppointment.objects.filter(review=review, panel_role__in=INDEPENDENT_ROLES,
                                               ended_on__isnull=True).select_related("user"))
    conflicts: list[str] = []
    for appointment in current:
        conflicts += independence_problems(review, appointment.user)
    return conflicts
