"""The statutory clocks of a review, derived from its records (DOMAIN.md).

Nothing here is stored except through ``Review.next_clock/next_due_on`` (which
``services.review_refresh_clocks`` keeps in step) so the dashboard can sort and
filter in SQL. A pause stops a clock; on resume the due date moves by the
length of the pause (in working days for working-day clocks, calendar days for
the 6-month clock). A clock met late, or overdue, is *missed* and needs a
recorded explanation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING, Protocol, TypedDict

from django.conf import settings
from django.db.models import Case, Q, QuerySet, Value, When
from django.db.models import CharField as CharFieldType
from django.utils import timezone

from reviews.models import ClockKind, DelayExplanation, Review
from scr.workdays import add_months, add_working_days, subtract_working_days, working_days_between

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class Rag:
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    PAUSED = "paused"
    MET = "met"
    STOPPED = "stopped"

    LABELS = {RED: "Red", AMBER: "Amber", GREEN: "Green", PAUSED: "Paused", MET: "Met",
              STOPPED: "Stopped"}
    TAGS = {RED: "govuk-tag--red", AMBER: "govuk-tag--orange", GREEN: "govuk-tag--green",
            PAUSED: "govuk-tag--grey", MET: "govuk-tag--blue", STOPPED: "govuk-tag--grey"}


class Pause(Protocol):
    """What the clocks read of a pause: a ``ClockPause``, or the dashboard's plain values."""

    @property
    def clock(self) -> str: ...
    @property
    def paused_on(self) -> date: ...
    @property
    def resumed_on(self) -> date | None: ...


class RagAnnotation(TypedDict):
    rag: str


def clock_label(kind: str) -> str:
    """The label of a clock kind ('' for none or an unknown kind)."""
    return str(ClockKind(kind).label) if kind in ClockKind.values else ""


def rag_for(due: date, today: date) -> str:
    """Red once overdue, amber within CLOCK_AMBER_DAYS, green otherwise."""
    if due < today:
        return Rag.RED
    if due <= today + timedelta(days=settings.CLOCK_AMBER_DAYS):
        return Rag.AMBER
    return Rag.GREEN


def annotate_rag(qs: QuerySet[Review],
                 today: date | None = None) -> QuerySet[WithAnnotations[Review, RagAnnotation]]:
    """The same rule as ``rag_for``, in SQL, on the review's next clock."""
    today = today or timezone.localdate()
    return qs.annotate(rag=Case(
        When(next_due_on__isnull=True, then=Value("")),
        When(next_due_on__lt=today, then=Value(Rag.RED)),
        When(next_due_on__lte=today + timedelta(days=settings.CLOCK_AMBER_DAYS),
             then=Value(Rag.AMBER)),
        default=Value(Rag.GREEN), output_field=CharFieldType()))


def missed_clock_q(today: date | None = None) -> Q:
    today = today or timezone.localdate()
    return Q(has_missed_clock=True) | Q(next_due_on__lt=today)


@dataclass(frozen=True)
class Clock:
    kind: str
    label: str
    due: date | None
    met_on: date | None
    paused: bool
    paused_days: int
    working_days: bool
    explanation: str | None
    started: date | None = None
    stopped: bool = False  # the review ended (no review, withdrawn, closed) before it was met
    # The day the figures are for: read once per set of clocks (reading the time zone is
    # not free, and every figure of one page must agree on what "today" is).
    today: date = field(default_factory=timezone.localdate, compare=False)

    @property
    def pausable(self) -> bool:
        """Only a running statutory clock can be paused: not met, and not the publication
        notice (which follows the planned publication date instead)."""
        return (self.kind != ClockKind.PUBLICATION_NOTICE and self.met_on is None
                and self.started is not None)

    @property
    def missed(self) -> bool:
        if self.due is None:
            return False
        if self.met_on is not None:
            return self.met_on > self.due
        return not self.paused and not self.stopped and self.due < self.today

    @property
    def needs_explanation(self) -> bool:
        return self.missed and not self.explanation

    @property
    def rag(self) -> str:
        if self.met_on is not None:
            return Rag.RED if self.missed else Rag.MET
        if self.stopped:
            return Rag.STOPPED
        if self.paused or self.due is None:
            return Rag.PAUSED
        return rag_for(self.due, self.today)

    @property
    def rag_label(self) -> str:
        return Rag.LABELS[self.rag]

    @property
    def rag_tag(self) -> str:
        return Rag.TAGS[self.rag]

    @cached_property
    def days_left(self) -> int | None:
        """Working days (or calendar days for month clocks) to the due date; negative if late."""
        if self.due is None or self.met_on is not None or self.paused or self.stopped:
            return None
        if self.working_days:
            return working_days_between(self.today, self.due)
        return (self.due - self.today).days


def publication_notice_due(publication_on: date) -> date:
    """The last day the report can reach the national Panel for publication on
    ``publication_on``: CLOCK_PUBLICATION_NOTICE_WORKING_DAYS working days before it
    (publication day is day 0, whether or not it is a working day). The clock's due date
    and the publication guard both call this, so they cannot disagree."""
    return subtract_working_days(publication_on, settings.CLOCK_PUBLICATION_NOTICE_WORKING_DAYS)


def merge_intervals(intervals: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """Half-open [start, end) intervals merged so that no day is in two of them."""
    merged: list[tuple[date, date]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _pause_length(pauses: Iterable[Pause], working: bool, today: date, start: date,
                  met_on: date | None) -> tuple[int, bool]:
    """Days the clock stood still, each counted once (docs/lifecycle.md, "Pauses").

    A pause "from" P "resumed on" R holds the clock on the days P … R-1: the clock runs
    again on the day it resumes. Only days the clock would have counted are lost: after
    day 0 (``start``), and up to the day it was met. An open pause holds it through today.
    """
    intervals, open_pause = [], False
    first_counted = start + timedelta(days=1)
    stop = met_on + timedelta(days=1) if met_on is not None else None
    for pause in pauses:
        open_pause = open_pause or (pause.resumed_on is None and met_on is None)
        begin = max(pause.paused_on, first_counted)
        end = pause.resumed_on or today + timedelta(days=1)
        if stop is not None:
            end = min(end, stop)
        intervals.append((begin, end))
    total = 0
    for begin, end in merge_intervals(intervals):
        last = end - timedelta(days=1)
        total += (working_days_between(begin - timedelta(days=1), last) if working
                  else (end - begin).days)
    return total, open_pause


def review_clocks(review: Review, pauses: Sequence[Pause] | None = None,
                  explanations: list[DelayExplanation] | None = None,
                  today: date | None = None) -> list[Clock]:
    """Every clock that applies to this review, in the order they fall."""
    today = today or timezone.localdate()
    if pauses is None:
        pauses = list(review.clock_pauses.all())
    if explanations is None:
        explanations = list(review.delay_explanations.all())
    explained = {e.clock: e.explanation for e in explanations}
    specs: list[tuple[str, date | None, int | None, int | None, date | None]] = [
        # kind, start, working days, months, met on
        (ClockKind.NOTIFICATION, review.aware_date, settings.CLOCK_NOTIFICATION_WORKING_DAYS,
         None, review.notification_sent_on),
        (ClockKind.RAPID_REVIEW, review.aware_date, settings.CLOCK_RAPID_REVIEW_WORKING_DAYS,
         None, review.decision_date),
    ]
    if review.decision == Review.Decision.REVIEW and review.decision_date:
        specs.append((ClockKind.FINAL_REPORT, review.decision_date, None,
                      settings.CLOCK_FINAL_REPORT_MONTHS, review.final_report_received_on))
    clocks = []
    for kind, start, working_days, months, met_on in specs:
        if start is None:
            continue
        own = [p for p in pauses if p.clock == kind]
        paused_days, paused = _pause_length(own, working_days is not None, today, start, met_on)
        if working_days is not None:
            due = add_working_days(start, working_days + paused_days)
        else:
            due = add_months(start, months or 0) + timedelta(days=paused_days)
        clocks.append(Clock(kind, ClockKind(kind).label, due, met_on, paused, paused_days,
                            working_days is not None, explained.get(kind), start,
                            stopped=not review.is_open and met_on is None, today=today))
    if review.planned_publication_on:
        due = publication_notice_due(review.planned_publication_on)
        sent = review.national_panel_sent_report_on
        clocks.append(Clock(ClockKind.PUBLICATION_NOTICE, ClockKind.PUBLICATION_NOTICE.label,
                            due, sent, False, 0, True,
                            explained.get(ClockKind.PUBLICATION_NOTICE),
                            stopped=not review.is_open and sent is None, today=today))
    return clocks


def next_clock(clocks: Iterable[Clock]) -> Clock | None:
    """The earliest running clock: not met, not paused."""
    running = [c for c in clocks if c.met_on is None and not c.paused and c.due is not None]
    return min(running, key=attrgetter("due"), default=None)


