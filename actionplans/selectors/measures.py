"""Reads of measured impact: each action's baseline and measurements as a series, whether
the measure moved (and which way, against the baseline), the plan's closure summary, and the
recommendations whose actions are all finished but whose measures did not move (the board's).

"Moved" compares the latest live measurement with the live baseline: ``up``, ``down`` or
``none`` (the same value); with no measurement after the baseline it has ``not_measured``.
An ``improved`` measure moved the way its baseline says is better. A recommendation "did not
move" when every action is verified or formally closed and none of its actions' measures
improved (no baseline, no measurement, the same value or worse).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from actionplans.models import FINISHED, Action, Measurement
from agencies.models import User

__all__ = [
    "MeasureSeries",
    "UnmovedRecommendation",
    "measure_series",
    "movement_counts",
    "plain",
    "plan_measure_summary",
    "unmoved_recommendations",
]

def plain(value: Decimal) -> str:
    """A value as people write it: 40, 40.5 (never 40.00 or 4E+1)."""
    return f"{value.normalize():f}"


MOVES = {"up": "went up", "down": "went down", "none": "did not move",
         "not_measured": "has no measurement after its baseline", "no_baseline": "has no baseline"}


@dataclass
class MeasureSeries:
    action_id: int
    baseline: Measurement | None = None
    points: list[Measurement] = field(default_factory=list)

    @property
    def latest(self) -> Measurement | None:
        return self.points[-1] if self.points else None

    @property
    def move(self) -> str:
        if self.baseline is None:
            return "no_baseline"
        if self.latest is None:
            return "not_measured"
        change: Decimal = self.latest.value - self.baseline.value
        return "up" if change > 0 else "down" if change < 0 else "none"

    @property
    def improved(self) -> bool:
        better = self.baseline.improves_when if self.baseline else ""
        return (self.move == "up" and better == Measurement.Better.HIGHER) or (
            self.move == "down" and better == Measurement.Better.LOWER)

    @property
    def moved(self) -> bool:
        return self.move in ("up", "down")

    @property
    def summary(self) -> str:
        """"Went up from 40 to 65 (an improvement)", in words."""
        if self.baseline is None or self.latest is None:
            return f"The measure {MOVES[self.move]}."
        unit = self.baseline.unit
        was, now = f"{plain(self.baseline.value)}{unit}", f"{plain(self.latest.value)}{unit}"
        if not self.moved:
            return f"Did not move from the baseline ({was})."
        verdict = "an improvement" if self.improved else "the wrong way"
        return f"{MOVES[self.move].capitalize()} from {was} to {now} ({verdict})."


def measure_series(actions: Iterable[int]) -> dict[int, MeasureSeries]:
    """The live baseline and measurements of each action (ids already in the reader's
    scope), in one query."""
    ids = list(actions)
    series = {pk: MeasureSeries(pk) for pk in ids}
    for m in Measurement._base_manager.filter(action_id__in=ids, withdrawn=False).order_by(
            "measured_on", "id"):
        if m.is_baseline:
            series[m.action_id].baseline = m
        else:
            series[m.action_id].points.append(m)
    return series


def plan_measure_summary(actions: QuerySet[Action]) -> list[tuple[Action, MeasureSeries]]:
    """The closure summary: each action (as the caller's scope gives them) with its
    measure's series and movement."""
    rows = list(actions.select_related("review", "recommendation").order_by("recommendation__number",
                                                                  "number"))
    series = measure_series(a.pk for a in rows)
    return [(a, series[a.pk]) for a in rows]


MOVEMENT_LABELS = (("improved", "Improved", "green"), ("worse", "Moved the wrong way", "red"),
                   ("still", "Did not move", "amber"), ("unmeasured", "Not measured yet", "grey"))


def movement_counts(series: Iterable[MeasureSeries]) -> list[tuple[str, int, str]]:
    """The closure summary's counts: (label, number of measures, css) for improved, moved the
    wrong way, did not move, and not measured (no baseline, or nothing after it)."""
    counts = dict.fromkeys(("improved", "worse", "still", "unmeasured"), 0)
    for one in series:
        key = ("improved" if one.improved else "worse" if one.moved
               else "still" if one.move == "none" else "unmeasured")
        counts[key] += 1
    return [(label, counts[key], css) for key, label, css in MOVEMENT_LABELS]


@dataclass(frozen=True)
class UnmovedRecommendation:
    review_id: int
    reference: str
    number: int
    actions: int


def unmoved_recommendations(user: User) -> list[UnmovedRecommendation]:
    """Recommendations whose actions are all verified or formally closed but whose measures
    did not improve: references and numbers only (the board reads this; no text), over the
    actions the reader may count (``aggregate``). Two queries."""
    actions = list(Action.objects.for_user(user, "aggregate").values_list(
        "pk", "recommendation_id", "status", "review_id", "review__reference",
        "recommendation__number"))
    by_rec: dict[int, list[tuple[int, str, int, str, int]]] = defaultdict(list)
    for pk, rec, status, review_id, reference, number in actions:
        by_rec[rec].append((pk, status, review_id, reference, number))
    done = {rec: rows for rec, rows in by_rec.items()
            if all(status in FINISHED for _, status, *_ in rows)}
    series = measure_series(pk for rows in done.values() for pk, *_ in rows)
    found = [UnmovedRecommendation(rows[0][2], rows[0][3], rows[0][4], len(rows))
             for rows in done.values() if not any(series[pk].improved for pk, *_ in rows)]
    return sorted(found, key=lambda r: (r.reference, r.number))
