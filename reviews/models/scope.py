"""Who may see or change which review, and what of it: the reading rules of every record.

One module, so that "who may change this review" has one answer (``may_change``) and one
refusal (``services.base.require_changer``), and every ``for_user`` of the app reads its
rule from here.

- Business managers: every review of the partnership.
- Independent reviewers and panel members: reviews they hold a guardian grant on
  (given when they are appointed).
- Agency leads: reviews their agency's group holds a grant on (an involved agency),
  through their *active* memberships, so an ended membership ends access at once.
- Board members: published reviews only, and never identifiable data; counts
  (``aggregate``) across every review for their dashboard.
- The draft report (``report_access``): the drafting team — the review's appointed
  independent reviewer (its ``change`` scope) and business managers — reads and writes
  everything of the draft; a current panel member or chair of the review (with
  identifiable access) reads only the versions shared with the panel, comments on them and
  — for the partners' representatives — approves the submitted one. Agency leads and board
  members never see a draft (an agency's leads read only the sections of a named version
  sent to them for a factual-accuracy check, through that evidence request).

Everything is an ``Exists`` subquery: never a Python list of ids. The models this reads are
looked up through the app registry (``apps.get_model``), so the model modules can import
these rules without an import cycle; decisions about one person and one review are memoised
on the user object, which lives for one request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.apps import apps
from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from agencies.models import Membership, User
from agencies.models.roles import Role
from scr.actions import Action

__all__ = [
    "APPOINTED_ROLES",
    "IDENTIFIABLE_ROLES",
    "ReportAccess",
    "ReviewAccess",
    "can_see_identities",
    "designated_kinds",
    "direct_grant_reviews",
    "identifiable_readers",
    "may_change",
    "may_keep_register",
    "panel_reader",
    "report_access",
    "review_access",
    "reviews_for",
    "sign_off_designee",
]


QS = TypeVar("QS", bound=QuerySet[Any])


def _model(name: str) -> type[Any]:
    return apps.get_model("reviews", name)


def _memo(user: User, name: str) -> dict[Any, Any]:
    """A memo of decisions kept on the user object, which lives for one request."""
    memo = getattr(user, name, None)
    if memo is None:
        memo = {}
        setattr(user, name, memo)
    return memo

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
    memo: dict[str, Q] = _memo(user, "_review_scope")
    if codename not in memo:
        memo[codename] = _build_granted(user, codename)
    return memo[codename]


def _build_granted(user: User, codename: str) -> Q:
    permissions_of_group = _model("ReviewGroupObjectPermission")
    permissions_of_user = _model("ReviewUserObjectPermission")
    groups = sorted({m.agency.group_id for m in user.active_memberships()
                     if m.role == Role.AGENCY_LEAD and m.agency is not None and m.agency.group_id})
    scope = Q(pk__in=[])
    if groups:
        scope |= Q(Exists(permissions_of_group.objects.filter(
            content_object=OuterRef("pk"), permission__codename=codename, group_id__in=groups)))
    # An appointment counts only while the person still holds a reviewer or panel role:
    # ending their role ends their access, whatever appointments remain on record.
    if user.has_role(*APPOINTED_ROLES):
        direct = permissions_of_user.objects.filter(
            content_object=OuterRef("pk"), user=user, permission__codename=codename)
        scope |= Q(Exists(direct)) & _still_represents(user)
    return scope


def _still_represents(user: User) -> Q:
    """A panel member sits on a panel for the agency they represent: once their panel
    membership for that agency ends (they left it, or the agency was deactivated), the
    appointment gives nothing, even if they hold a panel role for another agency. Reviewers
    and chairs represent no agency."""
    appointment = _model("PanelAppointment")
    if user.has_role(Role.REVIEWER):
        return Q()
    member = appointment.PanelRole.MEMBER
    represented = appointment.objects.filter(
        Q(agency_id__in=sorted(user.agency_ids(Role.PANEL_MEMBER))) | ~Q(panel_role=member),
        review=OuterRef("pk"), user=user, ended_on__isnull=True)
    return Q(Exists(represented))


def direct_grant_reviews(user: User) -> QuerySet[Any]:
    """Reviews this person is appointed to (a direct grant, not through an agency)."""
    review_model, permissions_of_user = _model("Review"), _model("ReviewUserObjectPermission")
    if not user.has_role(*APPOINTED_ROLES):
        return review_model.objects.none().values("pk")
    return review_model.objects.filter(Exists(permissions_of_user.objects.filter(
        content_object=OuterRef("pk"), user=user, permission__codename=VIEW)),
        _still_represents(user)).values("pk")


def reviews_for(user: User, action: Action, qs: QS) -> QS:
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


def review_access(user: User, review: Model) -> ReviewAccess:
    """Worked out once per person, review and request (memoised on the user object, which
    lives for one request), and with no query at all for managers and the board."""
    memo: dict[Any, ReviewAccess] = _memo(user, "_review_access")
    if review.pk not in memo:
        if user.has_role(Role.BUSINESS_MANAGER):
            access = ReviewAccess(can_manage=True, identifiable=True)
        elif user.has_role(Role.BOARD_MEMBER) or not user.has_role(*IDENTIFIABLE_ROLES):
            access = ReviewAccess(can_manage=False, identifiable=False)
        else:
            access = ReviewAccess(can_manage=False, identifiable=_model("Review").objects.for_user(
                user, "view_identifiable").filter(pk=review.pk).exists())
        memo[review.pk] = access
    return memo[review.pk]


def can_see_identities(user: User, review: Model) -> bool:
    """May this person see real names, dates of birth and addresses in this review?"""
    return review_access(user, review).identifiable


def identifiable_readers(review: Model) -> list[User]:
    """Everyone who may see this review's real names (and so receive its identifiable
    papers, such as a meeting's minutes), by the rule above (``can_see_identities``), asked
    of each person who could hold it: business managers, people with a grant of their own
    on the review, and leads of an agency whose group holds one. Board members never."""
    user_grants = _model("ReviewUserObjectPermission").objects.filter(
        content_object=review, permission__codename=IDENTIFIABLE)
    group_grants = _model("ReviewGroupObjectPermission").objects.filter(
        content_object=review, permission__codename=IDENTIFIABLE)
    held = Membership.objects.active().filter(
        Q(role=Role.BUSINESS_MANAGER)
        | Q(role=Role.AGENCY_LEAD, agency__group__in=group_grants.values("group_id"))
        | Q(user__in=user_grants.values("user_id")))
    candidates = User.objects.filter(pk__in=held.values("user_id")).order_by("pk")
    return [person for person in candidates if can_see_identities(person, review)]


def may_change(user: User, review: Model) -> bool:
    """May this person change this review's records: a business manager, or the review's
    own appointed reviewer while they hold the role (the ``change`` scope)? The one answer
    every service (``services.base.require_changer``), selector and page asks."""
    memo: dict[Any, bool] = _memo(user, "_review_change")
    if review.pk not in memo:
        manager = getattr(user, "is_authenticated", False) and user.has_role(Role.BUSINESS_MANAGER)
        memo[review.pk] = manager or _model("Review").objects.for_user(user, "change").filter(
            pk=review.pk).exists()
    return memo[review.pk]


def may_keep_register(user: User, review: Model) -> bool:
    """May this person change the pseudonym register of this review: someone who may change
    the review (``may_change``: a business manager, the appointed reviewer) and sees real
    identities in it. Panel members read it; agency leads and the board never change it."""
    return may_change(user, review) and can_see_identities(user, review)


@dataclass(frozen=True)
class ReportAccess:
    drafting: bool
    panel: bool

    @property
    def reads_versions(self) -> bool:
        return self.drafting or self.panel


def report_access(user: User, review: Model) -> ReportAccess:
    memo: dict[Any, ReportAccess] = _memo(user, "_report_access")
    if review.pk not in memo:
        if not getattr(user, "is_authenticated", False):
            access = ReportAccess(False, False)
        elif user.has_role(Role.BUSINESS_MANAGER):
            access = ReportAccess(True, False)
        elif not user.has_role(Role.REVIEWER, Role.PANEL_MEMBER, Role.AGENCY_LEAD):
            access = ReportAccess(False, False)
        else:
            one = _model("Review").objects.filter(pk=review.pk)
            access = ReportAccess(
                may_change(user, review),
                one.filter(panel_reader(user, "pk")).exists())
        memo[review.pk] = access
    return memo[review.pk]


def panel_reader(user: User, review_ref: str) -> Q:
    """The person is a current panel member or chair of the review named by ``review_ref``
    and still holds the panel member (or reviewer, for a chair) role — or an agency lead
    designated to give a safeguarding partner's sign-off approval (``sign_off_designee``) —
    with identifiable access to it."""
    roles = user.roles() if hasattr(user, "roles") else set()
    if not roles & {Role.PANEL_MEMBER, Role.REVIEWER, Role.AGENCY_LEAD}:
        return Q(pk__in=[])
    identifiable = _model("Review").objects.for_user(user, "view_identifiable").filter(
        pk=OuterRef(review_ref))
    reader = sign_off_designee(user)
    if roles & {Role.PANEL_MEMBER, Role.REVIEWER}:
        appointment = _model("PanelAppointment")
        seat = appointment.objects.filter(
            review=OuterRef(review_ref), user=user, ended_on__isnull=True,
            panel_role__in=[appointment.PanelRole.MEMBER, appointment.PanelRole.CHAIR])
        reader |= Q(Exists(seat))
    return reader & Q(Exists(identifiable))


def designated_kinds(user: User) -> QuerySet[Any]:
    """The agency kinds this person speaks for at sign-off: a live designation for a
    current partner approver of a kind their active agency-lead membership is of (so leaving
    the agency ends the designation's effect at once)."""
    leads = Membership.objects.active().filter(user=user, role=Role.AGENCY_LEAD,
                                               agency__isnull=False).values("agency__kind")
    return _model("SignOffDesignation").objects.filter(
        user=user, ended_at__isnull=True, approver__retired=False, approver__who="partner",
        approver__agency_kind__in=leads).values("approver__agency_kind")


def sign_off_designee(user: User) -> Q:
    """Whether this person is a designated representative of a safeguarding partner."""
    if not user.has_role(Role.AGENCY_LEAD):
        return Q(pk__in=[])
    return Q(Exists(designated_kinds(user)))
