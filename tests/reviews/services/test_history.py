"""Every service write leaves who and why in the history; double submissions change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from reviews import services
from reviews.models import ClockKind, InvolvedAgency, PanelAppointment, Review
from tests.conftest import Personas
from tests.reviews.services.helpers import open_review, save_terms, today


def test_history_rows_carry_who_made_a_service_write_and_why(personas: Personas) -> None:
    review = open_review(personas)
    created = Review.history.get(id=review.pk)
    assert created.history_type == "+"
    assert created.history_user == personas.manager
    assert created.history_change_reason == "Referral recorded"
    involved = InvolvedAgency.history.filter(review_id=review.pk)
    assert involved.count() == 3
    assert {(h.history_user_id, h.history_change_reason) for h in involved} == {
        (personas.manager.pk, "Agency involved in the case")}

    services.notification_record(by=personas.manager, review=review,
                                 notification_sent_on=review.aware_date,
                                 reason="Notified the Panel by the online form")
    rows = Review.history.filter(id=review.pk).order_by("history_date", "history_id")
    # The clock refresh after each write adds no history row of its own.
    assert rows.count() == 2
    changed = rows.last()
    assert changed is not None
    assert changed.history_type == "~"
    assert changed.notification_sent_on == review.aware_date
    assert changed.history_user == personas.manager
    assert changed.history_change_reason == "Notified the Panel by the online form"


def test_appointments_and_terms_record_who_and_why_in_their_history(personas: Personas) -> None:
    review = open_review(personas)
    appointment = services.panel_appoint(
        by=personas.manager, review=review, user=personas.reviewer,
        panel_role=PanelAppointment.PanelRole.REVIEWER, independence_declaration="Independent",
        reason="Appointed at the partnership meeting")
    terms = save_terms(personas, review, 0)
    services.panel_appointment_end(by=personas.manager, appointment=appointment,
                                   reason="Contract ended")
    appointment_history = list(appointment.history.order_by("history_date", "history_id")
                               .values_list("history_user", "history_change_reason"))
    assert appointment_history == [(personas.manager.pk, "Appointed at the partnership meeting"),
                                   (personas.manager.pk, "Contract ended")]
    terms_history = terms.history.order_by("history_date", "history_id")
    assert terms_history.first().history_type == "+"  # type: ignore[union-attr]
    assert {(h.history_user_id, h.history_change_reason) for h in terms_history} == {
        (personas.manager.pk, "Terms of reference saved")}


def test_a_pause_keeps_its_reason_and_cannot_start_before_the_review_did(
    personas: Personas,
) -> None:
    review = open_review(personas)
    with pytest.raises(ValidationError) as refused:
        services.clock_pause(by=personas.manager, review=review, clock=ClockKind.NOTIFICATION,
                             paused_on=review.aware_date - timedelta(days=1), reason="Inquest")
    assert "paused_on" in refused.value.message_dict
    pause = services.clock_pause(by=personas.manager, review=review,
                                 clock=ClockKind.NOTIFICATION, paused_on=review.aware_date,
                                 reason="Inquest opened")
    pause.refresh_from_db()
    assert pause.reason == "Inquest opened"


def test_double_submitted_evidence_requests_and_parallel_processes_change_nothing(
    personas: Personas,
) -> None:
    review = open_review(personas)
    due = today() + timedelta(days=10)
    services.evidence_request_create(by=personas.manager, review=review, agency=personas.police,
                                     due_on=due, description="IMR")
    with pytest.raises(ValidationError, match="already been sent"):
        services.evidence_request_create(by=personas.manager, review=review,
                                         agency=personas.police, due_on=due, description="IMR")
    assert review.evidence_requests.count() == 1
    services.parallel_process_open(by=personas.manager, review=review, kind="inquest",
                                   opened_on=review.aware_date)
    with pytest.raises(ValidationError, match="already recorded"):
        services.parallel_process_open(by=personas.manager, review=review, kind="inquest",
                                       opened_on=review.aware_date)
    assert review.parallel_processes.count() == 1
