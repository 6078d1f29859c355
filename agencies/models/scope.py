"""Who may see which people and memberships (the agencies app's scope rules)."""

from __future__ import annotations

from typing import Any, Protocol

from django.db.models import QuerySet

from agencies.models.roles import Role
from scr.actions import Action

__all__ = ["Person", "agencies_for", "is_business_manager", "memberships_for", "users_for"]


class Person(Protocol):
    """What the rules read of the person asking (a ``User``, or Django's anonymous user)."""

    pk: Any

    @property
    def is_authenticated(self) -> bool: ...

    def has_role(self, *roles: str) -> bool: ...


def is_business_manager(user: Person) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.BUSINESS_MANAGER))


def users_for(user: Person, action: Action, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Business managers manage everyone; anyone else sees only themselves."""
    if not user.is_authenticated:
        return qs.none()
    if is_business_manager(user):
        return qs
    return qs.filter(pk=user.pk) if action == "view" else qs.none()



def memberships_for(user: Person, action: Action, qs: QuerySet[Any]) -> QuerySet[Any]:
    if not user.is_authenticated:
        return qs.none()
    if is_business_manager(user):
        return qs
    return qs.filter(user=user) if action == "view" else qs.none()


def agencies_for(user: Person, action: Action, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Agency names are not sensitive: anyone signed in sees them; managers change them."""
    if not user.is_authenticated:
        return qs.none()
    if is_business_manager(user) or action == "view":
        return qs
    return qs.none()
