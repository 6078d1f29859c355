"""Server-rendered SVG bar charts for the board (no JavaScript, no inline styles).

The table beside each chart is the primary view; a chart is drawn from the same figures,
has a title and a text description (``summary``) and takes its colours from classes in
static/scss (a strict Content-Security-Policy allows no ``style`` attributes).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Bar", "BarChart", "bar_chart"]

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
