"""What every review service shares: the locked, still-open review and per-review grants.

Private helpers for the sub-domain modules; nothing here is a service a view calls.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError

from agencies.models import User
from scr.history import save_with_history
from scr.rules import fresh_locked

from ..models import (
    ENDED_STAGES,
    Review,
    ReviewGroupObjectPermission,
    ReviewUserObjectPermission,
    Stage,
)

__all__ = [
    "open_review_locked",
]


def open_review_locked(review: Review) -> Review:
    """The review, fresh and row-locked, if it may still change. An ended review (closed,
    no review, withdrawn) is read-only: only a reasoned reopen changes it."""
    locked = fresh_locked(review)
    if locked.stage in ENDED_STAGES:
        raise ValidationError(
            f"This review is {Stage(locked.stage).label.lower()}, so it is read-only. Nothing "
            "was changed. A business manager can reopen it, with a reason, to change it.")
    return locked


def _permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="reviews", codename=codename)


def _grant(review: Review, codename: str, *, by: User, reason: str, user: User | None = None,
           group: Group | None = None) -> None:
    """Give one per-review permission (a guardian row on the direct-FK tables), with who
    and why in its history, like every other change."""
    model = ReviewUserObjectPermission if user is not None else ReviewGroupObjectPermission
    holder: dict[str, Any] = {"user": user} if user is not None else {"group": group}
    permission = _permission(codename)
    if model.objects.filter(content_object=review, permission=permission, **holder).exists():
        return
    save_with_history(model(content_object=review, permission=permission, **holder), by=by,
                      reason=reason)


def _revoke(review: Review, codename: str, *, user: User, by: User, reason: str) -> None:
    for row in ReviewUserObjectPermission.objects.filter(content_object=review, user=user,
                                                         permission__codename=codename):
        row._history_user = by  # type: ignore[attr-defined]
        row._change_reason = reason  # type: ignore[attr-defined]
        row.delete()  # an access grant, not case data: history keeps who ended it and why
