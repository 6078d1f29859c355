"""Saving tracked models with who and why, from services, commands and tasks.

The request middleware fills in the user for web requests; services call
``save_with_history`` so the user and the reason are explicit everywhere else too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def save_with_history(instance: M, *, by: Any, reason: str, **save_kwargs: Any) -> M:
    instance._history_user = by if getattr(by, "is_authenticated", False) else None  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]
    instance.save(**save_kwargs)
    return instance


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    """One saved version of one record, with what changed since the version before."""

    when: datetime
    who: str
    why: str
    kind: str  # "Created", "Changed" or "Deleted"
    record_type: str
    record: str
    changes: tuple[FieldChange, ...]


KINDS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _display(field: models.Field, value: Any) -> str:
    if value is None or value == "":
        return "–"
    choices = dict(field.flatchoices) if getattr(field, "choices", None) else None
    if choices and value in choices:
        return str(choices[value])
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def history_entries(querysets: Iterable[models.QuerySet[Any]]) -> list[HistoryEntry]:
    """Merge the history of several records, newest first, with field-level diffs.

    One query per historical model: versions are paired with their predecessor
    in Python rather than through ``prev_record`` (which would query per row).
    """
    entries: list[HistoryEntry] = []
    for qs in querysets:
        model = qs.model
        pk_name = model.instance_type._meta.pk.attname
        fields = {f.attname: f for f in model.instance_type._meta.concrete_fields
                  if f.attname in {h.attname for h in model._meta.concrete_fields}}
        rows = qs.select_related("history_user").order_by(pk_name, "history_date", "history_id")
        previous: dict[Any, Any] = {}
        for row in rows:
            key = getattr(row, pk_name)
            before = previous.get(key)
            changes = []
            for attname, field in fields.items():
                new = getattr(row, attname)
                old = getattr(before, attname) if before is not None else None
                if before is None and row.history_type == "+":
                    if new in (None, ""):
                        continue
                elif new == old:
                    continue
                changes.append(FieldChange(str(field.verbose_name).capitalize(),
                                           _display(field, old) if before is not None else "",
                                           _display(field, new)))
            previous[key] = row
            user = row.history_user
            entries.append(HistoryEntry(
                when=row.history_date,
                who=(user.get_full_name() or user.username) if user else "System",
                why=row.history_change_reason or "",
                kind=KINDS.get(row.history_type, row.history_type),
                record_type=str(model.instance_type._meta.verbose_name).capitalize(),
                record=str(row.instance),
                changes=tuple(changes),
            ))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
