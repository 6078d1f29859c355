"""Search across reviews: every kind of record a person may read, ranked, with a snippet.

Each kind of record (``KINDS``) is searched through its own model's
``for_user(user, "view")`` — the queryset its pages use — narrowed to the reviews in which
the person may read real identities (``Review.objects.for_user(user, "view_identifiable")``):
the text of a review's records holds real names (it is pseudonymised only when shown to
someone without that access), so finding a record by a word of its text is reading it.
A board member therefore finds no text at all; anyone finds a review they may see by its
reference (``REFERENCE``).

On PostgreSQL: each kind's table has a stored, generated ``tsvector`` column of its fields
(``to_tsvector('english', …)``, GIN-indexed; migration ``search.0002``), matched against the
words typed (``websearch_to_tsquery``: quotes for a phrase, ``or``, ``-word``), ranked by
``ts_rank`` on that stored vector and highlighted by ``ts_headline``. Elsewhere (the
embedded SQLite default): every word typed in one of the fields (``icontains``), newest
first, the snippet cut around the first word found.

The number of queries does not grow with the results: one ``UNION ALL`` of every kind's
scoped query gives the page's rows (kind, id, rank), then one query per kind present on the
page fetches those rows (again through the kind's scope) with their snippets.

Snippets mark the words found with ``MARK_START`` / ``MARK_END`` (private-use characters
that stored text never holds: ``scr.doctext.clean`` removes them from documents' text, and
``strip_marks`` from the rest), so the page escapes everything and only then turns the
marks into ``<mark>`` (``search.views.presenters``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import F, FloatField, Min, Model, Q, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat
from django.urls import reverse

from actionplans.models import Action, ImpactEvidence
from agencies.models import User
from agencies.models.roles import Role
from reviews.models import (
    ChronologyEntry,
    EvidenceDocument,
    Finding,
    Meeting,
    MeetingMinutes,
    Recommendation,
    Review,
)

__all__ = [
    "KINDS",
    "MARK_END",
    "MARK_START",
    "PAGE_SIZE",
    "REFERENCE",
    "Kind",
    "Result",
    "SearchPage",
    "kind_queryset",
    "search_records",
    "search_vector",
    "strip_marks",
    "uses_full_text",
]

MARK_START, MARK_END = "\ue000", "\ue001"
PAGE_SIZE = 20
MAX_QUERY = 200  # characters of a search
CONFIG = "english"
SEARCH_COLUMN = "search_document"
_MARKS = re.compile(f"[{MARK_START}{MARK_END}]")
_WORD = re.compile(r"[\w'’-]+")


def strip_marks(text: str) -> str:
    return _MARKS.sub("", text)


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class Kind:
    """One kind of record the search reads."""

    name: str
    label: str
    model: type[Model]
    fields: tuple[str, ...]
    review: str  # the path from the record to its review
    live: Q  # what its pages list (not withdrawn)
    related: tuple[str, ...]
    title: Callable[[Any], str]
    url: Callable[[User, Any], str]
    # Values the title or link need, computed in the same query (never one per row).
    annotations: Callable[[], dict[str, Any]] = dict


def _date(value: Any) -> str:
    return f"{value:%-d %B %Y}" if value else "undated"


def _chronology_url(user: User, entry: ChronologyEntry) -> str:
    """An agency lead's own entries are on their agency's chronology; the review team reads
    the merged one."""
    if entry.agency_id in user.agency_ids(Role.AGENCY_LEAD):
        return reverse("agency_chronology", args=[entry.review_id, entry.agency_id])
    return reverse("review_chronology", args=[entry.review_id])


KINDS: tuple[Kind, ...] = (
    Kind("review", "Review", Review, ("what_happened", "decision_reasons", "national_panel_reply"),
         "pk", Q(), (), lambda r: f"Review {r.reference}",
         lambda u, r: reverse("review", args=[r.pk])),
    Kind("finding", "Finding", Finding, ("title", "statement", "why_it_matters"), "review",
         Q(withdrawn=False), ("review",), lambda f: f"Finding {f.number}: {f.title}",
         lambda u, f: reverse("finding", args=[f.pk])),
    # A recommendation is read on the page of the finding it answers (the analysis page is
    # the drafting team's; the finding's is everyone's who may read the recommendation).
    Kind("recommendation", "Recommendation", Recommendation, ("text", "outcome_expected"),
         "review", Q(withdrawn=False), ("review",), lambda r: f"Recommendation {r.number}",
         lambda u, r: reverse("finding", args=[r.first_finding]) if r.first_finding
         else reverse("review", args=[r.review_id]),
         lambda: {"first_finding": Min("findings")}),
    Kind("action", "Action", Action,
         ("action_text", "success_measure", "agency_response", "outcome"), "review", Q(),
         ("review", "recommendation"),
         lambda a: f"Action {a.recommendation.number}.{a.number}",
         lambda u, a: reverse("action", args=[a.pk])),
    Kind("chronology_entry", "Chronology entry", ChronologyEntry,
         ("what_happened", "source", "practitioner_role"), "review", Q(withdrawn=False),
         ("review", "agency"), lambda e: f"{e.agency.name} chronology, {_date(e.occurred_on)}",
         _chronology_url),
    Kind("meeting", "Meeting notes", Meeting, ("agenda", "notes"), "review", Q(withdrawn=False),
         ("review",), lambda m: f"{m.get_kind_display()}, {_date(m.held_on)}",
         lambda u, m: reverse("meeting", args=[m.pk])),
    Kind("evidence_document", "Evidence document", EvidenceDocument, ("original_filename", "text"),
         "request__review", Q(withdrawn_at__isnull=True), ("request__review", "request__agency"),
         lambda d: f"{d.original_filename} ({d.request.agency.name}, version {d.version})",
         lambda u, d: reverse("evidence_request", args=[d.request_id])),
    Kind("meeting_minutes", "Meeting minutes", MeetingMinutes, ("original_filename", "text"),
         "review", Q(withdrawn_at__isnull=True), ("review", "meeting"),
         lambda d: f"Minutes of the {d.meeting.get_kind_display().lower()}, "
                   f"{_date(d.meeting.held_on)} (version {d.version})",
         lambda u, d: reverse("meeting", args=[d.meeting_id])),
    Kind("impact_evidence", "Evidence of impact", ImpactEvidence, ("title", "original_filename",
                                                                    "text"),
         "review", Q(withdrawn_at__isnull=True), ("review",),
         lambda d: f"{d.title} (version {d.version})",
         lambda u, d: reverse("action", args=[d.action_id])),
)
BY_NAME = {k.name: k for k in KINDS}
# A review found by its reference: open to anyone who may see the review (the board too).
REFERENCE = Kind("reference", "Review", Review, ("reference",), "pk", Q(), (),
                 lambda r: f"Review {r.reference}", lambda u, r: reverse("review", args=[r.pk]))


@dataclass(frozen=True)
class Result:
    kind: str
    pk: int
    label: str
    title: str
    url: str
    review: str  # its reference
    snippet: str  # plain text with MARK_START/MARK_END around the words found
    rank: float


@dataclass(frozen=True)
class SearchPage:
    text: str
    results: list[Result]
    page: int
    has_next: bool
    full_text: bool


def search_vector(kind: Kind) -> Any:
    """The tsvector a kind is searched by: its table's stored, generated column (migration
    search.0002: the words of ``kind.fields``, GIN-indexed), so neither the match nor the
    rank reads the text again."""
    from django.contrib.postgres.search import SearchVectorField

    table = kind.model._meta.db_table
    # The column is the database's, not a model field; the names are ours, not input.
    return RawSQL(f'"{table}"."{SEARCH_COLUMN}"', [],  # noqa: S611
                  output_field=SearchVectorField())


def kind_queryset(kind: Kind, user: User) -> QuerySet[Any]:
    """The records of ``kind`` this person may find by their text: the model's own
    ``for_user(user, "view")``, in reviews whose real identities they may read."""
    # Every searched model's manager has for_user (tests/search checks each kind's results).
    scoped = kind.model._default_manager.for_user(user, "view")  # type: ignore[attr-defined]
    if kind is REFERENCE:
        return scoped
    identifiable = Review.objects.for_user(user, "view_identifiable").values("pk")
    return scoped.filter(kind.live, **{f"{kind.review}__in": identifiable})


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if w.strip("'’-")][:10]


def _matching(kind: Kind, user: User, text: str, query: Any) -> QuerySet[Any]:
    qs = kind_queryset(kind, user)
    if kind is REFERENCE:
        return qs.filter(reference__iexact=text.strip())
    if query is not None:
        return qs.annotate(document=search_vector(kind)).filter(document=query)
    match = Q()
    for word in _words(text):
        match &= Q(*(Q(**{f"{f}__icontains": word}) for f in kind.fields), _connector=Q.OR)
    return qs.filter(match) if match else qs.none()


def _rows(user: User, text: str, query: Any, offset: int) -> list[dict[str, Any]]:
    """The page's (kind, id, rank) rows, every kind in one ``UNION ALL``."""
    from django.contrib.postgres.search import SearchRank

    branches = []
    for kind in (REFERENCE, *KINDS):
        qs = _matching(kind, user, text, query)
        if kind is REFERENCE:
            rank: Any = Value(2.0, output_field=FloatField())  # before any text match
        elif query is not None:
            rank = SearchRank(F("document"), query)
        else:
            rank = Value(0.0, output_field=FloatField())
        branches.append(qs.order_by().values(
            kind_name=Value(kind.name, output_field=TextField()), ident=F("pk"), score=rank))
    union = branches[0].union(*branches[1:], all=True)
    return list(union.order_by("-score", "kind_name", "-ident")[offset:offset + PAGE_SIZE + 1])


def _snippet_python(text: str, words: list[str], size: int = 240) -> str:
    """The fallback's snippet: the text around the first word found, every word marked."""
    text = strip_marks(" ".join(text.split()))
    lowered = text.lower()
    hits = [lowered.find(w.lower()) for w in words]
    first = min((h for h in hits if h >= 0), default=0)
    start = max(0, first - size // 3)
    piece = text[start:start + size]
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)),
                         re.IGNORECASE)
    marked = pattern.sub(lambda m: f"{MARK_START}{m.group(0)}{MARK_END}", piece) if words else piece
    return ("… " if start else "") + marked + (" …" if start + size < len(text) else "")


def _records(kind: Kind, user: User, ids: list[int], query: Any,
             words: list[str]) -> dict[int, tuple[Any, str]]:
    """The page's records of one kind, through the kind's scope again, with snippets."""
    qs = kind_queryset(kind, user).filter(pk__in=ids)
    if kind.related:
        qs = qs.select_related(*kind.related)
    qs = qs.annotate(**kind.annotations())
    parts = [Coalesce(f, Value(""), output_field=TextField()) for f in kind.fields]
    joined = Concat(*[p for part in parts for p in (part, Value(" \n "))][:-1],
                    output_field=TextField()) if len(parts) > 1 else parts[0]
    if query is not None and kind is not REFERENCE:
        from django.contrib.postgres.search import SearchHeadline

        qs = qs.annotate(snippet=SearchHeadline(
            joined, query, config=CONFIG, start_sel=MARK_START, stop_sel=MARK_END,
            max_words=35, min_words=15, max_fragments=2, fragment_delimiter=" … "))
        return {r.pk: (r, strip_marks_outside(r.snippet)) for r in qs.defer(*_large(kind))}
    found = {}
    for record in qs:
        body = "" if kind is REFERENCE else "\n".join(str(getattr(record, f) or "")
                                                     for f in kind.fields)
        found[record.pk] = (record, _snippet_python(body, words) if body else "")
    return found


def _large(kind: Kind) -> tuple[str, ...]:
    """Fields not needed once the snippet is made (a document's whole text)."""
    return ("text",) if "text" in kind.fields else ()


def strip_marks_outside(snippet: str) -> str:
    """ts_headline's marks are ours; any that stored text itself held were removed
    (documents' text by ``scr.doctext.clean``); a mark left open is closed."""
    opened = snippet.count(MARK_START) - snippet.count(MARK_END)
    return snippet + MARK_END * opened if opened > 0 else snippet


def _review_of(kind: Kind, record: Any) -> str:
    review = record
    if kind.review != "pk":
        for step in kind.review.split("__"):
            review = getattr(review, step)
    return str(review.reference)


def search_records(user: User, text: str, *, page: int = 1) -> SearchPage:
    """The ``page``-th page of records this person may read that match ``text``."""
    text = " ".join(text.split())[:MAX_QUERY]
    page = max(1, page)
    full_text = uses_full_text()
    if not text or not getattr(user, "is_authenticated", False):
        return SearchPage(text, [], page, False, full_text)
    query = None
    if full_text:
        from django.contrib.postgres.search import SearchQuery

        query = SearchQuery(text, config=CONFIG, search_type="websearch")
    rows = _rows(user, text, query, (page - 1) * PAGE_SIZE)
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    words = _words(text)
    by_kind: dict[str, list[int]] = {}
    for row in rows:
        by_kind.setdefault(row["kind_name"], []).append(row["ident"])
    kinds = {**BY_NAME, REFERENCE.name: REFERENCE}
    fetched = {name: _records(kinds[name], user, ids, query, words)
               for name, ids in by_kind.items()}
    results = []
    for row in rows:
        kind = kinds[row["kind_name"]]
        found = fetched[kind.name].get(row["ident"])
        if found is None:  # changed between the two queries: no longer in scope
            continue
        record, snippet = found
        results.append(Result(kind.name, record.pk, kind.label, kind.title(record),
                              kind.url(user, record), _review_of(kind, record), snippet,
                              float(row["score"])))
    return SearchPage(text, results, page, has_next, full_text)
