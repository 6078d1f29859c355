"""Reading the chronology: an agency's own entries, the merged multi-agency chronology
(filtered, in date order), its exports, the periods when no professional saw the child,
and the timeline drawn from them.

Order everywhere: date, then time with a date-only entry first on its day, then agency
name, then id (stable across pages).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, F, Max, Min, Q, QuerySet

from agencies.models import Agency

from ..models import ChronologyEntry, Episode, Review
from .register import TextShown

if TYPE_CHECKING:
    from agencies.models import User

__all__ = [
    "EXPORT_HEADER",
    "ChronologyRow",
    "NotSeenPeriod",
    "Timeline",
    "agency_entries",
    "chronology_export_rows",
    "chronology_rows",
    "chronology_timeline",
    "merged_entries",
    "not_seen_periods",
    "review_episodes",
]

MERGED_ORDER = ("occurred_on", F("occurred_at").asc(nulls_first=True), "agency__name", "pk")


def merged_entries(user: User, review: Review, *, agency: Agency | None = None,
                   significance: str = "", date_from: date | None = None,
                   date_to: date | None = None) -> QuerySet[ChronologyEntry]:
    """Every agency's submitted entries the user may read, filtered, in date order."""
    qs = ChronologyEntry.objects.for_user(user).filter(
        review=review, status=ChronologyEntry.Status.SUBMITTED, withdrawn=False)
    if agency is not None:
        qs = qs.filter(agency=agency)
    if significance:
        qs = qs.filter(significance=significance)
    if date_from:
        qs = qs.filter(occurred_on__gte=date_from)
    if date_to:
        qs = qs.filter(occurred_on__lte=date_to)
    return qs.select_related("agency", "episode").order_by(*MERGED_ORDER)


def agency_entries(user: User, review: Review, agency: Agency) -> QuerySet[ChronologyEntry]:
    """The agency's own chronology in this review, drafts and submitted, for its lead."""
    return ChronologyEntry.objects.for_user(user, "manage").filter(
        review=review, agency=agency).select_related("agency").order_by(*MERGED_ORDER)


def review_episodes(user: User, review: Review) -> list[Episode]:
    return list(Episode.objects.for_user(user).filter(review=review, withdrawn=False).annotate(
        first=Min("entries__occurred_on"), last=Max("entries__occurred_on"),
        size=Count("entries")).order_by(F("first").asc(nulls_last=True), "pk"))


@dataclass(frozen=True)
class ChronologyRow:
    """One entry as a page shows it: its free text as this person may read it."""

    entry: ChronologyEntry
    source: str
    what_happened: str
    practitioner_role: str


def chronology_rows(entries: Iterable[ChronologyEntry], shown: TextShown) -> list[ChronologyRow]:
    return [ChronologyRow(e, shown(e.source), shown(e.what_happened), shown(e.practitioner_role))
            for e in entries]


EXPORT_HEADER = ["Date", "Time", "Agency", "Source", "What happened", "Practitioner role",
                 "Child seen", "Significance", "Episode"]


def chronology_export_rows(entries: QuerySet[ChronologyEntry],
                           shown: TextShown) -> Iterator[list[Any]]:
    """The merged chronology in words, a row per entry, read from the database in chunks."""
    for e in entries.iterator(chunk_size=2000):
        yield [e.occurred_on.strftime("%d/%m/%Y"),
               e.occurred_at.strftime("%H:%M") if e.occurred_at else "", e.agency.name,
               shown(e.source), shown(e.what_happened), shown(e.practitioner_role),
               "yes" if e.child_seen else "no", e.get_significance_display(),
               shown(e.episode.title) if e.episode_id and e.episode else ""]


# ---------------------------------------------------------------- not seen, and the timeline


@dataclass(frozen=True)
class NotSeenPeriod:
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def not_seen_periods(seen: Iterable[date], start: date, end: date,
                     threshold: int | None = None) -> list[NotSeenPeriod]:
    """The runs of more than ``threshold`` days (``CHRONOLOGY_NOT_SEEN_DAYS``) from
    ``start`` to ``end`` on none of which a professional saw the child. ``seen`` are the
    days an entry says the child was seen; the first run starts at ``start`` and the last
    ends at ``end`` (the incident)."""
    limit = settings.CHRONOLOGY_NOT_SEEN_DAYS if threshold is None else threshold
    periods = []
    run_start = start
    for day in sorted({d for d in seen if start <= d <= end}):
        if (day - run_start).days > limit:
            periods.append(NotSeenPeriod(run_start, day - timedelta(days=1)))
        run_start = day + timedelta(days=1)
    if end >= run_start and (end - run_start).days + 1 > limit:
        periods.append(NotSeenPeriod(run_start, end))
    return periods


# The drawing's coordinates (SVG user units; the SVG scales to the page's width).
WIDTH, LABEL_WIDTH, RIGHT, TOP, LANE, AXIS = 960, 170, 10, 30, 30, 28
MAX_BINS = 160


@dataclass(frozen=True)
class Mark:
    x: float
    width: float
    y: float
    height: float
    css: str
    title: str


@dataclass(frozen=True)
class Lane:
    name: str
    y: float
    label_y: float
    marks: list[Mark]


@dataclass
class Timeline:
    start: date | None = None
    end: date | None = None
    bin_days: int = 1
    lanes: list[Lane] = field(default_factory=list)
    gaps: list[tuple[NotSeenPeriod, Mark]] = field(default_factory=list)
    episodes: list[Mark] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)
    entries: int = 0
    threshold: int = 28
    width: int = WIDTH
    height: int = 0
    plot_left: int = LABEL_WIDTH
    plot_top: int = TOP
    plot_bottom: float = 0

    @property
    def empty(self) -> bool:
        return self.start is None


def _density(count: int) -> int:
    return 1 if count == 1 else 2 if count <= 3 else 3 if count <= 9 else 4


def _ticks(start: date, end: date, x: Any) -> list[tuple[float, str]]:
    span = (end - start).days
    ticks = []
    if span > 730:
        for year in range(start.year + 1, end.year + 1):
            ticks.append((x(date(year, 1, 1)), str(year)))
    else:
        month = date(start.year, start.month, 1)
        step = 1 if span <= 400 else 3
        while month <= end:
            if month > start:
                ticks.append((x(month), month.strftime("%b %Y")))
            for _ in range(step):
                month = (month + timedelta(days=32)).replace(day=1)
    return ticks


def chronology_timeline(user: User, review: Review, shown: TextShown) -> Timeline:
    """The merged chronology drawn as one lane per agency, binned by day, week or more so
    that a long chronology stays one screen wide; key practice episodes highlighted; the
    periods when no professional saw the child shaded; episodes as bands above.

    Four queries whatever the number of entries: entries per agency and day (counted in
    SQL), the days the child was seen, the episodes' spans, the terms' scope start."""
    threshold = settings.CHRONOLOGY_NOT_SEEN_DAYS
    base = ChronologyEntry.objects.for_user(user).filter(
        review=review, status=ChronologyEntry.Status.SUBMITTED, withdrawn=False)
    per_day = list(base.values("agency_id", "agency__name", "occurred_on").annotate(
        n=Count("id"), key=Count("id", filter=Q(significance=ChronologyEntry.Significance.KEY)))
        .order_by("agency__name", "occurred_on"))
    if not per_day:
        return Timeline(threshold=threshold)
    seen = list(base.filter(child_seen=True).values_list("occurred_on", flat=True)
                .distinct().order_by("occurred_on"))
    scope_start = review.terms.order_by("-version").values_list("scope_start", flat=True).first()
    first = min(row["occurred_on"] for row in per_day)
    last = max(row["occurred_on"] for row in per_day)
    start = min(first, scope_start) if scope_start else first
    end = max(last, review.incident_date)
    span = (end - start).days + 1
    bin_days = max(1, -(-span // MAX_BINS))
    scale = (WIDTH - LABEL_WIDTH - RIGHT) / (span + bin_days)

    def x(day: date) -> float:
        return round(LABEL_WIDTH + (day - start).days * scale, 1)

    lanes_rows: dict[str, dict[int, list[int]]] = {}
    for row in per_day:
        bins = lanes_rows.setdefault(row["agency__name"], {})
        counts = bins.setdefault((row["occurred_on"] - start).days // bin_days, [0, 0])
        counts[0] += row["n"]
        counts[1] += row["key"]
    timeline = Timeline(start=start, end=end, bin_days=bin_days, threshold=threshold,
                        entries=sum(r["n"] for r in per_day))
    width = max(2.0, round(bin_days * scale, 1))
    for index, (name, bins) in enumerate(lanes_rows.items()):
        y = TOP + index * LANE
        marks = []
        for number, (count, key) in sorted(bins.items()):
            day = start + timedelta(days=number * bin_days)
            when = (f"{day:%-d %b %Y}" if bin_days == 1 else
                      f"{day:%-d %b %Y} to {day + timedelta(days=bin_days - 1):%-d %b %Y}")
            css = "app-timeline__mark--key" if key else f"app-timeline__mark--{_density(count)}"
            title = f"{name}: {count} entr{'y' if count == 1 else 'ies'}, {when}" + (
                f", {key} key practice episode{'s' if key != 1 else ''}" if key else "")
            marks.append(Mark(x(day), width, y + 6, LANE - 12, css, title))
        timeline.lanes.append(Lane(name, y, y + LANE / 2 + 5, marks))
    bottom = TOP + len(timeline.lanes) * LANE
    timeline.plot_bottom = bottom
    timeline.height = bottom + AXIS
    for period in not_seen_periods(seen, start, review.incident_date, threshold):
        timeline.gaps.append((period, Mark(
            x(period.first), max(1.0, round(period.days * scale, 1)), TOP, bottom - TOP,
            "app-timeline__gap", f"Not seen for {period.days} days: {period.first:%-d %b %Y} "
                                 f"to {period.last:%-d %b %Y}")))
    for episode in Episode.objects.for_user(user).filter(review=review, withdrawn=False).annotate(
            first=Min("entries__occurred_on"), last=Max("entries__occurred_on")).filter(
            first__isnull=False).order_by("first", "pk"):
        timeline.episodes.append(Mark(
            x(episode.first), max(3.0, round(((episode.last - episode.first).days + 1) * scale, 1)),
            8, 14, "app-timeline__episode", f"Episode: {shown(episode.title)}"))
    timeline.ticks = _ticks(start, end, x)
    return timeline
