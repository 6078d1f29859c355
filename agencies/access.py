"""Who may see which people and memberships (the agencies app's scope rules)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from agencies.roles import Role
from scr.actions import Action

if TYPE_CHECKING:
    from agencies.models import Agency, Membership, User


def is_business_manager(user: User) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.BUSINESS_MANAGER))


def users_for(user: User, action: Action, qs: QuerySet[User]) -> QuerySet[User]:
    """Business managers manage everyone; anyone else sees only themselves."""
    if not user.is_authenticated:
        return qs.none()
    if is_business_manager(user):
        return qs
    return qs.filter(pk=user.pk) if action == "view" else qs.none()



def memberships_for(user: User, action: Action, qs: QuerySet[Membership]) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return qs.none()
    if is_business_manager(user):
        return qs
    return qs.filter(user=user) if action == "view" else qs.none()


def agencies_for(user: User, action: Action, qs: QuerySet[Agency]) -> QuerySet[Agency]:
    """Agency names are not sensitive: anyone signed in sees them; managers change them."""
    if not user.is_authenticated:
        return qs.none()
    if is_business_manager(user) or action == "view":
        return qs
    return qs.none()
