"""Reading the chronology: an agency's own entries, the merged multi-agency chronology
(filtered, in date order), its exports, the periods when no professional saw the child,
and the timeline drawn from them.

Order everywhere: date, then time with a date-only entry first on its day, then agency
name, then id (stable across pages).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    TimeField,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from agencies.models import Agency
from reviews.models import ChronologyEntry, Episode, Review
from reviews.selectors.register import TextShown
from scr.keyset import KeysetPage, keyset_page

if TYPE_CHECKING:
    from agencies.models import User

__all__ = [
    "EXPORT_HEADER",
    "ChronologyRow",
    "NotSeenPeriod",
    "Timeline",
    "chronology_export_rows",
    "chronology_rows",
    "chronology_timeline",
    "merged_entries",
    "merged_page",
    "not_seen_periods",
    "not_seen_start",
    "review_episodes",
    "timeline_svg",
]

# Date, then time with a date-only entry first on its day, then agency name, then id: the
# time as a flag and a value, so that no key is NULL and a page can start after any row
# (``scr.keyset``).
MERGED_ORDER = ("occurred_on", "sort_timed", "sort_time", "sort_agency", "pk")
MERGED_KEYS = tuple((name, False) for name in MERGED_ORDER)


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
    return qs.annotate(
        sort_timed=ExpressionWrapper(Q(occurred_at__isnull=False), output_field=BooleanField()),
        sort_time=Coalesce("occurred_at", Value(time(0)), output_field=TimeField()),
        sort_agency=F("agency__name"),
    ).select_related("agency", "episode").order_by(*MERGED_ORDER)


def merged_page(entries: QuerySet[ChronologyEntry], *, after: str | None = None,
                before: str | None = None, size: int) -> KeysetPage[ChronologyEntry]:
    """One page of the merged chronology after (or before) a cursor, in two short queries:
    the page's ids are sorted on the narrow sort key alone, from where the page before
    ended (``scr.keyset``: the 400th page costs what the first does), then only those rows
    are read whole. Sorting whole rows (their free text) of a long chronology would spill to
    disk for every page."""
    def whole(keys: list[dict[str, Any]]) -> list[ChronologyEntry]:
        found = entries.model._default_manager.select_related("agency", "episode").in_bulk(
            [key["pk"] for key in keys])
        return [found[key["pk"]] for key in keys]

    return keyset_page(entries.values(*MERGED_ORDER), MERGED_KEYS, size=size, after=after,
                       before=before, load=whole)


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


def not_seen_start(review: Review, scope_start: date) -> date:
    """Where "not seen" can begin: the scope's start, or the subject child's birth if that is
    later (an unborn baby is not "not seen"; the pregnancy's entries still appear on the
    timeline). With several subject children, the first birth."""
    born = (review.subjects.filter(kind="child", withdrawn=False, date_of_birth__isnull=False)
            .aggregate(first=Min("date_of_birth"))["first"])
    return max(scope_start, born) if born else scope_start


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
    periods when no professional saw the child shaded (from the later of the scope's start
    and the child's birth); episodes as bands above.

    Six queries whatever the number of entries: entries per agency and day (counted in
    SQL), the agencies' names, the days the child was seen, the episodes' spans, the terms'
    scope start, the child's birth."""
    threshold = settings.CHRONOLOGY_NOT_SEEN_DAYS
    base = ChronologyEntry.objects.for_user(user).filter(
        review=review, status=ChronologyEntry.Status.SUBMITTED, withdrawn=False)
    # Grouped on integers and dates only (a hash aggregate, nothing sorted in SQL); the
    # agencies' names in one small query.
    per_day: list[tuple[int, date, int, int]] = list(
        base.values("agency_id", "occurred_on").annotate(
            n=Count("id"), key=Count("id", filter=Q(
                significance=ChronologyEntry.Significance.KEY))).order_by()
        .values_list("agency_id", "occurred_on", "n", "key"))
    if not per_day:
        return Timeline(threshold=threshold)
    names = dict(Agency.objects.filter(pk__in={r[0] for r in per_day}).values_list("pk", "name"))
    seen = list(base.filter(child_seen=True).values_list("occurred_on", flat=True)
                .distinct().order_by("occurred_on"))
    scope_start = review.terms.order_by("-version").values_list("scope_start", flat=True).first()
    days = [r[1] for r in per_day]
    first, last = min(days), max(days)
    start = min(first, scope_start) if scope_start else first
    end = max(last, review.incident_date)
    span = (end - start).days + 1
    bin_days = max(1, -(-span // MAX_BINS))
    scale = (WIDTH - LABEL_WIDTH - RIGHT) / (span + bin_days)

    def x(day: date) -> float:
        return round(LABEL_WIDTH + (day - start).days * scale, 1)

    by_agency: dict[int, dict[int, list[int]]] = {}
    origin = start.toordinal()
    for agency_id, day, n, key in per_day:
        counts = by_agency.setdefault(agency_id, {}).setdefault(
            (day.toordinal() - origin) // bin_days, [0, 0])
        counts[0] += n
        counts[1] += key
    lanes_rows = {names[a]: by_agency[a] for a in sorted(by_agency, key=lambda a: (names[a], a))}
    timeline = Timeline(start=start, end=end, bin_days=bin_days, threshold=threshold,
                        entries=sum(r[2] for r in per_day))
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
    for period in not_seen_periods(seen, not_seen_start(review, scope_start or start),
                                   review.incident_date, threshold):
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


def _svg_rect(mark: Mark, css: str = "") -> str:
    return (f'<rect class="{escape(css or mark.css)}" x="{mark.x}" y="{mark.y}" '
            f'width="{mark.width}" height="{mark.height}"><title>{escape(mark.title)}</title></rect>')


def timeline_svg(timeline: Timeline) -> SafeString:
    """The timeline's SVG element, written here rather than by a template loop: a long
    chronology has a thousand marks or more, and the template engine takes half a second
    over them where string building takes a few milliseconds. Every text is escaped;
    styling is by class only (no style attributes)."""
    t = timeline
    if t.empty or t.start is None or t.end is None:
        return mark_safe("")
    out = [f'<svg class="app-timeline__svg" viewBox="0 0 {t.width} {t.height}" role="img" '
           'aria-labelledby="timeline-title timeline-desc" focusable="false" '
           'xmlns="http://www.w3.org/2000/svg">',
           '<title id="timeline-title">Timeline of the merged chronology</title>',
           f'<desc id="timeline-desc">{escape(timeline_description(t))}</desc>']
    out += [_svg_rect(mark) for _period, mark in t.gaps]
    for x, label in t.ticks:
        out.append(f'<line class="app-timeline__tick" x1="{x}" x2="{x}" y1="{t.plot_top}" '
                   f'y2="{t.plot_bottom}"/><text class="app-timeline__tick-label" x="{x}" '
                   f'y="{t.height - 8}" text-anchor="middle">{escape(label)}</text>')
    for lane in t.lanes:
        name = lane.name if len(lane.name) <= 24 else lane.name[:23] + "…"
        out.append(f'<text class="app-timeline__label" x="4" y="{lane.label_y}">'
                   f'{escape(name)}</text><line class="app-timeline__lane" x1="{t.plot_left}" '
                   f'x2="{t.width}" y1="{lane.label_y - 5}" y2="{lane.label_y - 5}"/>')
        out += [_svg_rect(mark, f"app-timeline__mark {mark.css}") for mark in lane.marks]
    out += [_svg_rect(mark) for mark in t.episodes]
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def timeline_description(t: Timeline) -> str:
    lanes, gaps, episodes = len(t.lanes), len(t.gaps), len(t.episodes)
    assert t.start is not None and t.end is not None
    return (f"{t.entries} entries from {lanes} agenc{'y' if lanes == 1 else 'ies'} between "
            f"{t.start:%-d %B %Y} and {t.end:%-d %B %Y}; {gaps} period{'' if gaps == 1 else 's'}"
            f" of more than {t.threshold} days when no professional saw the child, listed "
            f"after the timeline; {episodes} episode{'' if episodes == 1 else 's'}.")
