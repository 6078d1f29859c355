"""Working days in England and Wales.

Weekends and bank holidays (substitute days included) from the maintained
``holidays`` library, not a hand-written list. Counting follows DOMAIN.md: the
day of becoming aware is day 0 and "within 5 working days" is the 5th working
day after it.

Every page with clocks asks for many due dates, so nothing here walks day by
day: a sorted table of working days (as date ordinals), built a year at a time
on first use, turns each question into a binary search and an index.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from datetime import date
from functools import cache

import holidays
from dateutil.relativedelta import relativedelta

# A year has at least 248 working days in England; stepping n working days spans at
# most n // 248 + 1 more years, which is how far the table is grown ahead of a step.
_MIN_WORKING_DAYS_A_YEAR = 248


@cache
def bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def _working_ordinals(year: int) -> list[int]:
    first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    return [o for o in range(first, last + 1) if is_working_day(date.fromordinal(o))]


class _WorkingDayTable:
    """The ordinals of every working day from ``first_year`` to ``last_year``, sorted.

    Grown (never shrunk) a year at a time under a lock; readers take one reference to
    the list, which is replaced whole, so they never see a half-built table.
    """

    def __init__(self) -> None:
        self.first_year = self.last_year = 0
        self.ordinals: list[int] = []
        self._lock = threading.Lock()

    def covering(self, first_year: int, last_year: int) -> list[int]:
        if self.ordinals and self.first_year <= first_year and last_year <= self.last_year:
            return self.ordinals
        with self._lock:
            if not self.ordinals:
                self.first_year, self.last_year = first_year, first_year - 1
            before = [o for y in range(first_year, self.first_year) for o in _working_ordinals(y)]
            after = [o for y in range(self.last_year + 1, last_year + 1)
                     for o in _working_ordinals(y)]
            self.ordinals = before + self.ordinals + after
            self.first_year = min(self.first_year, first_year)
            self.last_year = max(self.last_year, last_year)
            return self.ordinals


_TABLE = _WorkingDayTable()


def _step(day: date, days: int) -> date:
    """The ``|days|``-th working day after (``days`` > 0) or before (``days`` < 0) ``day``.

    ``day`` itself never counts, whether it is a working day or not; 0 returns ``day``.
    """
    if days == 0:
        return day
    span = abs(days) // _MIN_WORKING_DAYS_A_YEAR + 1
    if days > 0:
        table = _TABLE.covering(day.year, day.year + span)
        # Working days up to and including ``day``, then ``days`` more (0-based index).
        index = bisect_right(table, day.toordinal()) + days - 1
    else:
        table = _TABLE.covering(day.year - span, day.year)
        # Working days strictly before ``day``, then ``|days|`` back.
        index = bisect_left(table, day.toordinal()) + days
    return date.fromordinal(table[index])


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself is day 0)."""
    if days < 0:
        raise ValueError("days must not be negative")
    return _step(start, days)


def subtract_working_days(end: date, days: int) -> date:
    """The latest date that is ``days`` working days before ``end``."""
    if days < 0:
        raise ValueError("days must not be negative")
    return _step(end, -days)


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
    table = _TABLE.covering(min(start, end).year, max(start, end).year)
    return bisect_right(table, end.toordinal()) - bisect_right(table, start.toordinal())


def add_months(start: date, months: int) -> date:
    """Calendar-month clocks run to the same day of the month (or the month's last day)."""
    return start + relativedelta(months=months)


__all__ = [
    "add_months",
    "add_working_days",
    "bank_holidays",
    "is_working_day",
    "subtract_working_days",
    "working_days_between",
]
