"""Working days in England and Wales (scr/workdays.py), against DOMAIN.md's counting rule:
the day of becoming aware is day 0 and "within 5 working days" is the 5th working day after it."""

from __future__ import annotations

from datetime import date

import pytest

from scr.workdays import (
    add_months,
    add_working_days,
    bank_holidays,
    is_working_day,
    subtract_working_days,
    working_days_between,
)

# ---------------------------------------------------------------- which days count


@pytest.mark.parametrize(("day", "why"), [
    (date(2026, 12, 25), "Christmas Day"),
    (date(2026, 12, 28), "substitute for Boxing Day (Sat 26 Dec 2026)"),
    (date(2027, 12, 27), "substitute for Christmas Day (Sat 25 Dec 2027)"),
    (date(2027, 12, 28), "substitute for Boxing Day (Sun 26 Dec 2027)"),
    (date(2026, 4, 3), "Good Friday 2026"),
    (date(2026, 4, 6), "Easter Monday 2026"),
    (date(2026, 5, 4), "early May bank holiday 2026"),
    (date(2026, 5, 25), "spring bank holiday 2026"),
    (date(2026, 8, 31), "summer bank holiday 2026"),
    (date(2027, 1, 1), "New Year's Day 2027"),
])
def test_bank_holidays_including_substitute_days_are_not_working_days(day: date, why: str) -> None:
    assert day.weekday() < 5, why
    assert day in bank_holidays(day.year), why
    assert not is_working_day(day), why


@pytest.mark.parametrize("day", [date(2026, 12, 26), date(2026, 12, 27), date(2026, 11, 21)])
def test_weekends_are_not_working_days(day: date) -> None:
    assert day.weekday() >= 5
    assert not is_working_day(day)


@pytest.mark.parametrize("day", [
    date(2026, 12, 24), date(2026, 12, 29), date(2026, 4, 2), date(2026, 4, 7),
    date(2026, 5, 26), date(2026, 9, 1),
])
def test_ordinary_weekdays_around_bank_holidays_are_working_days(day: date) -> None:
    assert is_working_day(day)


def test_scottish_only_bank_holidays_do_not_count_in_england() -> None:
    # 2 January and St Andrew's Day are Scottish bank holidays, not English ones.
    assert is_working_day(date(2026, 1, 2))
    assert is_working_day(date(2026, 11, 30))


# ---------------------------------------------------------------- adding working days


def test_aware_on_monday_21_december_2026_notification_is_due_wednesday_30_december() -> None:
    # 22, 23, 24 count; 25 Christmas, 26-27 weekend, 28 substitute Boxing Day; 29, 30 count.
    assert add_working_days(date(2026, 12, 21), 5) == date(2026, 12, 30)


def test_christmas_2027_with_two_substitute_days_pushes_the_due_date_past_new_year() -> None:
    # Aware Thu 23 Dec 2027: 24 (1), 25-26 weekend, 27-28 substitutes, 29 (2), 30 (3), 31 (4),
    # 1-2 Jan weekend, 3 Jan substitute for New Year's Day (Sat), so day 5 is Tue 4 Jan 2028.
    assert add_working_days(date(2027, 12, 23), 5) == date(2028, 1, 4)


def test_easter_2026_skips_good_friday_and_easter_monday() -> None:
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    # Wed 1 Apr: Thu 2 (1), Good Friday, weekend, Easter Monday, Tue 7 (2) ... Fri 10 (5).
    assert add_working_days(date(2026, 4, 1), 5) == date(2026, 4, 10)


@pytest.mark.parametrize(("friday", "tuesday"), [
    (date(2026, 5, 22), date(2026, 5, 26)),  # spring bank holiday Mon 25 May
    (date(2026, 8, 28), date(2026, 9, 1)),  # summer bank holiday Mon 31 Aug
])
def test_a_bank_holiday_weekend_moves_the_next_working_day_to_tuesday(friday: date,
                                                                      tuesday: date) -> None:
    assert add_working_days(friday, 1) == tuesday


def test_rapid_review_15_working_days_across_the_august_bank_holiday() -> None:
    # Mon 17 Aug 2026 + 15 working days, one of which (31 Aug) is a bank holiday.
    assert add_working_days(date(2026, 8, 17), 15) == date(2026, 9, 8)


def test_the_day_of_becoming_aware_is_day_zero() -> None:
    assert add_working_days(date(2026, 12, 21), 0) == date(2026, 12, 21)
    # Even on a bank holiday or weekend, day 0 is that day itself.
    assert add_working_days(date(2026, 12, 25), 0) == date(2026, 12, 25)


def test_becoming_aware_on_a_bank_holiday_counts_from_the_next_working_day() -> None:
    # Aware on Christmas Day 2026 (Fri): 29 (1), 30 (2), 31 (3), 1 Jan holiday, 4 (4), 5 (5).
    assert add_working_days(date(2026, 12, 25), 5) == date(2027, 1, 5)


def test_becoming_aware_on_a_saturday_counts_from_monday() -> None:
    assert add_working_days(date(2026, 11, 21), 1) == date(2026, 11, 23)
    assert add_working_days(date(2026, 11, 21), 5) == date(2026, 11, 27)


def test_a_working_day_deadline_never_falls_on_a_non_working_day() -> None:
    start = date(2026, 12, 1)
    for days in range(1, 40):
        assert is_working_day(add_working_days(start, days))


def test_adding_a_negative_number_of_working_days_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 12, 21), -1)


# ---------------------------------------------------------------- counting between dates


def test_working_days_between_counts_days_after_the_start_up_to_and_including_the_end() -> None:
    assert working_days_between(date(2026, 12, 21), date(2026, 12, 30)) == 5


def test_working_days_between_is_negative_when_the_end_is_before_the_start() -> None:
    assert working_days_between(date(2026, 12, 30), date(2026, 12, 21)) == -5


def test_working_days_between_the_same_day_is_zero() -> None:
    assert working_days_between(date(2026, 12, 25), date(2026, 12, 25)) == 0
    assert working_days_between(date(2026, 12, 21), date(2026, 12, 21)) == 0


def test_working_days_between_a_weekend_or_over_easter_counts_nothing_for_holidays() -> None:
    assert working_days_between(date(2026, 11, 21), date(2026, 11, 22)) == 0  # Sat to Sun
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 6)) == 0  # Thu to Easter Mon
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 7)) == 1
    assert working_days_between(date(2026, 5, 22), date(2026, 5, 26)) == 1  # over spring BH


def test_working_days_between_reverses_add_working_days() -> None:
    for start in (date(2026, 12, 21), date(2026, 4, 1), date(2026, 8, 28), date(2026, 12, 25)):
        for days in (0, 1, 5, 15, 30):
            assert working_days_between(start, add_working_days(start, days)) == days


# ---------------------------------------------------------------- subtracting working days


def test_subtracting_working_days_over_christmas_2026() -> None:
    assert subtract_working_days(date(2026, 12, 30), 5) == date(2026, 12, 21)
    assert subtract_working_days(date(2026, 12, 29), 1) == date(2026, 12, 24)


def test_subtracting_working_days_over_easter_2026() -> None:
    assert subtract_working_days(date(2026, 4, 7), 1) == date(2026, 4, 2)


def test_subtracting_zero_working_days_returns_the_same_day() -> None:
    assert subtract_working_days(date(2026, 12, 25), 0) == date(2026, 12, 25)


def test_subtracting_from_a_weekend_lands_on_the_last_working_day_before_it() -> None:
    assert subtract_working_days(date(2026, 11, 22), 1) == date(2026, 11, 20)  # Sun → Fri


def test_publication_notice_seven_working_days_before_publication_meets_the_guard_exactly() -> None:
    publication = date(2026, 12, 31)
    sent_by = subtract_working_days(publication, 7)
    # 30, 29, (28 BH, 27-26 weekend, 25 BH), 24, 23, 22, 21, 18: Fri 18 Dec 2026.
    assert sent_by == date(2026, 12, 18)
    assert working_days_between(sent_by, publication) == 7


def test_subtract_reverses_add_from_a_working_day() -> None:
    for start in (date(2026, 12, 21), date(2026, 4, 2), date(2026, 8, 28)):
        for days in (1, 5, 15):
            assert subtract_working_days(add_working_days(start, days), days) == start


# ---------------------------------------------------------------- calendar months


def test_six_months_from_31_august_is_the_last_day_of_february() -> None:
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)


def test_six_months_from_31_august_before_a_leap_year_is_29_february() -> None:
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)


def test_calendar_months_run_to_the_same_day_of_the_month() -> None:
    assert add_months(date(2026, 3, 15), 6) == date(2026, 9, 15)
    assert add_months(date(2026, 12, 21), 6) == date(2027, 6, 21)


def test_calendar_months_ending_on_a_shorter_month_use_its_last_day() -> None:
    assert add_months(date(2026, 3, 31), 6) == date(2026, 9, 30)
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)


def test_calendar_month_clocks_ignore_weekends_and_bank_holidays() -> None:
    # The 6-month clock is calendar-based: it may fall on a bank holiday.
    assert add_months(date(2026, 6, 25), 6) == date(2026, 12, 25)


def test_subtracting_a_negative_number_of_working_days_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        subtract_working_days(date(2026, 12, 30), -1)


# ---------------------------------------------------------------- the table against a walk


def walk(day: date, days: int) -> date:
    """Reference: step a day at a time, counting working days as they are passed
    (forward for days > 0, backward for days < 0). Slow and obviously right."""
    from datetime import timedelta

    step = timedelta(days=1 if days > 0 else -1)
    remaining = abs(days)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def walk_between(start: date, end: date) -> int:
    """Reference: count working days after ``start`` up to and including ``end``."""
    from datetime import timedelta

    if end < start:
        return -walk_between(end, start)
    return sum(is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))


def random_dates(seed: int, count: int, first: date = date(1950, 1, 1),
                 last: date = date(2090, 12, 31)) -> list[date]:
    import random

    rng = random.Random(seed)
    return [date.fromordinal(rng.randint(first.toordinal(), last.toordinal())) for _ in range(count)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_adding_and_subtracting_match_a_day_by_day_walk_on_random_dates(seed: int) -> None:
    import random

    rng = random.Random(seed)
    for day in random_dates(seed, 400):
        days = rng.choice([0, 1, 2, 5, 7, 15, rng.randint(0, 60), rng.randint(0, 600)])
        assert add_working_days(day, days) == walk(day, days), (day, days)
        assert subtract_working_days(day, days) == walk(day, -days), (day, days)


@pytest.mark.parametrize("seed", [4, 5])
def test_working_days_between_matches_a_day_by_day_count_on_random_pairs(seed: int) -> None:
    import random

    rng = random.Random(seed)
    for start in random_dates(seed, 300):
        end = date.fromordinal(start.toordinal() + rng.randint(-900, 900))
        assert working_days_between(start, end) == walk_between(start, end), (start, end)


def test_every_day_of_christmas_and_easter_2026_to_2028_matches_the_walk() -> None:
    from datetime import timedelta

    for first in (date(2026, 3, 25), date(2026, 12, 15), date(2027, 12, 15), date(2028, 4, 5)):
        for offset in range(30):
            day = first + timedelta(days=offset)
            for days in (1, 5, 15):
                assert add_working_days(day, days) == walk(day, days), (day, days)
                assert subtract_working_days(day, days) == walk(day, -days), (day, days)


def test_dates_far_apart_in_time_are_answered_whichever_is_asked_first() -> None:
    # The table grows on demand, backwards and forwards, without gaps.
    assert add_working_days(date(2099, 12, 24), 5) == walk(date(2099, 12, 24), 5)
    assert add_working_days(date(1901, 12, 24), 5) == walk(date(1901, 12, 24), 5)
    assert working_days_between(date(1900, 1, 1), date(2100, 12, 31)) == walk_between(
        date(1900, 1, 1), date(2100, 12, 31))
