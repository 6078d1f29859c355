"""The board's view of action plans: counts only, no names and no text anyone typed.

A fixed number of queries whatever the number of actions (the RAG is computed in SQL,
``actionplans.rag``): counts by status and RAG, overdue by agency, and per review the counts
by RAG and the share completed on time. "On time" is judged against the *original* target
date (a moved target date does not make a late action on time); formally closed actions are
neither on time nor late.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from agencies.models import User

from ..models import OPEN_STATUSES, Action, ActionStatus, Rag

__all__ = ["BoardFigures", "board_figures"]

RAGS = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE)
DONE = (ActionStatus.COMPLETED, ActionStatus.VERIFIED)


@dataclass
class ReviewFigures:
    reference: str
    total: int
    by_rag: dict[str, int]
    overdue: int
    done: int
    on_time: int

    @property
    def on_time_percent(self) -> int | None:
        return round(100 * self.on_time / self.done) if self.done else None


@dataclass
class BoardFigures:
    statuses: list[tuple[str, dict[str, int], int]]  # (status label, count by RAG, total)
    rag_totals: dict[str, int]
    total: int
    overdue_by_agency: list[tuple[str, int]]
    reviews: list[ReviewFigures]
    overall: ReviewFigures


def _counts() -> dict[str, Any]:
    return {
        **{f"rag_{r}": Count("pk", filter=Q(rag=r)) for r in RAGS},
        "overdue": Count("pk", filter=Q(status__in=OPEN_STATUSES, target_date__lt=_today())),
        "done": Count("pk", filter=Q(status__in=DONE, completed_on__isnull=False)),
        "on_time": Count("pk", filter=Q(status__in=DONE, completed_on__isnull=False,
                                         completed_on__lte=_f("original_target_date"))),
        "total": Count("pk"),
    }


def _f(name: str) -> Any:
    from django.db.models import F

    return F(name)


def _today() -> Any:
    return timezone.localdate()


def _figures(reference: str, row: dict[str, Any]) -> ReviewFigures:
    return ReviewFigures(reference, row["total"], {r: row[f"rag_{r}"] for r in RAGS},
                         row["overdue"], row["done"], row["on_time"])


def board_figures(user: User) -> BoardFigures:
    actions = Action.objects.for_user(user, "aggregate").with_rag()  # type: ignore[attr-defined]
    by_status: dict[str, dict[str, int]] = {s: dict.fromkeys(RAGS, 0) for s in ActionStatus.values}
    for status, rag, n in (actions.order_by().values("status", "rag").annotate(n=Count("pk"))
                           .values_list("status", "rag", "n")):
        by_status[status][rag] = n
    statuses = [(str(ActionStatus(s).label), counts, sum(counts.values()))
                for s, counts in by_status.items()]
    rag_totals = {r: sum(c[r] for c in by_status.values()) for r in RAGS}
    overdue = list(actions.filter(status__in=OPEN_STATUSES, target_date__lt=_today())
                   .order_by().values("lead_agency__name").annotate(n=Count("pk"))
                   .order_by("-n", "lead_agency__name").values_list("lead_agency__name", "n"))
    per_review = (actions.order_by().values("review__reference").annotate(**_counts())
                  .order_by("review__reference"))
    reviews = [_figures(row["review__reference"], row) for row in per_review]
    overall = _figures("All reviews", actions.order_by().aggregate(**_counts()))
    return BoardFigures(statuses, rag_totals, sum(rag_totals.values()), overdue, reviews, overall)
