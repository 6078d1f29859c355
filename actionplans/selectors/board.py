"""The board's view of action plans: counts only, no names and no text anyone typed.

Three queries (and a ``SET LOCAL``) whatever the number of actions: one grouped count of the
actions by review, status, RAG (computed in SQL, ``actionplans.rag``), "overdue" and "on
time", from which every table but one is summed in Python; the overdue count by lead agency;
and the reviews' references (grouping by the review's id keeps the groups small). "On time"
is judged against the *original* target date (moving a target date does not make a late
action on time); formally closed actions are neither on time nor late.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, F, Q, Value, When
from django.utils import timezone

from actionplans.models import OPEN_STATUSES, Action, ActionPlan, ActionStatus, Rag
from actionplans.selectors.plans import readable, registers
from agencies.models import User
from reviews.models import Review

__all__ = ["BoardAction", "BoardFigures", "ReviewFigures", "board_figures", "board_plan"]

RAGS = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE)
DONE = (ActionStatus.COMPLETED, ActionStatus.VERIFIED)


@dataclass
class ReviewFigures:
    reference: str
    total: int = 0
    by_rag: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RAGS, 0))
    overdue: int = 0
    done: int = 0
    on_time: int = 0

    @property
    def on_time_percent(self) -> int | None:
        return round(100 * self.on_time / self.done) if self.done else None

    def add(self, rag: str, status: str, overdue: bool, on_time: bool, n: int) -> None:
        self.total += n
        self.by_rag[rag] += n
        self.overdue += n if overdue else 0
        if status in DONE:
            self.done += n
            self.on_time += n if on_time else 0


@dataclass
class BoardFigures:
    statuses: list[tuple[str, dict[str, int], int]]  # (status label, count by RAG, total)
    rag_totals: dict[str, int]
    total: int
    overdue_by_agency: list[tuple[str, int]]
    reviews: list[ReviewFigures]
    overall: ReviewFigures


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False),
                output_field=BooleanField())


@contextmanager
def _room_to_count() -> Iterator[None]:
    """PostgreSQL cannot estimate how few groups the RAG gives, so it sorts 100,000 rows on
    disk in the default 4 MB; a little more memory for this one transaction lets it hash
    them instead (about a quarter faster at 100,000 actions, benchmarks/action_plans.py)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '32MB'")
        yield


def board_figures(user: User) -> BoardFigures:
    with _room_to_count():
        return _figures(user)


def _figures(user: User) -> BoardFigures:
    today = timezone.localdate()
    actions = Action.objects.for_user(user, "aggregate")
    grouped = (actions.with_rag(today)
               .annotate(overdue=_flag(Q(status__in=OPEN_STATUSES, target_date__lt=today)),
                         on_time=_flag(Q(completed_on__lte=F("original_target_date"))))
               .order_by().values_list("review_id", "status", "rag", "overdue", "on_time")
               .annotate(n=Count("pk")))
    by_status: dict[str, dict[str, int]] = {s: dict.fromkeys(RAGS, 0) for s in ActionStatus.values}
    reviews: dict[int, ReviewFigures] = {}
    overall = ReviewFigures("All reviews")
    for review_id, status, rag, overdue, on_time, n in grouped:
        by_status[status][rag] += n
        reviews.setdefault(review_id, ReviewFigures("")).add(rag, status, overdue, on_time, n)
        overall.add(rag, status, overdue, on_time, n)
    for pk, reference in Review._base_manager.filter(pk__in=list(reviews)).values_list(
            "pk", "reference"):
        reviews[pk].reference = reference
    statuses = [(str(ActionStatus(s).label), counts, sum(counts.values()))
                for s, counts in by_status.items()]
    rag_totals: dict[str, int] = defaultdict(int)
    for counts in by_status.values():
        for rag, n in counts.items():
            rag_totals[rag] += n
    overdue = list(actions.filter(status__in=OPEN_STATUSES, target_date__lt=today)
                   .order_by().values("lead_agency__name").annotate(n=Count("pk"))
                   .order_by("-n", "lead_agency__name").values_list("lead_agency__name", "n"))
    return BoardFigures(statuses, {r: rag_totals[r] for r in RAGS}, overall.total, overdue,
                        sorted(reviews.values(), key=lambda r: r.reference), overall)


@dataclass(frozen=True)
class BoardAction:
    """One action as a board member reads it: its texts through the pseudonymiser, its lead
    agency, dates, status and RAG; never its owner, its progress notes' authors or its
    documents (who did what in the case is not the board's to read)."""

    action: Action
    recommendation_text: str
    action_text: str
    success_measure: str
    outcome: str
    evidence_titles: list[str]


def board_plan(plan: ActionPlan) -> list[tuple[int, str, list[BoardAction]]]:
    """The plan a board member signs off, read-only and anonymised (``readable`` for a reader
    without identities): per recommendation, its number, text and actions. In four queries
    whatever the number of actions."""
    review = plan.review
    register = registers([review.pk])[review.pk]
    actions = (Action.objects.filter(plan=plan).with_rag()
               .select_related("recommendation", "lead_agency")
               .prefetch_related("impact_evidence")
               .order_by("recommendation__number", "number"))
    grouped: dict[int, tuple[str, list[BoardAction]]] = {}
    for action in actions:
        texts = readable(None, review, {
            "r": action.recommendation.text, "a": action.action_text,
            "m": action.success_measure, "o": action.outcome}, register)
        titles = sorted({e.title for e in action.impact_evidence.all()})
        number = action.recommendation.number
        grouped.setdefault(number, (texts["r"], []))[1].append(
            BoardAction(action, texts["r"], texts["a"], texts["m"], texts["o"],
                        [readable(None, review, {"t": t}, register)["t"] for t in titles]))
    return [(number, text, rows) for number, (text, rows) in sorted(grouped.items())]
