"""Small rules every service applies the same way, written once."""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models

M = TypeVar("M", bound=models.Model)


def require_reason(reason: str, message: str = "Enter the reason for this change",
                   field: str = "reason") -> str:
    """A reason the history will keep: blank or white space is refused, in the service,
    whatever the form did. Returns it stripped."""
    from scr.text import REASON_LENGTH

    if not (reason or "").strip():
        raise ValidationError({field: message})
    if len(reason.strip()) > REASON_LENGTH:
        raise ValidationError({field: f"The reason must be {REASON_LENGTH:,} characters or less"})
    return reason.strip()


def fresh_locked(instance: M) -> M:
    """A fresh copy of ``instance`` read under a row lock. Services change the copy and
    refresh the caller's object only once the change is saved, so a refusal leaves the
    caller's object exactly as it was (and a later ``save()`` cannot persist it)."""
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)
