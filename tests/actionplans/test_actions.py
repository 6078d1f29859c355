"""Actions: created from recommendations, updated by their agency, verified by the business
manager; every bad input refused with a clear message and nothing changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from actionplans import services
from actionplans.models import Action, ActionPlan, ActionStatus, ProgressUpdate
from reviews.models import Stage, StageChange
from tests.actionplans.helpers import an_action, monitoring_review, today
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def evidence_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("audit.txt", b"Audit of 40 strategy meetings: police at 39.\n")


def snapshot(action: Action) -> tuple:
    action.refresh_from_db()
    return (action.status, action.target_date, action.completed_on, action.outcome,
            action.history.count(), ProgressUpdate.objects.filter(action=action).count())


def test_a_recommendation_becomes_an_action_of_the_reviews_plan(personas: Personas) -> None:
    review = monitoring_review(personas)
    action = an_action(personas, review.recommendations.get())
    assert action.plan == ActionPlan.objects.get(review=review)
    assert (action.number, action.status, action.original_target_date) == (
        1, ActionStatus.NOT_STARTED, action.target_date)
    assert action.history.get().history_user == personas.manager


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"target_date": "past"}, "target_date", "The target date cannot be in the past"),
    ({"owner": "health_lead"}, "owner", "must be a member of the lead agency"),
    ({"action_text": " "}, "action_text", "Enter the action to be taken"),
])
def test_bad_input_on_creation_is_refused_and_nothing_is_created(
        personas: Personas, fields: dict, field: str, message: str) -> None:
    review = monitoring_review(personas)
    values = dict(fields)
    if values.get("target_date") == "past":
        values["target_date"] = today() - timedelta(days=1)
    if values.get("owner") == "health_lead":
        values["owner"] = personas.health_lead
    with pytest.raises(ValidationError) as error:
        an_action(personas, review.recommendations.get(), **values)
    assert message in " ".join(error.value.message_dict[field])
    assert not Action.objects.exists()
    assert not ActionPlan.objects.exists()


def test_the_agency_updates_progress_and_completes_with_a_date_and_outcome(
        personas: Personas) -> None:
    action = an_action(personas, monitoring_review(personas).recommendations.get())
    services.action_update_progress(by=personas.police_lead, action=action,
                                    note="Audit started.", status=ActionStatus.IN_PROGRESS)
    services.action_update_progress(by=personas.police_lead, action=action, note="Done.",
                                    status=ActionStatus.COMPLETED, completed_on=today(),
                                    outcome="Police at 39 of 40 meetings.")
    assert action.status == ActionStatus.COMPLETED
    assert list(action.progress.values_list("status_to", flat=True)) == [
        ActionStatus.COMPLETED, ActionStatus.IN_PROGRESS]


def test_a_completion_date_before_the_start_is_refused_and_nothing_changes(
        personas: Personas) -> None:
    action = an_action(personas, monitoring_review(personas).recommendations.get())
    before = snapshot(action)
    with pytest.raises(ValidationError) as error:
        services.action_update_progress(
            by=personas.police_lead, action=action, note="Done.", status=ActionStatus.COMPLETED,
            completed_on=action.start_date - timedelta(days=3), outcome="Better.")
    assert "cannot be before the action started" in error.value.message_dict["completed_on"][0]
    assert snapshot(action) == before


def test_a_status_move_not_allowed_from_the_current_one_is_refused(personas: Personas) -> None:
    action = an_action(personas, monitoring_review(personas).recommendations.get())
    before = snapshot(action)
    with pytest.raises(ValidationError) as error:
        services.action_update_progress(by=personas.police_lead, action=action,
                                        note="All good", status=ActionStatus.VERIFIED)
    assert "cannot be moved to verified" in error.value.message_dict["status"][0]
    assert snapshot(action) == before


def test_another_agencys_lead_cannot_update_the_action(personas: Personas) -> None:
    action = an_action(personas, monitoring_review(personas).recommendations.get())
    before = snapshot(action)
    with pytest.raises(ValidationError, match="You cannot change this action"):
        services.action_update_progress(by=personas.health_lead, action=action, note="x",
                                        status=ActionStatus.IN_PROGRESS)
    assert snapshot(action) == before


def test_changing_the_target_date_needs_a_reason_and_keeps_the_original(
        personas: Personas) -> None:
    action = an_action(personas, monitoring_review(personas).recommendations.get())
    original = action.target_date
    with pytest.raises(ValidationError):
        services.action_change_target_date(by=personas.police_lead, action=action,
                                           target_date=original + timedelta(days=30), reason=" ")
    services.action_change_target_date(by=personas.police_lead, action=action,
                                       target_date=original + timedelta(days=30),
                                       reason="Training provider postponed")
    assert (action.original_target_date, action.target_date) == (
        original, original + timedelta(days=30))
    assert action.date_changes.get().reason == "Training provider postponed"


def complete(p: Personas, action: Action) -> Action:
    return services.action_update_progress(
        by=p.police_lead, action=action, note="Done.", status=ActionStatus.COMPLETED,
        completed_on=today(), outcome="Police at 39 of 40 meetings.")


def test_verifying_an_action_without_evidence_of_impact_is_refused(personas: Personas) -> None:
    action = complete(personas, an_action(personas, monitoring_review(
        personas).recommendations.get()))
    before = snapshot(action)
    with pytest.raises(ValidationError, match="no evidence of impact"):
        services.action_verify(by=personas.manager, action=action)
    assert snapshot(action) == before


def test_the_manager_returns_then_verifies_with_evidence(personas: Personas) -> None:
    action = complete(personas, an_action(personas, monitoring_review(
        personas).recommendations.get()))
    services.action_return(by=personas.manager, action=action,
                           missing="The audit's figures, not just the summary")
    assert (action.status, action.returned_note) == (
        ActionStatus.IN_PROGRESS, "The audit's figures, not just the summary")
    services.impact_evidence_add(by=personas.police_lead, action=action, title="Audit",
                                 upload=evidence_file())
    complete(personas, action)
    services.action_verify(by=personas.manager, action=action)
    assert (action.status, action.verified_by) == (ActionStatus.VERIFIED, personas.manager)


def test_an_agency_lead_cannot_verify(personas: Personas) -> None:
    action = complete(personas, an_action(personas, monitoring_review(
        personas).recommendations.get()))
    with pytest.raises(ValidationError, match="Only a business manager"):
        services.action_verify(by=personas.police_lead, action=action)


def test_closing_a_plan_with_unverified_actions_is_refused_and_the_review_stays_open(
        personas: Personas) -> None:
    review = monitoring_review(personas, recommendations=2)
    first, second = review.recommendations.order_by("number")
    action = complete(personas, an_action(personas, first))
    with pytest.raises(ValidationError) as error:
        services.plan_sign_off_closure(by=personas.board, plan=action.plan, note="Done")
    text = error.value.messages[0]
    assert "an action for recommendation 2" in text
    assert "action 1.1 verified or formally closed (it is completed)" in text
    review.refresh_from_db()
    assert review.stage == Stage.MONITORING
    assert ActionPlan.objects.get().closure_signed_off_at is None
    assert second.actions.count() == 0


def test_the_board_signs_off_closure_and_the_review_closes_through_its_guard(
        personas: Personas) -> None:
    review = monitoring_review(personas, recommendations=2)
    first, second = review.recommendations.order_by("number")
    action = complete(personas, an_action(personas, first))
    services.impact_evidence_add(by=personas.police_lead, action=action, title="Audit",
                                 upload=evidence_file())
    services.action_verify(by=personas.manager, action=action)
    other = an_action(personas, second)
    services.action_close(by=personas.manager, action=other,
                          reason="Superseded by the national multi-agency standard")
    with pytest.raises(ValidationError, match="Only a board member"):
        services.plan_sign_off_closure(by=personas.manager, plan=action.plan, note="Done")
    services.plan_sign_off_closure(by=personas.board, plan=action.plan,
                                   note="Board satisfied the learning is embedded.")
    review.refresh_from_db()
    assert review.stage == Stage.CLOSED
    change = StageChange.objects.filter(review=review).latest("at")
    assert (change.from_stage, change.to_stage, change.by) == (
        Stage.MONITORING, Stage.CLOSED, personas.board)


def test_the_review_cannot_be_closed_before_the_board_signs_off_the_plan(
        personas: Personas) -> None:
    from reviews import services as review_services
    from reviews.services import TransitionRefused

    review = monitoring_review(personas)
    with pytest.raises(TransitionRefused, match="sign-off of the action plan's closure"):
        review_services.review_transition(by=personas.manager, review=review, to=Stage.CLOSED,
                                          expected_from=Stage.MONITORING, reason="All done")


def test_monitoring_reviews_schedule_the_next_one(personas: Personas) -> None:
    action = an_action(personas, monitoring_review(personas).recommendations.get())
    services.monitoring_review_record(by=personas.manager, plan=action.plan,
                                      held_on=today(), overall_rag="amber",
                                      commentary="Two actions slipping.")
    action.plan.refresh_from_db()
    from scr.workdays import add_months

    assert action.plan.next_monitoring_on == add_months(today(), 3)
