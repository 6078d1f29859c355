"""Reads about people that other layers ask for by name (settings wiring)."""

from __future__ import annotations

from agencies.models import Membership, User
from agencies.models.roles import Role

__all__ = ["security_alert_recipients"]


def security_alert_recipients() -> list[User]:
    """Who receives security alerts (refused access piling up): the active business managers
    (``SECURITY_ALERT_RECIPIENTS`` in settings)."""
    ids = Membership.objects.active().filter(role=Role.BUSINESS_MANAGER).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).exclude(email="")
                .order_by("pk"))
