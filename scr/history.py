"""Saving tracked models with who and why, from services, commands and tasks.

The request middleware fills in the user for web requests; services call
``save_with_history`` so the user and the reason are explicit everywhere else too.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def save_with_history(instance: M, *, by: Any, reason: str, **save_kwargs: Any) -> M:
    instance._history_user = by if getattr(by, "is_authenticated", False) else None  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]
    instance.save(**save_kwargs)
    return instance


def create_with_history(model: type[M], *, by: Any, reason: str, **fields: Any) -> M:
    return save_with_history(model(**fields), by=by, reason=reason)
