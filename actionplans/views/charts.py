"""Server-rendered SVG charts (no JavaScript, no inline styles): bars for the board's counts,
and a measure over time (points joined by a line, the baseline as a dashed rule).

The table beside each chart is the primary view; a chart is drawn from the same figures,
has a title and a text description (``summary``) and takes its colours from classes in
static/scss (a strict Content-Security-Policy allows no ``style`` attributes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from actionplans.selectors.measures import plain

__all__ = ["Bar", "BarChart", "LineChart", "Point", "bar_chart", "line_chart"]

WIDTH, BAR, GAP, LABEL = 600, 28, 10, 200


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    css: str
    y: int
    width: int
    text_y: int
    value_x: int


@dataclass(frozen=True)
class BarChart:
    title: str
    summary: str
    bars: list[Bar]
    height: int
    width: int = WIDTH
    label_width: int = LABEL


def bar_chart(title: str, data: list[tuple[str, int, str]], unit: str) -> BarChart:
    """Horizontal bars: (label, value, css modifier) each; ``unit`` names what is counted."""
    most = max((v for _, v, _ in data), default=0) or 1
    room = WIDTH - LABEL - 60
    bars = []
    for i, (label, value, css) in enumerate(data):
        y = i * (BAR + GAP)
        width = round(room * value / most)
        bars.append(Bar(label, value, css, y, width, y + BAR // 2 + 5, LABEL + width + 6))
    summary = "; ".join(f"{label}: {value} {unit}" for label, value, _ in data) or f"No {unit}"
    return BarChart(title, summary, bars, max(len(data), 1) * (BAR + GAP))


@dataclass(frozen=True)
class Point:
    x: int
    y: int
    label: str  # "7 December 2026: 65%"


@dataclass(frozen=True)
class LineChart:
    title: str
    summary: str
    points: list[Point]
    path: str  # the polyline's points, "x,y x,y"
    baseline_y: int | None
    axis_top: str
    axis_bottom: str
    first_day: str
    last_day: str
    width: int = WIDTH
    height: int = 220
    left: int = 60
    bottom: int = 190


def line_chart(title: str, baseline: tuple[date, Decimal] | None,
               points: list[tuple[date, Decimal]], unit: str = "") -> LineChart:
    """A measure over time: the baseline and each measurement, by date. The text summary
    names every value, so the chart adds nothing the table beside it does not say."""
    every = ([baseline] if baseline else []) + points
    values = [v for _, v in every] or [Decimal(0)]
    low, high = min(min(values), Decimal(0)), max(values)
    span = (high - low) or Decimal(1)
    days = [d for d, _ in every] or [date.today()]
    first, last = min(days), max(days)
    width_days = (last - first).days or 1
    left, right, top, bottom = 60, WIDTH - 20, 20, 190

    def at(day: date, value: Decimal) -> tuple[int, int]:
        x = left + round((right - left) * (day - first).days / width_days) if len(
            days) > 1 else (left + right) // 2
        return x, bottom - round(float((value - low) / span) * (bottom - top))

    def words(day: date, value: Decimal) -> str:
        return f"{day:%-d %B %Y}: {plain(value)}{unit}"

    marks = [Point(*at(d, v), words(d, v)) for d, v in every]
    base_y = at(baseline[0], baseline[1])[1] if baseline else None
    said = ([f"baseline {words(*baseline)}"] if baseline else []) + [words(d, v)
                                                                      for d, v in points]
    return LineChart(title, "; ".join(said) or "No measurements yet", marks,
                     " ".join(f"{p.x},{p.y}" for p in marks), base_y, f"{plain(high)}{unit}",
                     f"{plain(low)}{unit}", f"{first:%-d %b %Y}", f"{last:%-d %b %Y}")
