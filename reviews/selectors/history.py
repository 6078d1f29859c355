"""A review's merged history: the review's own and every record's, each through its scope.

The History page reads the review's timeline (``reviews.models.history``: one row per saved
version of the review or any of its records, appended with the history row), newest first,
a page at a time after a cursor (``scr.keyset``): one indexed query, whatever the length of
the history. Which versions a reader sees is asked of each kind of record, as before,
through its own ``history_in`` (the scope its record's page checks): a kind whose versions
every reader of the review's history sees (``history_is_review_wide``) costs nothing more;
for a narrower kind each row the page walks must have its version in that kind's
``history_in`` (an ``EXISTS`` on the history row's primary key). Fields: ``scr.history``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When

from agencies.models.roles import Role
from reviews.models import Review, TimelineRow, review_record_models, timeline_kind
from scr.history import HistoryEntry, version_entries
from scr.keyset import KeysetPage, keyset_page

if TYPE_CHECKING:
    from agencies.models import User

__all__ = ["HistoryKind", "history_kinds", "kinds_present", "narrow_timeline",
           "review_histories", "review_history_page", "review_history_people",
           "review_timeline", "timeline_index_parts"]

# The order of the page: newest first, the row's own id breaking ties (stable across pages).
TIMELINE_ORDER = (("history_date", True), ("id", True))
PAGE_SIZE = 25


@dataclass(frozen=True)
class HistoryKind:
    """One kind of record on the History page: its filter key, label and model."""

    key: str
    label: str
    model: Any
    # The historical model, read once: simple-history builds a new manager class on every
    # access to ``Model.history`` (a few milliseconds across fifty kinds, on every page).
    history_model: Any

    @property
    def review_wide(self) -> bool:
        return self.model is Review or bool(self.model.history_is_review_wide())


@cache
def history_kinds() -> tuple[HistoryKind, ...]:
    """The review and each kind of record it has (every ``ReviewRecord`` subclass), by name:
    the models do not change while the process runs."""
    models: list[Any] = [Review, *review_record_models()]
    return tuple(HistoryKind("review" if m is Review else str(m._meta.model_name),
                             str(m._meta.verbose_name).capitalize(), m, m.history.model)
                 for m in models)


def review_histories(user: User, review: Review) -> dict[str, tuple[str, QuerySet]]:
    """{key: (label, historical rows)} of the review and each kind of record it has: the
    rule of which versions of each kind ``user`` reads.

    The caller has checked that ``user`` may read this review's history
    (``scoped_object_or_404(Review, user, "view_history")``). Every record model (a
    ``ReviewRecord`` subclass) gives its rows through ``history_in``: one plain query, or,
    for a model with a narrower scope, through its own ``for_user(user, "view_history")``
    (an agency lead reads only their agency's evidence requests). A new kind of record
    joins the page by subclassing ``ReviewRecord``.
    """
    return {kind.key: (kind.label, Review.history.filter(id=review.pk) if kind.model is Review
                       else kind.model.history_in(user, review))
            for kind in history_kinds()}


def review_timeline(user: User, review: Review,
                    kinds: list[HistoryKind] | None = None) -> QuerySet[TimelineRow]:
    """The rows of the review's timeline ``user`` may see: review-wide kinds by their kind
    alone, each narrower kind with its version in its own ``history_in(user, review)`` (a
    kind empty for this reader is left out). ``kinds``: those present in the review
    (``kinds_present``), if the caller has them already."""
    wide: list[str] = []
    narrow: list[When] = []
    for each in kinds if kinds is not None else kinds_present(review):
        if each.review_wide:
            wide.append(timeline_kind(each.model))
            continue
        versions = each.model.history_in(user, review)
        if versions.query.is_empty():
            continue
        # The version's own row, named by a range of one: with an equality PostgreSQL may
        # choose to hash the kind's whole visible history first (every submitted entry of a
        # long chronology) where one index probe per row walked is what a page needs.
        narrow.append(When(kind=timeline_kind(each.model), then=Exists(
            versions.order_by().filter(history_id__gte=OuterRef("history_id"),
                                       history_id__lte=OuterRef("history_id")))))
    # A CASE, not an OR: each row's kind picks the one test it needs, and the planner walks
    # the review's index newest first and stops at the page's end (an OR of kinds it would
    # answer with a bitmap of every row of the review, then sort them all).
    visible = Case(*narrow, default=Q(kind__in=wide) if wide else Value(False),
                   output_field=BooleanField())
    return TimelineRow.objects.filter(review=review).filter(visible)


def _only_own_agencies(user: User) -> set[int] | None:
    """The agencies of a reader who reaches reviews only as an agency's lead, or ``None``.

    Such a reader reads a record that belongs to an agency (``HISTORY_AGENCY_FIELD``: a
    chronology entry, an evidence request and its answer) only if the agency is theirs:
    each of those kinds' scope says so, and ``test_history_pages`` checks the page against
    every kind's own rule. The rows of other agencies are then skipped by the index rather
    than each asked of its kind's scope (tens of thousands for a long chronology)."""
    if not user.has_role(Role.AGENCY_LEAD) or user.has_role(
            Role.BUSINESS_MANAGER, Role.REVIEWER, Role.PANEL_MEMBER):
        return None
    return user.agency_ids(Role.AGENCY_LEAD)


def timeline_index_parts(user: User, rows: QuerySet[TimelineRow]) -> list[QuerySet[TimelineRow]]:
    """``rows`` as parts each of which one index walks newest first (an agency's lead: the
    rows of no agency, and of each of theirs), for a page to merge (``scr.keyset``); one part
    where the database cannot order the parts of a union (SQLite) or nothing is gained."""
    own = _only_own_agencies(user)
    if own is None:
        return [rows]
    if not connection.features.supports_slicing_ordering_in_compound:
        return [rows.filter(Q(agency__isnull=True) | Q(agency_id__in=sorted(own)))]
    return [rows.filter(agency__isnull=True), *(rows.filter(agency_id=a) for a in sorted(own))]


def kinds_present(review: Review) -> list[HistoryKind]:
    """The kinds of record with at least one version in the review's timeline, in one query
    of one index probe per kind (a ``DISTINCT`` would read every row of the review): the
    page builds the scope of only those kinds, and offers only those in its filter."""
    kinds = history_kinds()
    table = connection.ops.quote_name(TimelineRow._meta.db_table)
    candidates = " UNION ALL ".join(["SELECT %s AS kind"] * len(kinds))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT k.kind FROM ({candidates}) k WHERE EXISTS (SELECT 1 FROM {table} t"  # noqa: S608 - names from the model, values as parameters
            " WHERE t.review_id = %s AND t.kind = k.kind)",
            [*(timeline_kind(kind.model) for kind in kinds), review.pk])
        present = {kind for (kind,) in cursor.fetchall()}
    return [kind for kind in kinds if timeline_kind(kind.model) in present]


def narrow_timeline(rows: QuerySet[TimelineRow], *, kind: str | None = None,
                    person: int | None = None) -> QuerySet[TimelineRow]:
    """``rows`` of one kind of record (its key) and/or by one person, if asked."""
    if kind:
        found = [k.model for k in history_kinds() if k.key == kind]
        rows = rows.filter(kind=timeline_kind(found[0])) if found else rows.none()
    return rows.filter(history_user_id=person) if person else rows


def review_history_people(user: User, rows: QuerySet[TimelineRow]) -> list[tuple[int, str]]:
    """(id, name) of everyone who made a change among ``rows`` (``user``'s), in one query:
    each person is an index probe on the review's rows by that person, walked until one
    the reader may see."""
    own = _only_own_agencies(user)
    if own is not None:
        rows = rows.filter(Q(agency__isnull=True) | Q(agency_id__in=sorted(own)))
    people = get_user_model()._base_manager.filter(Exists(rows.filter(
        history_user_id=OuterRef("pk")))).order_by("first_name", "last_name", "username")
    return [(u.pk, u.get_full_name() or u.username) for u in people]


def review_history_page(user: User, rows: QuerySet[TimelineRow], *, after: str | None = None,
                        before: str | None = None,
                        size: int = PAGE_SIZE) -> KeysetPage[HistoryEntry]:
    """A page of ``rows`` as history entries, newest first, after or before a cursor: one
    query for the page's rows, then ``scr.history.version_entries`` (one per kind of record
    on the page with its predecessors, one per model of the names it links to), field by field as ``user`` may
    see them."""
    models = {timeline_kind(kind.model): kind.history_model for kind in history_kinds()}
    columns = ("history_date", "id", "kind", "history_id")
    return keyset_page(
        rows.values(*columns), TIMELINE_ORDER, size=size, after=after, before=before,
        parts=[part.values(*columns) for part in timeline_index_parts(user, rows)],
        load=lambda keys: version_entries(
            [(models[key["kind"]], key["history_id"]) for key in keys], reader=user))
