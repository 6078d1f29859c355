"""Scope of reviews: who may see or change which review, as one SQL query.

- Business managers: every review of the partnership.
- Independent reviewers and panel members: reviews they hold a guardian grant on
  (given when they are appointed).
- Agency leads: reviews their agency's group holds a grant on (an involved agency),
  through their *active* memberships, so an ended membership ends access at once.
- Board members: published reviews only, and never identifiable data; counts
  (``aggregate``) across every review for their dashboard.

Everything is an ``Exists`` subquery: never a Python list of ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from agencies.roles import Role
from scr.actions import Action

if TYPE_CHECKING:
    from agencies.models import User

    from .models import Review

# Roles whose holders reach reviews through their own appointments.
APPOINTED_ROLES = (Role.REVIEWER, Role.PANEL_MEMBER)

# Roles that can hold a per-review grant of identifiable access.
IDENTIFIABLE_ROLES = (Role.REVIEWER, Role.PANEL_MEMBER, Role.AGENCY_LEAD)

# Guardian codenames granted per review.
VIEW = "view_review"
CHANGE = "change_review"
IDENTIFIABLE = "view_identifiable"


def _granted(user: User, codename: str) -> Q:
    """Reviews on which ``user`` holds ``codename``, directly or through an agency group.

    Built once per person and request (memoised on the user object, which lives for one
    request) and reused by every selector: the agency groups come from the memberships
    already loaded for the role checks, so the SQL carries no membership join either.
    """
    memo = getattr(user, "_review_scope", None)
    if memo is None:
        memo = user._review_scope = {}  # type: ignore[union-attr]
    if codename not in memo:
        memo[codename] = _build_granted(user, codename)
    return memo[codename]


def _build_granted(user: User, codename: str) -> Q:
    from .models import ReviewGroupObjectPermission, ReviewUserObjectPermission

    groups = sorted({m.agency.group_id for m in user.active_memberships()
                     if m.role == Role.AGENCY_LEAD and m.agency_id and m.agency.group_id})
    scope = Q(pk__in=[])
    if groups:
        scope |= Q(Exists(ReviewGroupObjectPermission.objects.filter(
            content_object=OuterRef("pk"), permission__codename=codename, group_id__in=groups)))
    # An appointment counts only while the person still holds a reviewer or panel role:
    # ending their role ends their access, whatever appointments remain on record.
    if user.has_role(*APPOINTED_ROLES):
        direct = ReviewUserObjectPermission.objects.filter(
            content_object=OuterRef("pk"), user=user, permission__codename=codename)
        scope |= Q(Exists(direct)) & _still_represents(user)
    return scope


def _still_represents(user: User) -> Q:
    """A panel member sits on a panel for the agency they represent: once their panel
    membership for that agency ends (they left it, or the agency was deactivated), the
    appointment gives nothing, even if they hold a panel role for another agency. Reviewers
    and chairs represent no agency."""
    from .models import PanelAppointment

    if user.has_role(Role.REVIEWER):
        return Q()
    member = PanelAppointment.PanelRole.MEMBER
    represented = PanelAppointment.objects.filter(
        Q(agency_id__in=sorted(user.agency_ids(Role.PANEL_MEMBER))) | ~Q(panel_role=member),
        review=OuterRef("pk"), user=user, ended_on__isnull=True)
    return Q(Exists(represented))


def direct_grant_reviews(user: User) -> QuerySet[Review]:
    """Reviews this person is appointed to (a direct grant, not through an agency)."""
    from .models import Review, ReviewUserObjectPermission

    if not user.has_role(*APPOINTED_ROLES):
        return Review.objects.none().values("pk")
    return Review.objects.filter(Exists(ReviewUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), user=user, permission__codename=VIEW)),
        _still_represents(user)).values("pk")


def reviews_for(user: User, action: Action, qs: QuerySet[Review]) -> QuerySet[Review]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.has_role(Role.BUSINESS_MANAGER):
        return qs
    if action == "aggregate":
        # Counts and timings for the board's dashboard: every review, never a name.
        return qs if user.has_role(Role.BOARD_MEMBER) else qs.none()
    if action == "view":
        scope = _granted(user, VIEW)
        if user.has_role(Role.BOARD_MEMBER):
            scope |= Q(published_on__isnull=False)
        return qs.filter(scope)
    if action == "change":
        return qs.filter(_granted(user, CHANGE))
    if action in ("view_identifiable", "view_history"):
        if user.has_role(Role.BOARD_MEMBER):
            return qs.none()
        return qs.filter(_granted(user, IDENTIFIABLE))
    # Stage transitions, appointments and other management: business managers only.
    return qs.none()


@dataclass(frozen=True)
class ReviewAccess:
    """What one person may do on one review beyond seeing it."""

    can_manage: bool
    identifiable: bool  # real names; also the review's history (the same grant)


def review_access(user: User, review: Review) -> ReviewAccess:
    """Worked out once per person, review and request (memoised on the user object, which
    lives for one request), and with no query at all for managers and the board."""
    memo = getattr(user, "_review_access", None)
    if memo is None:
        memo = user._review_access = {}  # type: ignore[union-attr]
    if review.pk not in memo:
        from .models import Review as ReviewModel

        if user.has_role(Role.BUSINESS_MANAGER):
            access = ReviewAccess(can_manage=True, identifiable=True)
        elif user.has_role(Role.BOARD_MEMBER) or not user.has_role(*IDENTIFIABLE_ROLES):
            access = ReviewAccess(can_manage=False, identifiable=False)
        else:
            access = ReviewAccess(can_manage=False, identifiable=ReviewModel.objects.for_user(
                user, "view_identifiable").filter(pk=review.pk).exists())
        memo[review.pk] = access
    return memo[review.pk]


def can_see_identities(user: User, review: Review) -> bool:
    """May this person see real names, dates of birth and addresses in this review?"""
    return review_access(user, review).identifiable
