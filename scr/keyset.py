"""Keyset ("seek") pagination: a page is the rows after (or before) the last row seen, in a
total order, so the 400th page costs what the first does and no page counts the whole list.

``OFFSET n`` makes the database produce and throw away ``n`` rows, and a numbered page needs
a ``COUNT`` of everything; both grow with the list. Here a page is one query: the ordered
queryset filtered past a *cursor* (the sort key of the row at the page's edge) and sliced to
one row more than the page, which says whether there is a next page. The links are "Previous"
and "Next" (GOV.UK's pagination without numbers, ``_partials/keyset_pagination.html``).

The order must be total (end with the primary key) and its keys must never be NULL (annotate
a flag and a ``Coalesce`` for a nullable column: ``reviews.selectors.chronology`` does). A
cursor is the keys as text in the URL; a tampered one only moves the reader within the
queryset they were given, which is already narrowed to what they may see.

We write this rather than use a package: django-keyset-pagination-plus and
django-cursor-pagination are unmaintained (no release for Django 4 or 5), and DRF's
``CursorPagination`` is tied to DRF's request and response classes.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, Generic, TypeVar

from django.core.exceptions import FieldError, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.http import QueryDict

__all__ = ["CURSORS", "KeysetPage", "keyset_page", "without_cursor"]

# The query parameters that carry a cursor.
CURSORS = ("after", "before")

T = TypeVar("T")

# (name, descending): a field or annotation of the queryset, and its direction.
Order = Sequence[tuple[str, bool]]


@dataclass(frozen=True)
class KeysetPage(Generic[T]):
    """One page, and the cursors of the pages either side (``None``: there is none)."""

    object_list: list[T]
    next_cursor: str | None
    previous_cursor: str | None

    def has_other_pages(self) -> bool:
        return self.next_cursor is not None or self.previous_cursor is not None

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


class _KeyEncoder(DjangoJSONEncoder):
    """Django's encoder keeps milliseconds of a time; a cursor needs every microsecond (two
    saves a millisecond apart are two rows)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime | time):
            return o.isoformat()
        return super().default(o)


def _encode(keys: Sequence[Any]) -> str:
    text = json.dumps(list(keys), cls=_KeyEncoder, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(qs: QuerySet[Any], order: Order, cursor: str) -> list[Any] | None:
    """The cursor's keys as the columns' own types, or ``None`` for a cursor that is not
    one (then the first page is shown)."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(order):
            return None
        return [qs.query.resolve_ref(name).output_field.to_python(value)
                for (name, _), value in zip(order, raw, strict=True)]
    except (ValueError, TypeError, ValidationError, FieldError):
        return None


def _past(order: Order, keys: Sequence[Any], *, forwards: bool) -> Q:
    """Rows after ``keys`` in ``order`` (``forwards``) or before them: the row-value
    comparison written out, (a > x) or (a = x and b > y) or …, which PostgreSQL answers from
    an index on the same columns."""
    past = Q(pk__in=[])
    equal = Q()
    for (name, descending), value in zip(order, keys, strict=True):
        later = "lt" if descending == forwards else "gt"
        past |= equal & Q(**{f"{name}__{later}": value})
        equal &= Q(**{name: value})
    # The first key's bound again, on its own: the range an index on the order starts from
    # (the planner does not read one out of the OR).
    (first, descending), value = order[0], keys[0]
    return Q(**{f"{first}__{'lte' if descending == forwards else 'gte'}": value}) & past


def _rows(qs: QuerySet[Any], parts: Sequence[QuerySet[Any]] | None, where: Q,
          ordering: list[str], limit: int) -> list[Any]:
    """The first ``limit`` rows of ``qs`` past ``where`` in ``ordering``; with ``parts``
    (the same rows, split so that an index walks each in order), each part's first rows,
    merged: a ``UNION ALL`` of ordered, limited parts, ordered and limited again."""
    if not parts or len(parts) == 1:
        return list((parts[0] if parts else qs).filter(where).order_by(*ordering)[:limit])
    firsts = [part.filter(where).order_by(*ordering)[:limit] for part in parts]
    return list(firsts[0].union(*firsts[1:], all=True).order_by(*ordering)[:limit])


def keyset_page(qs: QuerySet[Any], order: Order, *, size: int, after: str | None = None,
                before: str | None = None,
                load: Callable[[list[Any]], list[T]] | None = None,
                parts: Sequence[QuerySet[Any]] | None = None) -> KeysetPage[T]:
    """The page of ``qs`` (in ``order``) just after the cursor ``after``, or just before
    ``before``, or the first page: one query for the rows (``load`` then turns the rows into
    what the page shows, in order, e.g. the full records of the keys read), at most two when
    a "Previous" link leads back to the start. ``qs`` must select the order's names (fields
    or annotations) on its rows, as values or attributes. ``parts``, if given, are ``qs``
    split into pieces the database walks in order each (see ``_rows``)."""
    names = [name for name, _ in order]
    ordering = [f"-{name}" if descending else name for name, descending in order]
    reverse = [name[1:] if name.startswith("-") else f"-{name}" for name in ordering]
    back_keys = _decode(qs, order, before) if before else None
    keys = _decode(qs, order, after) if after and back_keys is None else None
    if back_keys is not None:
        rows = _rows(qs, parts, _past(order, back_keys, forwards=False), reverse, size + 1)
        at_start = len(rows) <= size
        if at_start and len(rows) < size:
            keys, back_keys = None, None  # the start is less than a page back: show page 1
        else:
            rows = rows[:size][::-1]
            return _page(rows, names, load, next_from=True, previous_from=not at_start)
    where = _past(order, keys, forwards=True) if keys is not None else Q()
    rows = _rows(qs, parts, where, ordering, size + 1)
    more = len(rows) > size
    return _page(rows[:size], names, load, next_from=more, previous_from=keys is not None)


def _key(row: Any, names: list[str]) -> list[Any]:
    if isinstance(row, dict):
        return [row[name] for name in names]
    return [getattr(row, name) for name in names]


def _page(rows: list[Any], names: list[str], load: Callable[[list[Any]], list[T]] | None, *,
          next_from: bool, previous_from: bool) -> KeysetPage[T]:
    shown: list[Any] = load(rows) if load is not None else rows
    return KeysetPage(
        object_list=shown,
        next_cursor=_encode(_key(rows[-1], names)) if next_from and rows else None,
        previous_cursor=_encode(_key(rows[0], names)) if previous_from and rows else None)


def without_cursor(query: QueryDict) -> str:
    """The page's query string (its filters) without its cursor, for the links to the pages
    either side, which add their own."""
    rest = query.copy()
    for name in CURSORS:
        rest.pop(name, None)
    rest.pop("page", None)
    return rest.urlencode()
