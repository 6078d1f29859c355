"""Lists across reviews: the dashboard (and its CSV) and the board's figures, already narrowed
to what the user may see (each person's tasks: ``selectors.tasks``).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from reviews.models import (
    AWAITING_AGENCY,
    ENDED_STAGES,
    STAGE_PATH,
    ClockPause,
    EvidenceRequest,
    InvolvedAgency,
    PanelAppointment,
    Review,
    Stage,
    Subject,
)
from reviews.selectors.clocks import Rag, annotate_rag, clock_label, missed_clock_q, review_clocks

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from agencies.models import User


class DashboardAnnotations(TypedDict):
    """What ``dashboard_reviews`` adds to each review."""

    rag: str
    overdue_evidence: int
    outstanding_evidence: int


DashboardReview: TypeAlias = "WithAnnotations[Review, DashboardAnnotations]"


__all__ = [
    "BOARD_MISSED_SHOWN",
    "DASHBOARD_FIELDS",
    "ENDED",
    "EVERY",
    "LIFECYCLE_ORDER",
    "OPEN",
    "STAGE_LABELS",
    "BoardStats",
    "DashboardRow",
    "PauseSpan",
    "RowExtras",
    "board_stats",
    "dashboard_csv_header",
    "dashboard_csv_row",
    "dashboard_page",
    "dashboard_reviews",
    "dashboard_row",
    "dashboard_rows",
    "days_phrase",
]


# The dashboard's stage filter: open reviews by default, any single stage (ended ones
# included) when chosen, or every ended / every review.
OPEN, ENDED, EVERY = "", "ended", "all"
LIFECYCLE_ORDER: tuple[str, ...] = (*STAGE_PATH, Stage.NO_REVIEW, Stage.WITHDRAWN)


def _evidence_count(user: User, today: date, *, overdue: bool) -> Coalesce:
    """Outstanding (or overdue) evidence requests per review, counted through the
    requests' own scope: an agency lead counts only their agency's."""
    rows = EvidenceRequest.objects.for_user(user).filter(
        review=OuterRef("pk"), status__in=AWAITING_AGENCY)
    if overdue:
        rows = rows.filter(due_on__lt=today)
    counted = rows.order_by().values("review").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def dashboard_reviews(user: User, *, stage: str = OPEN, rag: str = "",
                      sort: str = "due") -> QuerySet[DashboardReview]:
    """Reviews with their next clock, RAG and evidence counts in one query, and what each
    row names (child's pseudonym, reviewer, agencies, pauses) prefetched: a flat count of
    queries whatever the number of rows."""
    today = timezone.localdate()
    qs = Review.objects.for_user(user)
    if stage == OPEN:
        qs = qs.open()
    elif stage == ENDED:
        qs = qs.filter(stage__in=ENDED_STAGES)
    elif stage != EVERY:
        qs = qs.filter(stage=stage)
    rows = annotate_rag(qs, today).annotate(
        overdue_evidence=_evidence_count(user, today, overdue=True),
        outstanding_evidence=_evidence_count(user, today, overdue=False))
    if rag:
        rows = rows.filter(rag=rag)
    lifecycle = Case(*[When(stage=s, then=Value(i)) for i, s in enumerate(LIFECYCLE_ORDER)],
                     output_field=IntegerField())
    due = F("next_due_on").asc(nulls_last=True)
    orderings: dict[str, list[Any]] = {"due": [due, "reference"], "reference": ["reference"],
                 "stage": [lifecycle, due, "reference"], "days": ["stage_entered_at"]}
    return rows.order_by(*orderings.get(sort, orderings["due"])).only(*DASHBOARD_FIELDS)


# What a dashboard row reads from the review itself (its clocks included): no long text.
DASHBOARD_FIELDS = ("pk", "reference", "stage", "stage_entered_at", "aware_date",
                    "notification_sent_on", "decision", "decision_date",
                    "final_report_received_on", "planned_publication_on",
                    "national_panel_sent_report_on", "next_clock", "next_due_on")


@dataclass(frozen=True)
class PauseSpan:
    """The three fields of a pause the clocks read, fetched as plain values."""

    clock: str
    paused_on: date
    resumed_on: date | None


@dataclass
class RowExtras:
    children: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    pauses: list[PauseSpan] = field(default_factory=list)


def _row_extras(ids: list[int]) -> dict[int, RowExtras]:
    """What the rows name, for a page of reviews: four narrow value queries, no model
    instances (building instances was most of the dashboard's cost)."""
    extras = {pk: RowExtras() for pk in ids}
    children = (Subject.objects.filter(review_id__in=ids, kind=Subject.Kind.CHILD,
                                       withdrawn=False)
                .order_by("pseudonym").values_list("review_id", "pseudonym"))
    for pk, pseudonym in children:
        extras[pk].children.append(pseudonym)
    reviewers = (PanelAppointment.objects.filter(
        review_id__in=ids, panel_role=PanelAppointment.PanelRole.REVIEWER, ended_on__isnull=True)
        .order_by("appointed_on").values_list("review_id", "user__first_name", "user__last_name",
                                              "user__username"))
    for pk, first, last, username in reviewers:
        extras[pk].reviewers.append(f"{first} {last}".strip() or username)
    agencies = (InvolvedAgency.objects.filter(review_id__in=ids).order_by("agency__name")
                .values_list("review_id", "agency__name"))
    for pk, name in agencies:
        extras[pk].agencies.append(name)
    pauses = (ClockPause.objects.filter(review_id__in=ids)
              .values_list("review_id", "clock", "paused_on", "resumed_on"))
    for pk, clock, paused_on, resumed_on in pauses:
        extras[pk].pauses.append(PauseSpan(clock, paused_on, resumed_on))
    return extras


def days_phrase(days: int | None, working: bool = True) -> str:
    """'3 working days left', 'Due today', '7 working days overdue' (never a minus sign)."""
    if days is None:
        return ""
    if days == 0:
        return "Due today"
    unit = f"{'working ' if working else ''}day{'s' if abs(days) != 1 else ''}"
    return f"{days} {unit} left" if days > 0 else f"{-days} {unit} overdue"


@dataclass(frozen=True)
class DashboardRow:
    """Everything one dashboard row (and CSV line) shows, computed once, in words."""

    pk: int
    reference: str
    stage: str
    children: str
    reviewer: str
    agencies: str
    next_clock: str
    next_due: date | None
    due_phrase: str
    rag: str
    rag_label: str
    rag_tag: str
    days_in_stage: int
    missed: tuple[str, ...]
    evidence_outstanding: int
    evidence_overdue: int

STAGE_LABELS = dict(Stage.choices)


def dashboard_row(review: DashboardReview, extras: RowExtras, now: datetime,
                  today: date | None = None) -> DashboardRow:
    # Whether a clock was missed does not depend on its explanation: none are fetched.
    clocks = review_clocks(review, extras.pauses, [], today)
    upcoming = next((c for c in clocks if c.kind == review.next_clock), None)
    phrase = days_phrase(upcoming.days_left, upcoming.working_days) if upcoming else ""
    rag = getattr(review, "rag", "")
    return DashboardRow(
        pk=review.pk, reference=review.reference, stage=STAGE_LABELS[review.stage],
        children=", ".join(extras.children), reviewer=", ".join(extras.reviewers),
        agencies=", ".join(extras.agencies),
        next_clock=clock_label(review.next_clock), next_due=review.next_due_on,
        due_phrase=phrase, rag=rag, rag_label=Rag.LABELS.get(rag, ""),
        rag_tag=Rag.TAGS.get(rag, ""), days_in_stage=(now - review.stage_entered_at).days,
        missed=tuple(c.label for c in clocks if c.missed),
        evidence_outstanding=review.outstanding_evidence,
        evidence_overdue=review.overdue_evidence,
    )


def dashboard_rows(reviews: Iterable[DashboardReview], chunk: int = 500) -> Iterator[DashboardRow]:
    """Rows for the page (or, streamed in chunks, for the CSV export)."""
    now = timezone.now()
    batch: list[DashboardReview] = []
    for review in reviews:
        batch.append(review)
        if len(batch) == chunk:
            yield from _rows(batch, now)
            batch = []
    yield from _rows(batch, now)


def _rows(batch: list[DashboardReview], now: datetime) -> Iterator[DashboardRow]:
    if not batch:
        return
    extras = _row_extras([r.pk for r in batch])
    today = timezone.localdate()
    for review in batch:
        yield dashboard_row(review, extras[review.pk], now, today)


def dashboard_page(user: User, filters: dict[str, str], number: str | None,
                   per_page: int = 50) -> tuple[Page, list[DashboardRow]]:
    """One page of the dashboard: its rows built and a light page object that holds no
    queryset, so the whole can be kept in the cache as it is."""
    page = Paginator(dashboard_reviews(user, **filters), per_page).get_page(number)
    rows = list(dashboard_rows(page.object_list))
    light = Paginator(range(page.paginator.count), per_page).page(page.number)
    return light, rows


def dashboard_csv_header() -> list[str]:
    term = settings.REVIEW_VOCABULARY
    return [f"{term} reference", "Stage", "Child (pseudonym)", "Independent reviewer",
            "Agencies involved", "Next clock", "Next due date", "Time to next due date",
            "RAG status", "Days in stage", "Missed clocks", "Evidence outstanding",
            "Evidence overdue"]


def dashboard_csv_row(row: DashboardRow) -> list[object]:
    return [row.reference, row.stage, row.children, row.reviewer, row.agencies, row.next_clock,
            row.next_due.isoformat() if row.next_due else "", row.due_phrase, row.rag_label,
            row.days_in_stage, "; ".join(row.missed), row.evidence_outstanding,
            row.evidence_overdue]


@dataclass(frozen=True)
class BoardStats:
    counts_by_stage: list[tuple[str, int]]
    missed_count: int
    missed_recent: list[str]  # references only, the latest few
    median_days_decision_to_publication: float | None
    published_count: int


BOARD_MISSED_SHOWN = 25


def board_stats(user: User) -> BoardStats:
    """Counts and timings only: no names, no identifiable data."""
    today = timezone.localdate()
    everyone = Review.objects.for_user(user, "aggregate")
    counts = dict(everyone.values_list("stage").annotate(n=Count("id")).values_list("stage", "n"))
    order = [*STAGE_PATH, Stage.NO_REVIEW, Stage.WITHDRAWN]
    missed = everyone.filter(missed_clock_q(today))
    missed_recent = list(missed.order_by("-aware_date", "-id")
                         .values_list("reference", flat=True)[:BOARD_MISSED_SHOWN])
    spans = [
        (published - decided).days
        for decided, published in everyone.filter(decision_date__isnull=False,
                                                  published_on__isnull=False)
        .values_list("decision_date", "published_on")
        if decided and published  # never None (filtered): for mypy
    ]
    return BoardStats(
        counts_by_stage=[(Stage(s).label, counts.get(s, 0)) for s in order],
        missed_count=missed.count(),
        missed_recent=missed_recent,
        median_days_decision_to_publication=statistics.median(spans) if spans else None,
        published_count=len(spans),
    )
