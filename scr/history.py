"""Saving tracked models with who and why, from services, commands and tasks, and the
history pages' one rule of what a reader sees.

The request middleware fills in the user for web requests; services call
``save_with_history`` so the user and the reason are explicit everywhere else too.
Every such write also retires the cached per-person figures once it commits
(``scr.figures``). ``withdraw_with_history`` is the one "withdraw with a reason"
sequence (nothing a user reaches deletes case data).

**A history page shows exactly what the reader may see on the record's own page, field by
field.** Rows: the record is in its model's ``for_user(reader, "view_history")`` (the record's
page checks it; a review's History page asks each kind of record through the same scope).
Fields: every model with a history declares ``history_fields(reader, version)``, the names of
the fields of that version its page shows this reader, or ``None`` for all of them
(``EVERY_FIELD``). A field outside it is never shown: not as a change, not in the record's
label; a version that changed only fields hidden from the reader is left out, with its who
and why. A model without the declaration has no history page (``history_rule`` refuses it);
``tests/test_history_rule.py`` walks every tracked model.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import F, Q, Subquery, Window
from django.db.models.fields.mixins import FieldCacheMixin
from django.db.models.functions import Lead
from django.utils import timezone
from django.utils.formats import date_format

from scr.figures import note_case_write
from scr.keyset import KeysetPage, keyset_page
from scr.rules import fresh_locked, require_reason
from scr.text import govuk_dates

if TYPE_CHECKING:
    from scr.http import User

M = TypeVar("M", bound=models.Model)


def mark_history(instance: models.Model, *, by: User | None, reason: str) -> None:
    """Who and why for the history row of the instance's next save or delete: simple-history
    reads them off the instance (``_history_user``, ``_change_reason``)."""
    vars(instance).update(_history_user=by, _change_reason=reason)


def save_without_history(instance: M, **save_kwargs: Any) -> M:
    """Save derived data with no history row (simple-history's ``skip_history_when_saving``)."""
    vars(instance)["skip_history_when_saving"] = True
    try:
        instance.save(**save_kwargs)
    finally:
        del vars(instance)["skip_history_when_saving"]
    return instance


def save_with_history(instance: M, *, by: User | None, reason: str, **save_kwargs: Any) -> M:
    mark_history(instance, by=by if getattr(by, "is_authenticated", False) else None,
                 reason=reason)
    instance.save(**save_kwargs)
    note_case_write(save_kwargs.get("using") or DEFAULT_DB_ALIAS)
    return instance


def is_withdrawn(record: models.Model) -> bool:
    """Whether ``record`` is withdrawn, by the fields its model has: ``withdrawn`` (a flag)
    or ``withdrawn_at`` (a time)."""
    return bool(getattr(record, "withdrawn", False)) or getattr(
        record, "withdrawn_at", None) is not None


def withdraw_with_history(record: M, *, by: Any, reason: str, already: str,
                          missing_reason: str = "Enter the reason for this change",
                          prepare: Callable[[M, str], object] | None = None,
                          history_reason: str = "{reason}") -> M:
    """Withdraw ``record`` (never delete it), in the caller's transaction, after the
    caller's own checks (the review still open, who may do it).

    The reason is required (``require_reason``, ``missing_reason`` when blank); the record
    is read fresh under a row lock and refused, with ``already`` and "Nothing was
    changed.", if it is withdrawn already; ``prepare(stored, reason)`` then does what this
    record's withdrawal needs besides (refuse for its own reasons, ungroup what hangs on
    it); the withdrawal fields the model has are set (``withdrawn``, ``withdrawn_at``,
    ``withdrawn_reason``, ``withdrawn_by``) and saved with ``history_reason`` (the reason
    as given by default) in its history. Returns the caller's object, refreshed; a
    refusal leaves it as it was."""
    reason = require_reason(reason, missing_reason)
    stored = fresh_locked(record)
    if is_withdrawn(stored):
        raise ValidationError(f"{already} Nothing was changed.")
    if prepare is not None:
        prepare(stored, reason)
    fields = {f.name for f in stored._meta.concrete_fields}
    values = {"withdrawn": True, "withdrawn_at": timezone.now(), "withdrawn_reason": reason,
              "withdrawn_by": by}
    for name, value in values.items():
        if name in fields:
            setattr(stored, name, value)
    save_with_history(stored, by=by, reason=history_reason.format(reason=reason))
    record.refresh_from_db()
    return record


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
    who_id: int | None
    why: str
    kind: str  # "Created", "Changed" or "Deleted"
    record_type: str
    record: str
    changes: tuple[FieldChange, ...]


KINDS = {"+": "Created", "~": "Changed", "-": "Deleted"}
# Never shown as a change: the row's own id says nothing to a reader.
HIDDEN_FIELDS = frozenset({"id"})

# ``history_fields(reader, version)``: the names of the fields the reader sees, or None (all).
FieldRule = Callable[[Any, Any], "Collection[str] | None"]


def every_field(reader: Any, version: Any) -> Collection[str] | None:
    """The record's page shows every field of the record to whoever may read the record."""
    return None


# Declared on a model (``history_fields = EVERY_FIELD``) whose scope is its only rule.
EVERY_FIELD = staticmethod(every_field)


def history_rule(model: type[models.Model]) -> FieldRule:
    """The model's declaration of the fields a reader sees in its history; a model without
    one has no history page."""
    rule = getattr(model, "history_fields", None)
    if not callable(rule):
        raise ImproperlyConfigured(f"{model._meta.label} declares no history_fields: "
                                   "say which fields its page shows to whom (scr.history).")
    return rule


def shown_fields(model: type[models.Model], reader: Any, version: Any,
                 fields: dict[str, models.Field]) -> dict[str, models.Field]:
    """Of the tracked ``fields`` of ``version``, those ``reader`` sees (the model's rule)."""
    visible = history_rule(model)(reader, version)
    if visible is None:
        return fields
    return {attname: field for attname, field in fields.items()
            if field.name in visible or attname in visible}


def _display(field: models.Field, value: Any, linked: dict[Any, models.Model]) -> str:
    """A value in words: a linked record by its name, a choice by its label, a time to the
    minute in local time, a date as a date."""
    if value is None or value == "":
        return "–"
    if field.is_relation:
        obj = linked.get(value)
        return str(obj) if obj is not None else "(a record you cannot see)"
    choices = dict(field.flatchoices) if getattr(field, "choices", None) else None
    if choices and value in choices:
        return str(choices[value])
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "j M Y, H:i")
    if isinstance(value, date):
        return date_format(value, "j M Y")
    return govuk_dates(str(value))


Linked = dict[type[models.Model], dict[Any, models.Model]]


def _target(field: models.Field) -> type[models.Model]:
    """The model a relation points to (a relation always has one)."""
    target = field.related_model
    assert target is not None and not isinstance(target, str)
    return target


def _tracked_fields(model: Any) -> dict[str, models.Field]:
    tracked = {h.attname for h in model._meta.concrete_fields}
    return {f.attname: f for f in model.instance_type._meta.concrete_fields
            if f.attname in tracked and f.attname not in HIDDEN_FIELDS}


def _linked_records(versions: list[tuple[Any, list[Any], dict[str, models.Field]]]) -> Linked:
    """Every record the versions point to, one query per linked model across all the
    histories (never one per row)."""
    wanted: dict[type[models.Model], set[Any]] = {}
    for _model, rows, fields in versions:
        for attname, field in fields.items():
            if field.is_relation:
                ids = wanted.setdefault(_target(field), set())
                ids.update(getattr(row, attname) for row in rows)
    return {target: target._base_manager.in_bulk(ids - {None})
            for target, ids in wanted.items() if ids - {None}}


def _label(row: Any, fields: dict[str, models.Field], linked: Linked,
           hidden: frozenset[str] = frozenset()) -> str:
    """``str()`` of the version, built from the version's own values with its links filled
    in from what was loaded: simple-history's ``row.instance`` re-reads fields it does not
    track, and a ``__str__`` that names a linked record would query, once per row each.
    Fields hidden from the reader are left at their defaults."""
    model = type(row).instance_type
    instance = model(**{f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields
                        if hasattr(row, f.attname) and f.attname not in hidden})
    for attname, field in fields.items():
        if field.is_relation:
            obj = linked.get(_target(field), {}).get(getattr(row, attname))
            if obj is not None:
                cast(FieldCacheMixin, field).set_cached_value(instance, obj)  # a relation
    return str(instance)


def version_entries(versions: Sequence[tuple[Any, int]], *, reader: Any) -> list[HistoryEntry]:
    """The entries of a page of versions, each ``(historical model, history_id)``, in the
    order given, with their diffs, showing ``reader`` only what each record's page shows
    them: one query per kind of record on the page for the rows with their predecessors,
    one per linked model for the names (never one per row). A save that
    changed nothing the reader may see is left out (a page may show fewer entries)."""
    by_model: dict[Any, list[int]] = {}
    for model, history_id in versions:
        by_model.setdefault(model, []).append(history_id)
    loaded: dict[Any, tuple[dict[int, Any], dict[int, Any], dict[str, models.Field]]] = {}
    batches = []
    for model, ids in by_model.items():
        fields = _tracked_fields(model)
        rows, previous = _with_predecessors(model, ids)
        loaded[model] = ({row.history_id: row for row in rows}, previous, fields)
        batches.append((model, rows + list(previous.values()), fields))
    linked = _linked_records(batches)
    entries = []
    for model, history_id in versions:
        rows_by_id, previous, fields = loaded[model]
        row, before = rows_by_id.get(history_id), previous.get(history_id)
        if row is None:
            continue
        shown = shown_fields(model.instance_type, reader, row, fields)
        if row.history_type == "~" and before is not None and not any(
                getattr(row, name) != getattr(before, name) for name in shown):
            continue  # nothing the reader may see changed: not even who or why
        entries.append(_entry(model, row, before, shown, linked,
                              frozenset(fields) - frozenset(shown)))
    return entries


def _with_predecessors(model: Any, ids: list[int]) -> tuple[list[Any], dict[int, Any]]:
    """The versions ``ids`` of one historical model and, for each, the version of the same
    record just before it: one query, whatever the number of versions. Each version of the
    page's records carries the history row of the one after it (``LEAD`` over the record's
    versions in the order date, then history row); those wanted, or followed by one wanted,
    are read."""
    pk_name = model.instance_type._meta.pk.attname
    manager = model._default_manager
    page = manager.filter(history_id__in=ids).order_by()
    # No version after the page's newest is needed (a record may have many).
    newest = page.order_by("-history_date").values("history_date")[:1]
    records = page.values(pk_name)
    following = Window(Lead("history_id"), partition_by=[F(pk_name)],
                       order_by=[F("history_date").asc(), F("history_id").asc()])
    loaded = list(manager.filter(**{f"{pk_name}__in": records},
                                 history_date__lte=Subquery(newest))
                  .annotate(following=following)
                  .filter(Q(history_id__in=ids) | Q(following__in=ids)).order_by()
                  .select_related("history_user"))
    loaded.sort(key=lambda v: (getattr(v, pk_name), v.history_date, v.history_id))
    wanted = set(ids)
    last: dict[Any, Any] = {}
    previous: dict[int, Any] = {}
    rows = []
    for version in loaded:
        record = getattr(version, pk_name)
        if version.history_id in wanted:
            rows.append(version)
            if record in last and last[record].following == version.history_id:
                previous[version.history_id] = last[record]
        last[record] = version
    return rows, previous


def _entry(model: Any, row: Any, before: Any, fields: dict[str, models.Field],
           linked: Linked, hidden: frozenset[str] = frozenset()) -> HistoryEntry:
    user = row.history_user
    return HistoryEntry(
        when=row.history_date,
        who=(user.get_full_name() or user.username) if user else "System",
        who_id=user.pk if user else None,
        why=govuk_dates(row.history_change_reason or ""),
        kind=KINDS.get(row.history_type, row.history_type),
        record_type=str(model.instance_type._meta.verbose_name).capitalize(),
        record=_label(row, fields, linked, hidden),
        changes=_changes(row, before, fields, linked),
    )


def history_page(versions: models.QuerySet[Any], *, reader: Any, size: int = 25,
                 after: str | None = None, before: str | None = None) -> KeysetPage[HistoryEntry]:
    """One page of the history rows ``versions`` (one historical model's, already narrowed to
    what ``reader`` may see), newest first, with field-level diffs (``version_entries``): a
    page at a time after or before a cursor (``scr.keyset``), so the thousandth version costs
    what the first does and nothing counts them all."""
    model = versions.model
    return keyset_page(
        versions.values("history_date", "history_id"), HISTORY_ORDER, size=size, after=after,
        before=before, load=lambda rows: version_entries(
            [(model, row["history_id"]) for row in rows], reader=reader))


# Newest first; the history row's id breaks a tie of two saves in the same microsecond.
HISTORY_ORDER = (("history_date", True), ("history_id", True))


def _changes(row: Any, before: Any, fields: dict[str, models.Field],
             linked: Linked) -> tuple[FieldChange, ...]:
    changes = []
    for attname, field in fields.items():
        new = getattr(row, attname)
        old = getattr(before, attname) if before is not None else None
        if before is None and row.history_type == "+":
            if new in (None, ""):
                continue
        elif new == old:
            continue
        names = linked.get(_target(field), {}) if field.is_relation else {}
        changes.append(FieldChange(str(field.verbose_name).capitalize(),
                                   _display(field, old, names) if before is not None else "",
                                   _display(field, new, names)))
    return tuple(changes)
