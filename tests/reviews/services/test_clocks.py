"""Clocks are kept in step: due dates, pauses and resumes, missed clocks and their
explanations."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from reviews import services
from reviews.models import ClockKind, ClockPause, DelayExplanation, Review, Stage
from reviews.selectors.clocks import review_clocks
from scr.workdays import add_months, add_working_days, working_days_between
from tests.conftest import Personas, at_stage
from tests.reviews.services.helpers import clock, open_review, today


def test_the_notification_clock_is_due_on_the_5th_working_day_and_stored_on_the_review(
        personas: Personas) -> None:
    review = open_review(personas)
    due = add_working_days(review.aware_date, 5)
    assert clock(review, ClockKind.NOTIFICATION).due == due
    stored = Review.objects.get(pk=review.pk)
    assert (stored.next_clock, stored.next_due_on) == (ClockKind.NOTIFICATION, due)
    assert stored.has_missed_clock is False


def test_becoming_aware_just_before_christmas_2025_makes_notification_due_on_31_december(
        personas: Personas) -> None:
    review = open_review(personas, incident_date=date(2025, 12, 20),
                         aware_date=date(2025, 12, 22))
    assert clock(review, ClockKind.NOTIFICATION).due == date(2025, 12, 31)
    assert Review.objects.get(pk=review.pk).next_due_on == date(2025, 12, 31)


def test_the_next_clock_moves_on_as_notification_and_decision_are_recorded(
        personas: Personas) -> None:
    review = open_review(personas, aware_date=today() - timedelta(days=20))
    services.notification_record(by=personas.manager, review=review,
                                 notification_sent_on=review.aware_date)
    stored = Review.objects.get(pk=review.pk)
    assert stored.next_clock == ClockKind.RAPID_REVIEW
    assert stored.next_due_on == add_working_days(review.aware_date, 15)

    decided = review.aware_date + timedelta(days=7)
    at_stage(review, Stage.RAPID_REVIEW)
    services.decision_record(by=personas.manager, review=review, decision=Review.Decision.REVIEW,
                             decision_date=decided, decision_reasons="Criteria met")
    stored = Review.objects.get(pk=review.pk)
    assert stored.next_clock == ClockKind.FINAL_REPORT
    assert stored.next_due_on == add_months(decided, 6)
    assert stored.has_missed_clock is False


def test_a_decision_not_to_review_starts_no_final_report_clock(personas: Personas) -> None:
    review = open_review(personas, aware_date=today() - timedelta(days=20))
    services.notification_record(by=personas.manager, review=review,
                                 notification_sent_on=review.aware_date)
    at_stage(review, Stage.RAPID_REVIEW)
    services.decision_record(by=personas.manager, review=review,
                             decision=Review.Decision.NO_REVIEW,
                             decision_date=review.aware_date + timedelta(days=7),
                             decision_reasons="Learning captured by a single-agency review")
    assert ClockKind.FINAL_REPORT not in {c.kind for c in review_clocks(review)}
    stored = Review.objects.get(pk=review.pk)
    assert (stored.next_clock, stored.next_due_on) == ("", None)


def test_pausing_and_resuming_a_clock_extends_its_due_date_by_the_paused_working_days(
        personas: Personas) -> None:
    # Aware Mon 1 Dec 2025: notification due Mon 8 Dec; paused Wed 3 Dec to Wed 10 Dec
    # (5 working days: 4, 5, 8, 9, 10 Dec), so due Mon 15 Dec 2025.
    review = open_review(personas, incident_date=date(2025, 11, 28), aware_date=date(2025, 12, 1))
    assert clock(review, ClockKind.NOTIFICATION).due == date(2025, 12, 8)

    pause = services.clock_pause(by=personas.manager, review=review,
                                 clock=ClockKind.NOTIFICATION, paused_on=date(2025, 12, 3),
                                 reason="Police asked for the notification to wait")
    paused = clock(review, ClockKind.NOTIFICATION)
    assert paused.paused and not paused.missed and paused.days_left is None
    stored = Review.objects.get(pk=review.pk)
    assert stored.next_clock == ClockKind.RAPID_REVIEW  # a paused clock is not the next one
    assert stored.next_due_on == date(2025, 12, 22)

    services.clock_resume(by=personas.manager, pause=pause, resumed_on=date(2025, 12, 10),
                          reason="Police agreed")
    resumed = clock(review, ClockKind.NOTIFICATION)
    assert working_days_between(date(2025, 12, 3), date(2025, 12, 10)) == 5
    assert resumed.paused_days == 5
    assert resumed.due == date(2025, 12, 15)
    assert not resumed.paused
    stored = Review.objects.get(pk=review.pk)
    assert (stored.next_clock, stored.next_due_on) == (ClockKind.NOTIFICATION, date(2025, 12, 15))


def test_pausing_the_final_report_clock_extends_it_by_calendar_days(personas: Personas) -> None:
    review = open_review(personas, incident_date=date(2025, 11, 28), aware_date=date(2025, 12, 1))
    services.notification_record(by=personas.manager, review=review,
                                 notification_sent_on=date(2025, 12, 2))
    at_stage(review, Stage.RAPID_REVIEW)
    services.decision_record(by=personas.manager, review=review, decision=Review.Decision.REVIEW,
                             decision_date=date(2026, 1, 15), decision_reasons="Criteria met")
    assert clock(review, ClockKind.FINAL_REPORT).due == date(2026, 7, 15)
    pause = services.clock_pause(by=personas.manager, review=review,
                                 clock=ClockKind.FINAL_REPORT, paused_on=date(2026, 3, 1),
                                 reason="Inquest")
    services.clock_resume(by=personas.manager, pause=pause, resumed_on=date(2026, 3, 11),
                          reason="Inquest concluded")
    assert clock(review, ClockKind.FINAL_REPORT).due == date(2026, 7, 25)


def test_clearing_a_parallel_process_resumes_the_clocks_it_paused(personas: Personas) -> None:
    review = open_review(personas, incident_date=date(2025, 11, 28), aware_date=date(2025, 12, 1))
    process = services.parallel_process_open(
        by=personas.manager, review=review, kind="criminal", opened_on=date(2025, 12, 3),
        pause_clocks=[ClockKind.NOTIFICATION], description="Police investigation")
    assert clock(review, ClockKind.NOTIFICATION).paused
    services.parallel_process_clear(by=personas.manager, process=process,
                                    cleared_on=date(2025, 12, 10), reason="Charging decision")
    pause = ClockPause.objects.get(review=review)
    assert pause.parallel_process == process
    assert pause.resumed_on == date(2025, 12, 10)
    assert clock(review, ClockKind.NOTIFICATION).due == date(2025, 12, 15)
    assert Review.objects.get(pk=review.pk).next_due_on == date(2025, 12, 15)


@pytest.mark.parametrize(("change", "field"), [
    ({"paused_on": "tomorrow"}, "paused_on"),
    ({"reason": "  "}, "reason"),
])
def test_a_pause_with_a_future_date_or_no_reason_is_refused(personas: Personas,
                                                            change: dict[str, str],
                                                            field: str) -> None:
    review = open_review(personas)
    kwargs: dict[str, Any] = {"paused_on": today(), "reason": "Inquest"}
    kwargs.update(change)
    if kwargs["paused_on"] == "tomorrow":
        kwargs["paused_on"] = today() + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.clock_pause(by=personas.manager, review=review, clock=ClockKind.NOTIFICATION,
                             **kwargs)
    assert set(refused.value.message_dict) == {field}
    assert not ClockPause.objects.exists()


def test_pausing_a_clock_that_is_already_paused_is_refused(personas: Personas) -> None:
    review = open_review(personas)
    services.clock_pause(by=personas.manager, review=review, clock=ClockKind.NOTIFICATION,
                         paused_on=today(), reason="Inquest")
    with pytest.raises(ValidationError) as refused:
        services.clock_pause(by=personas.manager, review=review, clock=ClockKind.NOTIFICATION,
                             paused_on=today(), reason="Inquest, again")
    assert set(refused.value.message_dict) == {"clock"}
    assert ClockPause.objects.count() == 1


@pytest.mark.parametrize(("offset", "field"), [(-1, "resumed_on"), (+1, "resumed_on")])
def test_resuming_before_the_pause_or_in_the_future_is_refused(personas: Personas, offset: int,
                                                               field: str) -> None:
    review = open_review(personas)
    paused_on = today() if offset > 0 else today() - timedelta(days=1)
    pause = services.clock_pause(by=personas.manager, review=review,
                                 clock=ClockKind.NOTIFICATION, paused_on=paused_on,
                                 reason="Inquest")
    with pytest.raises(ValidationError) as refused:
        services.clock_resume(by=personas.manager, pause=pause,
                              resumed_on=paused_on + timedelta(days=offset), reason="Resumed")
    assert set(refused.value.message_dict) == {field}
    assert ClockPause.objects.get(pk=pause.pk).resumed_on is None


def test_a_late_notification_is_a_missed_clock_that_needs_an_explanation_until_recorded(
        personas: Personas) -> None:
    # Aware Mon 1 Dec 2025, due Mon 8 Dec; sent Wed 10 Dec.
    review = open_review(personas, incident_date=date(2025, 11, 28), aware_date=date(2025, 12, 1))
    services.notification_record(by=personas.manager, review=review,
                                 notification_sent_on=date(2025, 12, 10))
    assert Review.objects.get(pk=review.pk).has_missed_clock is True
    late = clock(review, ClockKind.NOTIFICATION)
    assert late.missed and late.needs_explanation
    assert late.rag == "red"

    services.delay_explain(by=personas.manager, review=review, clock=ClockKind.NOTIFICATION,
                           explanation="The referral reached the wrong team first")
    explained = clock(review, ClockKind.NOTIFICATION)
    assert explained.missed and not explained.needs_explanation
    assert explained.explanation == "The referral reached the wrong team first"
    # The review still records that a clock was met late.
    assert Review.objects.get(pk=review.pk).has_missed_clock is True


def test_a_notification_sent_on_its_due_date_is_not_late(personas: Personas) -> None:
    review = open_review(personas, incident_date=date(2025, 11, 28), aware_date=date(2025, 12, 1))
    services.notification_record(by=personas.manager, review=review,
                                 notification_sent_on=date(2025, 12, 8))
    on_time = clock(review, ClockKind.NOTIFICATION)
    assert not on_time.missed and not on_time.needs_explanation
    assert on_time.rag == "met"
    assert Review.objects.get(pk=review.pk).has_missed_clock is False


def test_explaining_a_delay_twice_keeps_one_explanation_and_a_blank_one_is_refused(
        personas: Personas) -> None:
    review = open_review(personas)
    with pytest.raises(ValidationError) as refused:
        services.delay_explain(by=personas.manager, review=review, clock=ClockKind.NOTIFICATION,
                               explanation=" ")
    assert set(refused.value.message_dict) == {"explanation"}
    assert not DelayExplanation.objects.exists()

    services.delay_explain(by=personas.manager, review=review, clock=ClockKind.NOTIFICATION,
                           explanation="First")
    services.delay_explain(by=personas.manager, review=review, clock=ClockKind.NOTIFICATION,
                           explanation="Corrected", reason="The first account was wrong")
    assert list(DelayExplanation.objects.values_list("explanation", flat=True)) == ["Corrected"]


def test_an_overdue_clock_counts_as_missed_even_before_it_is_met(personas: Personas) -> None:
    review = open_review(personas, incident_date=date(2025, 11, 28), aware_date=date(2025, 12, 1))
    overdue = clock(review, ClockKind.NOTIFICATION)
    assert overdue.missed and overdue.needs_explanation
    assert overdue.days_left is not None and overdue.days_left < 0
    # has_missed_clock is about clocks met late; the dashboard adds overdue ones in SQL.
    assert Review.objects.get(pk=review.pk).has_missed_clock is False
