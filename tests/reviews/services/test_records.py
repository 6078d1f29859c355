"""Records that close or publish: fixed dates, refused repeats, reasons for changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from reviews import services
from reviews.models import ClockKind, Review, Stage
from tests.conftest import Personas, at_stage
from tests.reviews.services.helpers import appoint, clock, open_review, today, visible_to


def test_the_publication_date_can_only_be_recorded_at_publication_when_ready(
        personas: Personas) -> None:
    review = open_review(personas)
    with pytest.raises(ValidationError) as refused:
        services.report_and_publication_record(by=personas.manager, review=review,
                                               published_on=today())
    assert "only at the Publication stage" in refused.value.message_dict["published_on"][0]
    at_stage(review, Stage.PUBLICATION)
    with pytest.raises(ValidationError, match="Before publishing"):
        services.report_and_publication_record(by=personas.manager, review=review,
                                               published_on=today())
    assert Review.objects.get(pk=review.pk).published_on is None
    assert review.pk not in visible_to(personas.board)


def test_ending_clearing_or_resuming_twice_is_refused_and_keeps_the_first_date(
        personas: Personas) -> None:
    review = open_review(personas, aware_date=today() - timedelta(days=3))
    appointment = appoint(personas, review, personas.reviewer)
    services.panel_appointment_end(by=personas.manager, appointment=appointment, reason="Left")
    with pytest.raises(ValidationError, match="already ended"):
        services.panel_appointment_end(by=personas.manager, appointment=appointment,
                                       reason="Again")
    process = services.parallel_process_open(by=personas.manager, review=review, kind="inquest",
                                             opened_on=review.aware_date,
                                             pause_clocks=[ClockKind.RAPID_REVIEW])
    services.parallel_process_clear(by=personas.manager, process=process,
                                    cleared_on=review.aware_date + timedelta(days=1),
                                    reason="Inquest opened and adjourned")
    with pytest.raises(ValidationError, match="already been cleared"):
        services.parallel_process_clear(by=personas.manager, process=process, cleared_on=today(),
                                        reason="Again")
    pause = review.clock_pauses.get()
    with pytest.raises(ValidationError, match="already resumed"):
        services.clock_resume(by=personas.manager, pause=pause, resumed_on=today(),
                              reason="Again")
    pause.refresh_from_db()
    assert pause.resumed_on == review.aware_date + timedelta(days=1)


def test_a_met_clock_cannot_be_paused_to_erase_a_missed_deadline(personas: Personas) -> None:
    review = open_review(personas, aware_date=today() - timedelta(days=40))
    services.notification_record(by=personas.manager, review=review,
                                 notification_sent_on=today() - timedelta(days=2))
    assert Review.objects.get(pk=review.pk).has_missed_clock
    with pytest.raises(ValidationError, match="already been met"):
        services.clock_pause(by=personas.manager, review=review, clock=ClockKind.NOTIFICATION,
                             paused_on=review.aware_date + timedelta(days=1), reason="Backdated")
    assert Review.objects.get(pk=review.pk).has_missed_clock


def test_a_running_clock_cannot_be_paused_from_after_it_fell_due(personas: Personas) -> None:
    review = open_review(personas, aware_date=today() - timedelta(days=40))
    with pytest.raises(ValidationError, match="already overdue"):
        services.clock_pause(by=personas.manager, review=review, clock=ClockKind.NOTIFICATION,
                             paused_on=today() - timedelta(days=1), reason="Too late")


def test_changing_the_referring_agency_involves_it_in_the_review(personas: Personas) -> None:
    review = open_review(personas, involved=[personas.police])
    assert review.pk not in visible_to(personas.health_lead)
    services.review_update_referral(by=personas.manager, review=review,
                                    reason="Referral came from the GP",
                                    referring_agency=personas.health)
    assert review.involvements.filter(agency=personas.health).exists()
    assert review.pk in visible_to(personas.health_lead)


def test_changing_a_recorded_date_needs_a_reason_but_recording_it_does_not(
        personas: Personas) -> None:
    review = open_review(personas, aware_date=today() - timedelta(days=3))
    services.notification_record(by=personas.manager, review=review,
                                 notification_sent_on=today() - timedelta(days=2))
    with pytest.raises(ValidationError) as refused:
        services.notification_record(by=personas.manager, review=review,
                                     notification_sent_on=today() - timedelta(days=1))
    assert "reason" in refused.value.message_dict
    services.notification_record(by=personas.manager, review=review,
                                 notification_sent_on=today() - timedelta(days=1),
                                 reason="Typed the wrong day " + "x" * 300)
    latest = Review.history.filter(id=review.pk).latest("history_date")
    assert latest.history_change_reason.startswith("Typed the wrong day")
    assert len(latest.history_change_reason) > 300  # long reasons fit on PostgreSQL too


def test_dates_outside_sensible_years_are_refused_on_the_form() -> None:
    from reviews.forms import NotificationForm

    form = NotificationForm({"notification_sent_on": "01/01/0001"})
    assert not form.is_valid()
    assert "between 1900 and 2100" in form.errors["notification_sent_on"][0]


def test_a_withdrawn_review_stops_its_clocks_rather_than_missing_them(personas: Personas) -> None:
    review = open_review(personas, aware_date=today() - timedelta(days=40))
    services.review_transition(by=personas.manager, review=review, to=Stage.WITHDRAWN,
                               expected_from=Stage.REFERRAL, reason="Referred in error")
    notification = clock(review, ClockKind.NOTIFICATION)
    assert notification.stopped and not notification.missed
    assert notification.rag_label == "Stopped"
    stored = Review.objects.get(pk=review.pk)
    assert (stored.next_clock, stored.next_due_on) == ("", None)
