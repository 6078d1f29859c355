"""The figures of a reporting period: one selector feeds the yearly report (``learning``),
its CSV/XLSX and PDF, and the board's dashboard (``board_actions``), so they cannot disagree.

Every figure is the list of the records behind it (``Figure.records``: review, recommendation
or action ids); its value is that list's length, and the "records behind this figure" page
lists exactly those records (``figure_records``). The reader's scope is ``aggregate``
(business managers and board members: every review, counts and references only).

Definitions (a period is ``start``..``end``, both days included; docs/learning.md):

- notifications: sent in the period; on time when the notification clock (5 working days
  from awareness, pauses added) was met;
- rapid reviews: the decision (the rapid review's end) recorded in the period; on time when
  the rapid review clock (15 working days, pauses added) was met;
- decisions: by decision (review / no review), with their reasons; reviews started: the
  decisions to review;
- published: published in the period; on time by the final-report clock's due date (6
  months from the decision, pauses added); days from decision to publication; the recorded
  reasons for delay of every clock the period's figures missed;
- recommendations: decided in each review's latest board response recorded in the period;
  accepted, partly accepted;
- actions: completed in the period; on time by the original target date; with evidence of
  impact attached;
- themes: of the findings of reviews published in the period, with how many published
  reviews ever share each (a theme recurs when more than one does);
- briefings: learning briefings published in the period (``reviews.selectors.briefings``),
  with how many recipient agencies recorded sharing each and the practitioners reached.

Working days are the project's calendar (``scr.workdays``: weekends, England and Wales bank
holidays with substitute days); the clocks, with their pauses, are ``review_clocks``.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Q

from actionplans.models import Action, ActionStatus, ImpactEvidence
from actionplans.selectors.plans import readable
from agencies.models import User
from reviews.models import (
    BoardResponse,
    BoardResponseItem,
    ClockKind,
    DelayExplanation,
    Finding,
    Recommendation,
    Review,
    Theme,
)
from reviews.selectors import review_registers
from reviews.selectors.briefings import BriefingReach, briefings_reach
from reviews.selectors.clocks import review_clocks

__all__ = ["FIGURE_LABELS", "DelayReason", "Figure", "PeriodFigures", "ThemeCount",
           "figure_records", "period_decision_reasons", "period_figures", "reporting_year"]

# key: (label, what its records are)
FIGURE_LABELS: dict[str, tuple[str, str]] = {
    "notifications": ("Serious incident notifications", "review"),
    "notifications_on_time": ("Notified within 5 working days", "review"),
    "rapid_reviews": ("Rapid reviews completed", "review"),
    "rapid_reviews_on_time": ("Rapid reviews within 15 working days", "review"),
    "decisions_review": ("Decisions to hold a review", "review"),
    "decisions_no_review": ("Decisions not to hold a review", "review"),
    "reviews_started": ("Reviews started", "review"),
    "published": ("Reviews published", "review"),
    "published_on_time": ("Published within 6 months of the decision", "review"),
    "recommendations_decided": ("Recommendations the board responded to", "recommendation"),
    "recommendations_accepted": ("Recommendations accepted", "recommendation"),
    "recommendations_partly": ("Recommendations partly accepted", "recommendation"),
    "actions_completed": ("Actions completed", "action"),
    "actions_on_time": ("Actions completed on time", "action"),
    "actions_with_evidence": ("Actions completed with evidence of impact", "action"),
    "briefings_published": ("Learning briefings published", "briefing"),
    "briefings_shared": ("Learning briefings shared by at least one agency", "briefing"),
}


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    kind: str
    records: tuple[int, ...]

    @property
    def value(self) -> int:
        return len(self.records)


@dataclass(frozen=True)
class DelayReason:
    review_id: int
    reference: str
    clock: str
    explanation: str  # through the pseudonymiser: no one in the case is named


@dataclass(frozen=True)
class ThemeCount:
    name: str
    reviews: tuple[int, ...]  # published in the period with a finding of this theme
    reviews_ever: int  # every published review with it, the period's included

    @property
    def recurs(self) -> bool:
        return self.reviews_ever > 1


@dataclass
class PeriodFigures:
    start: date
    end: date
    figures: dict[str, Figure] = field(default_factory=dict)
    days_to_publication: list[int] = field(default_factory=list)
    delay_reasons: list[DelayReason] = field(default_factory=list)
    themes: list[ThemeCount] = field(default_factory=list)
    briefings: tuple[BriefingReach, ...] = ()
    # The period's reviews by id, as read (what ``period_decision_reasons`` needs).
    reviews: dict[int, Review] = field(default_factory=dict, repr=False)

    def __getitem__(self, key: str) -> Figure:
        return self.figures[key]

    @property
    def practitioners_reached(self) -> int:
        """Practitioners the period's briefings reached, as their agencies recorded."""
        return sum(b.practitioners_reached for b in self.briefings)

    @property
    def median_days_to_publication(self) -> float | None:
        return statistics.median(self.days_to_publication) if self.days_to_publication else None

    def values(self) -> dict[str, int]:
        """Every figure's value by key (what the dashboard and the report both show)."""
        return {k: f.value for k, f in self.figures.items()}


def reporting_year(today: date) -> tuple[date, date]:
    """The partnership's reporting year holding ``today``: 1 April to 31 March."""
    first = today.year if today.month >= 4 else today.year - 1
    return date(first, 4, 1), date(first + 1, 3, 31)


def _within(day: date | None, start: date, end: date) -> bool:
    return day is not None and start <= day <= end


def period_figures(user: User, start: date, end: date) -> PeriodFigures:
    """The figures of ``start``..``end`` over the reviews and actions ``user`` may count.
    A fixed number of queries whatever the number of reviews."""
    out = PeriodFigures(start, end)
    found: dict[str, list[int]] = {key: [] for key in FIGURE_LABELS}
    reviews = list(Review.objects.for_user(user, "aggregate").filter(
        Q(notification_sent_on__range=(start, end)) | Q(decision_date__range=(start, end))
        | Q(published_on__range=(start, end))).prefetch_related(
        "clock_pauses", "delay_explanations").order_by("reference"))
    for review in reviews:
        clocks = {c.kind: c for c in review_clocks(review, list(review.clock_pauses.all()),
                                                   list(review.delay_explanations.all()), end)}
        _review_figures(review, clocks, start, end, found, out)
    out.reviews = {r.pk: r for r in reviews}
    _delay_reasons(out, found)
    _recommendations(user, start, end, found)
    _actions(user, start, end, found)
    out.briefings = briefings_reach(user, start, end).briefings
    found["briefings_published"] = [b.briefing_id for b in out.briefings]
    found["briefings_shared"] = [b.briefing_id for b in out.briefings if b.agencies_shared]
    out.figures = {key: Figure(key, label, kind, tuple(found[key]))
                   for key, (label, kind) in FIGURE_LABELS.items()}
    out.themes = _themes(user, found["published"])
    return out


def _review_figures(review: Review, clocks: dict, start: date, end: date,
                    found: dict[str, list[int]], out: PeriodFigures) -> None:
    pk = review.pk
    if _within(review.notification_sent_on, start, end):
        found["notifications"].append(pk)
        clock = clocks.get(ClockKind.NOTIFICATION)
        if clock is not None and not clock.missed:
            found["notifications_on_time"].append(pk)
    if _within(review.decision_date, start, end):
        found["rapid_reviews"].append(pk)
        clock = clocks.get(ClockKind.RAPID_REVIEW)
        if clock is not None and not clock.missed:
            found["rapid_reviews_on_time"].append(pk)
        if review.decision == Review.Decision.REVIEW:
            found["decisions_review"].append(pk)
            found["reviews_started"].append(pk)
        elif review.decision == Review.Decision.NO_REVIEW:
            found["decisions_no_review"].append(pk)
    if _within(review.published_on, start, end) and review.published_on:
        found["published"].append(pk)
        if review.decision_date:
            out.days_to_publication.append((review.published_on - review.decision_date).days)
        clock = clocks.get(ClockKind.FINAL_REPORT)
        if clock is not None and clock.due is not None and review.published_on <= clock.due:
            found["published_on_time"].append(pk)


def _delay_reasons(out: PeriodFigures, found: dict[str, list[int]]) -> None:
    """The recorded reasons for delay of the clocks the period's figures missed, each
    through the pseudonymiser (the board reads them)."""
    late = _late(found)
    registers = review_registers(late)
    explained = DelayExplanation._base_manager.filter(review_id__in=list(late)).order_by(
        "review__reference", "clock")
    for e in explained:
        if e.clock in late[e.review_id]:
            review = out.reviews[e.review_id]
            text = readable(None, review, {"t": e.explanation}, registers[e.review_id])["t"]
            out.delay_reasons.append(DelayReason(e.review_id, review.reference,
                                                 ClockKind(e.clock).label, text))


def period_decision_reasons(figures: PeriodFigures) -> list[DelayReason]:
    """The decision and its reasons of each of the period's rapid reviews, through the
    pseudonymiser (the board reads them). Only the records behind a decision's figure show
    them, so they are read when asked for, not with every figure: pseudonymising every
    rapid review's reasons was most of the figures' time at 5,000 reviews
    (docs/learning.md, "Measures")."""
    ids = list(figures["rapid_reviews"].records)
    registers = review_registers(ids)
    reasons = []
    for pk in ids:
        review = figures.reviews[pk]
        text = readable(None, review, {"t": review.decision_reasons or "–"}, registers[pk])["t"]
        reasons.append(DelayReason(pk, review.reference, review.get_decision_display(), text))
    return reasons


def _late(found: dict[str, list[int]]) -> dict[int, set[str]]:
    late: dict[int, set[str]] = defaultdict(set)
    for total, on_time, clock in (("notifications", "notifications_on_time", ClockKind.NOTIFICATION),
                                  ("rapid_reviews", "rapid_reviews_on_time", ClockKind.RAPID_REVIEW),
                                  ("published", "published_on_time", ClockKind.FINAL_REPORT)):
        for pk in set(found[total]) - set(found[on_time]):
            late[pk].add(clock)
    return late


def _recommendations(user: User, start: date, end: date, found: dict[str, list[int]]) -> None:
    """Decisions of each review's latest board response recorded in the period."""
    latest = BoardResponse._base_manager.filter(review=OuterRef("review")).order_by("-version")
    items = (BoardResponseItem._base_manager
             .filter(recommendation__isnull=False,
                     review__in=Review.objects.for_user(user, "aggregate").values("pk"),
                     response__recorded_at__date__range=(start, end),
                     response__in=latest.values("pk")[:1])
             .order_by("recommendation__review__reference", "recommendation__number")
             .values_list("recommendation_id", "decision"))
    for rec, decision in items:
        found["recommendations_decided"].append(rec)
        if decision == BoardResponseItem.Decision.ACCEPTED:
            found["recommendations_accepted"].append(rec)
        elif decision == BoardResponseItem.Decision.PARTLY:
            found["recommendations_partly"].append(rec)


def _actions(user: User, start: date, end: date, found: dict[str, list[int]]) -> None:
    evidence = ImpactEvidence._base_manager.filter(action=OuterRef("pk"), withdrawn_at__isnull=True)
    rows = (Action.objects.for_user(user, "aggregate")
            .filter(completed_on__range=(start, end),
                    status__in=[ActionStatus.COMPLETED, ActionStatus.VERIFIED])
            .annotate(has_evidence=Exists(evidence))
            .order_by("review__reference", "recommendation__number", "number")
            .values_list("pk", "completed_on", "original_target_date", "has_evidence"))
    for pk, completed_on, target, has_evidence in rows:
        found["actions_completed"].append(pk)
        if completed_on is not None and completed_on <= target:
            found["actions_on_time"].append(pk)
        if has_evidence:
            found["actions_with_evidence"].append(pk)


def _themes(user: User, published: list[int]) -> list[ThemeCount]:
    """Themes of the findings of the period's published reviews, and how many published
    reviews ever share each (a theme recurs when more than one does)."""
    ever: dict[int, set[int]] = defaultdict(set)
    visible = Review.objects.for_user(user, "aggregate").filter(published_on__isnull=False)
    for theme_id, review_id in (Finding.themes.through._default_manager
                                .filter(finding__withdrawn=False,
                                        finding__review__in=visible.values("pk"))
                                .values_list("theme_id", "finding__review_id")):
        ever[theme_id].add(review_id)
    chosen = set(published)
    names = dict(Theme.objects.values_list("pk", "name"))
    counts = [ThemeCount(names[t], tuple(sorted(r & chosen)), len(r)) for t, r in ever.items()
              if r & chosen]
    return sorted(counts, key=lambda c: (-len(c.reviews), c.name))


def figure_records(user: User, key: str, start: date, end: date,
                   ) -> tuple[Figure, list[tuple[int, str, str]]]:
    """The records behind one figure: (id, reference, what) each, exactly the figure's. A
    decision's row says the decision and its reasons; a late review's, the recorded reason
    for its delay (both through the pseudonymiser)."""
    figures = period_figures(user, start, end)
    figure = figures[key]
    ids = list(figure.records)
    rows: dict[int, tuple[str, str]]
    if figure.kind == "review":
        said: dict[int, list[str]] = defaultdict(list)
        if key.startswith(("decisions", "rapid_reviews", "reviews_started")):
            for r in period_decision_reasons(figures):
                said[r.review_id].append(f"{r.clock}: {r.explanation}")
        for r in figures.delay_reasons:
            said[r.review_id].append(f"Delay ({r.clock.lower()}): {r.explanation}")
        rows = {pk: (ref, " ".join(said.get(pk, []))) for pk, ref in
                Review._base_manager.filter(pk__in=ids).values_list("pk", "reference")}
    elif figure.kind == "action":
        rows = {a.pk: (a.reference, f"completed {a.completed_on:%-d %B %Y}")
                for a in Action._base_manager.filter(pk__in=ids).select_related(
                    "review", "recommendation")}
    elif figure.kind == "briefing":
        rows = {b.briefing_id: (f"{b.reference} briefing",
                                f"published {b.published_on:%-d %B %Y}; sent to {b.agencies_sent} "
                                f"agencies, shared by {b.agencies_shared}, "
                                f"{b.practitioners_reached} practitioners reached")
                for b in figures.briefings}
    else:
        rows = {pk: (f"{ref} recommendation {n}", "") for pk, ref, n in
                Recommendation._base_manager.filter(pk__in=ids).values_list(
                    "pk", "review__reference", "number")}
    return figure, [(pk, *rows[pk]) for pk in ids]
