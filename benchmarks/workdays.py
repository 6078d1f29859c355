"""Micro-benchmark of scr/workdays.py: µs per call, the table against a day-by-day walk.

The walk is the reference the tests compare against (tests/test_workdays.py), i.e. the
implementation before the table. Usage:
    .venv/bin/python benchmarks/workdays.py [--calls 20000]
"""

from __future__ import annotations

import argparse
import random
import sys
import timeit
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scr import workdays
from tests.scr.test_workdays import walk, walk_between


def per_call_us(func: Callable[[date, int], object], cases: list[tuple[date, int]]) -> float:
    def run() -> None:
        for day, days in cases:
            func(day, days)

    run()  # warm the holiday caches and the table
    best = min(timeit.repeat(run, number=1, repeat=5))
    return best / len(cases) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20000)
    args = parser.parse_args()
    rng = random.Random(7)
    today = date(2026, 11, 25)
    days_around = [today + timedelta(days=rng.randint(-730, 365)) for _ in range(args.calls)]
    due = [(d, rng.choice([5, 15])) for d in days_around]
    # A long-overdue clock: days left from today back to a due date up to two years ago.
    overdue = [(d, 0) for d in days_around]

    rows = [
        ("add_working_days (5 or 15)", workdays.add_working_days, walk, due),
        ("subtract_working_days (5 or 15)", workdays.subtract_working_days,
         lambda d, n: walk(d, -n), due),
        ("working_days_between (up to 2 years)",
         lambda d, _: workdays.working_days_between(today, d),
         lambda d, _: walk_between(today, d), overdue),
    ]
    print(f"{'call':40} {'walk µs':>10} {'table µs':>10} {'speed-up':>9}")
    for name, table_func, walk_func, cases in rows:
        walked = per_call_us(walk_func, cases)
        tabled = per_call_us(table_func, cases)
        print(f"{name:40} {walked:10.2f} {tabled:10.2f} {walked / tabled:8.1f}x")


if __name__ == "__main__":
    main()
