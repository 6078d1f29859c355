"""Stage moves (reviews/workflow.py through services.review_transition): each allowed move goes
ahead when what it needs is recorded, and every refusal changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.utils import timezone

from reviews import services, workflow
from reviews.models import ENDED_STAGES, PanelAppointment, Review, Stage, StageChange, TermsOfReference
from reviews.services import TransitionRefused
from reviews.workflow import TRANSITIONS
from scr.history import save_with_history
from scr.workdays import add_working_days
from tests.actionplans.helpers import sign_off_arranged
from tests.conftest import Personas, at_stage
from tests.factories import MembershipFactory, UserFactory
from tests.publishing import arrange_clean_render, arrange_publication
from tests.shared_db import layered

# ---------------------------------------------------------------- arranging a review


@dataclass(frozen=True)
class Dates:
    """A referral in the past, with every later record on a plausible, not-future date."""

    today: date

    @property
    def incident(self) -> date:
        return self.today - timedelta(days=300)

    @property
    def aware(self) -> date:
        return self.today - timedelta(days=290)

    @property
    def notified(self) -> date:
        return self.aware + timedelta(days=2)

    @property
    def rapid_review_meeting(self) -> date:
        return self.aware + timedelta(days=10)

    @property
    def decided(self) -> date:
        return self.aware + timedelta(days=20)

    @property
    def final_report(self) -> date:
        return self.today - timedelta(days=60)

    @property
    def sent_to_panel(self) -> date:
        return self.today - timedelta(days=40)

    @property
    def published(self) -> date:
        return self.today - timedelta(days=5)


@pytest.fixture
def dates() -> Dates:
    return Dates(timezone.localdate())


def _review(personas: Personas) -> Review:
    dates = Dates(timezone.localdate())  # what the `dates` fixture gives
    return services.review_create(
        by=personas.manager, incident_date=dates.incident, aware_date=dates.aware,
        what_happened="Serious injury to an infant", harm=Review.Harm.SERIOUS_HARM,
        abuse_or_neglect=Review.AbuseNeglect.SUSPECTED, criteria_met=True,
        referring_agency=personas.social_care, agencies_involved=[personas.police, personas.health])


# `review`: made once for the module's tests (tests/shared_db.py), each test in its own transaction
module_layer, review = layered(_review)


def record_notification(p: Personas, review: Review, d: Dates) -> None:
    services.notification_record(by=p.manager, review=review, notification_sent_on=d.notified)


def record_rapid_review(p: Personas, review: Review, d: Dates) -> None:
    services.rapid_review_record(by=p.manager, review=review,
                                 rapid_review_meeting_on=d.rapid_review_meeting)


def record_decision_to_review(p: Personas, review: Review, d: Dates) -> None:
    stage = review.stage
    if review.stage not in services.DECISION_STAGES:
        at_stage(review, Stage.DECISION)  # the decision is taken at the rapid review
    services.decision_record(by=p.manager, review=review, decision=Review.Decision.REVIEW,
                             decision_date=d.decided, decision_reasons="Criteria met; learning")
    at_stage(review, stage)


def record_subject_child(p: Personas, review: Review, d: Dates) -> None:
    if not review.subjects.filter(kind="child").exists():
        services.subject_add(by=p.manager, review=review, kind="child", pseudonym="Child A",
                             full_name="Kayden Smith")


def record_decision_and_child(p: Personas, review: Review, d: Dates) -> None:
    record_decision_to_review(p, review, d)
    record_subject_child(p, review, d)


def record_decision_not_to_review(p: Personas, review: Review, d: Dates) -> None:
    if review.stage not in services.DECISION_STAGES:
        at_stage(review, Stage.DECISION)
    services.decision_record(by=p.manager, review=review, decision=Review.Decision.NO_REVIEW,
                             decision_date=d.decided,
                             decision_reasons="Learning already captured elsewhere")


def record_terms(p: Personas, review: Review, d: Dates) -> None:
    latest = review.terms.order_by("-version").values_list("version", flat=True).first() or 0
    services.terms_create(by=p.manager, review=review, expected_version=latest,
                          scope_start=d.incident - timedelta(days=365), scope_end=d.incident,
                          key_lines_of_enquiry="How agencies shared information",
                          method=TermsOfReference.Method.SYSTEMS,
                          agencies_in_scope=[p.police, p.health, p.social_care])


def appoint_reviewer(p: Personas, review: Review, d: Dates) -> PanelAppointment:
    return services.panel_appoint(by=p.manager, review=review, user=p.reviewer,
                                  panel_role=PanelAppointment.PanelRole.REVIEWER,
                                  independence_declaration="No link to the case or agencies")


def record_commissioning(p: Personas, review: Review, d: Dates) -> None:
    record_terms(p, review, d)
    appoint_reviewer(p, review, d)


def record_final_report(p: Personas, review: Review, d: Dates) -> None:
    """The typed date the final report was received (still recorded for its clock)."""
    if not review.decision_date:
        record_decision_to_review(p, review, d)
    services.report_and_publication_record(by=p.manager, review=review,
                                           final_report_received_on=d.final_report)


def record_final_version(p: Personas, review: Review, d: Dates) -> None:
    """Report → Sign-off reads a record now, not the typed date: a current version of the
    report submitted for sign-off by the appointed reviewer (issue 11)."""
    from reviews.selectors.report import live_submission

    if not review.final_report_received_on:
        record_final_report(p, review, d)
    if live_submission(review) is not None:
        return
    if not review.panel.filter(panel_role="reviewer", ended_on__isnull=True).exists():
        appoint_reviewer(p, review, d)
    if not review.report_sections.exists():
        services.report_start(by=p.reviewer, review=review)
    snapshot = services.snapshot_create(by=p.reviewer, review=review, name="Final")
    services.sign_off_submit(by=p.reviewer, snapshot=snapshot)


def record_publication_dates(p: Personas, review: Review, d: Dates) -> None:
    if not review.final_report_received_on:
        record_final_report(p, review, d)
    services.report_and_publication_record(
        by=p.manager, review=review, national_panel_sent_report_on=d.sent_to_panel,
        planned_publication_on=add_working_days(d.sent_to_panel, 7))


def record_publication_plan(p: Personas, review: Review, d: Dates) -> None:
    """Sign-off → Publication: every approval of the submitted version and the board's
    response (records that replaced nothing typed before), then the publication dates."""
    from tests.reporting import partner_reps, sign_off_records

    record_final_version(p, review, d)
    sign_off_records(p, review, partner_reps(p, review))
    record_publication_dates(p, review, d)
    arrange_clean_render(review, p.manager)  # the leak-checked PDF of the approved version


def record_published(p: Personas, review: Review, d: Dates) -> None:
    """Publication → Monitoring: the dates, then the clean PDF published (its record)."""
    from reviews.selectors.publication import approved_snapshot, publishable_render
    from tests.reporting import partner_reps, sign_off_records

    if approved_snapshot(review) is None:  # the move alone: arrange the approved version
        stage = review.stage
        at_stage(review, Stage.REPORT)
        record_final_version(p, review, d)
        at_stage(review, Stage.SIGN_OFF)
        sign_off_records(p, review, partner_reps(p, review))
        at_stage(review, stage)
    if publishable_render(review) is None:
        arrange_clean_render(review, p.manager)
    record_publication_dates(p, review, d)
    review.refresh_from_db()
    services.panel_notice_record(by=p.manager, review=review,
                                 sent_on=review.national_panel_sent_report_on)
    services.report_and_publication_record(by=p.manager, review=review, published_on=d.published)
    services.publication_publish(by=p.manager, review=review)


def record_plan_closure(p: Personas, review: Review, d: Dates) -> None:
    """The board's sign-off of the action plan's closure (an actionplans record, arranged
    here; its own tests walk the real sign-off: tests/actionplans/test_actions.py)."""
    sign_off_arranged(review, p.board)


Recorder = Callable[[Personas, Review, Dates], object]


def ended_from(stage: str) -> Recorder:
    """Arrange a review that ended (closed, no review, withdrawn) while at ``stage``."""
    def record(p: Personas, review: Review, d: Dates) -> None:
        save_with_history(StageChange(review=review, from_stage=stage, to_stage=review.stage,
                                      by=p.manager, reason="Ended"), by=p.manager, reason="Ended")
    return record

# What each guarded move needs, recorded through the services.
NEEDS: dict[tuple[str, str], Recorder] = {
    (Stage.NOTIFICATION, Stage.RAPID_REVIEW): record_notification,
    (Stage.RAPID_REVIEW, Stage.DECISION): record_rapid_review,
    (Stage.DECISION, Stage.COMMISSIONING): record_decision_and_child,
    (Stage.DECISION, Stage.NO_REVIEW): record_decision_not_to_review,
    (Stage.COMMISSIONING, Stage.EVIDENCE): record_commissioning,
    (Stage.REPORT, Stage.SIGN_OFF): record_final_version,
    (Stage.SIGN_OFF, Stage.PUBLICATION): record_publication_plan,
    (Stage.PUBLICATION, Stage.MONITORING): record_published,
    (Stage.MONITORING, Stage.CLOSED): record_plan_closure,
    **{(frm, to): ended_from(to) for (frm, to), t in TRANSITIONS.items() if t.reopen},
}

GUARDED = sorted(k for k, t in TRANSITIONS.items() if t.guard is not workflow.needs_nothing)
NEEDS_REASON = sorted(k for k, t in TRANSITIONS.items() if t.needs_reason)


def move_id(move: tuple[str, str]) -> str:
    return f"{move[0]}->{move[1]}"


def stage_changes(review: Review) -> int:
    return StageChange.objects.filter(review=review).count()


def history_rows(review: Review) -> int:
    return Review.history.filter(id=review.pk).count()


def assert_refused(p_by: object, review: Review, *, to: str, expected_from: str, reason: str = "",
                   match: str) -> TransitionRefused:
    """The move is refused with ``match`` in the message, and nothing about the review changed."""
    before = Review.objects.get(pk=review.pk)
    changes, rows = stage_changes(review), history_rows(review)
    with pytest.raises(TransitionRefused) as refused:
        services.review_transition(by=p_by, review=review, to=to,  # type: ignore[arg-type]
                                   expected_from=expected_from, reason=reason)
    assert any(match in m for m in refused.value.messages), refused.value.messages
    after = Review.objects.get(pk=review.pk)
    assert after.stage == before.stage
    assert after.stage_entered_at == before.stage_entered_at
    assert stage_changes(review) == changes
    assert history_rows(review) == rows
    return refused.value


# ---------------------------------------------------------------- every move, allowed and refused


def test_every_guarded_move_is_known_to_these_tests() -> None:
    assert set(GUARDED) == set(NEEDS)


@pytest.mark.parametrize("move", sorted(TRANSITIONS), ids=move_id)
def test_each_move_goes_ahead_when_what_it_needs_is_recorded(personas: Personas, review: Review,
                                                             dates: Dates,
                                                             move: tuple[str, str]) -> None:
    frm, to = move
    at_stage(review, frm)
    if move in NEEDS:
        NEEDS[move](personas, review, dates)
    review.refresh_from_db()
    assert TRANSITIONS[move].guard(review) == []
    entered = review.stage_entered_at

    moved = services.review_transition(by=personas.manager, review=review, to=to,
                                       expected_from=frm, reason="Agreed at the panel meeting")

    assert moved.stage == to
    assert Review.objects.get(pk=review.pk).stage == to
    assert moved.stage_entered_at >= entered
    change = StageChange.objects.filter(review=review).last()
    assert (change.from_stage, change.to_stage, change.by) == (frm, to, personas.manager)
    latest = Review.history.filter(id=review.pk).latest("history_date")
    assert latest.stage == to
    assert latest.history_user == personas.manager
    assert latest.history_change_reason == "Agreed at the panel meeting"


@pytest.mark.parametrize("move", GUARDED, ids=move_id)
def test_a_move_is_refused_and_nothing_changes_while_what_it_needs_is_missing(
        personas: Personas, review: Review, move: tuple[str, str]) -> None:
    frm, to = move
    at_stage(review, frm)
    assert TRANSITIONS[move].guard(review) != []
    error = assert_refused(personas.manager, review, to=to, expected_from=frm,
                           reason="Trying anyway", match=f"Before moving to {Stage(to).label}")
    for missing in TRANSITIONS[move].guard(review):
        assert missing in error.messages[0]


@pytest.mark.parametrize("move", NEEDS_REASON, ids=move_id)
@pytest.mark.parametrize("blank", ["", "   \n"])
def test_withdrawing_or_closing_a_review_is_refused_without_a_reason(
        personas: Personas, review: Review, move: tuple[str, str], blank: str) -> None:
    frm, to = move
    at_stage(review, frm)
    assert_refused(personas.manager, review, to=to, expected_from=frm, reason=blank,
                   match="Enter the reason")


def test_every_open_stage_can_be_withdrawn_and_no_ended_stage_can() -> None:
    for stage in Stage.values:
        assert ((stage, Stage.WITHDRAWN) in TRANSITIONS) == (stage not in ENDED_STAGES)
        if (stage, Stage.WITHDRAWN) in TRANSITIONS:
            assert TRANSITIONS[(stage, Stage.WITHDRAWN)].needs_reason


# ---------------------------------------------------------------- moves that are never allowed


@pytest.mark.parametrize("move", [
    (Stage.REFERRAL, Stage.PUBLICATION),
    (Stage.REFERRAL, Stage.DECISION),
    (Stage.REFERRAL, Stage.CLOSED),
    (Stage.NOTIFICATION, Stage.REFERRAL),
    (Stage.DECISION, Stage.EVIDENCE),
    (Stage.REPORT, Stage.PUBLICATION),
    (Stage.SIGN_OFF, Stage.CLOSED),
    (Stage.CLOSED, Stage.REFERRAL),
    (Stage.CLOSED, Stage.WITHDRAWN),
    (Stage.WITHDRAWN, Stage.CLOSED),
    (Stage.WITHDRAWN, Stage.WITHDRAWN),
    (Stage.NO_REVIEW, Stage.COMMISSIONING),
], ids=move_id)
def test_a_move_that_is_not_in_the_lifecycle_is_refused(personas: Personas, review: Review,
                                                        move: tuple[str, str]) -> None:
    frm, to = move
    assert move not in TRANSITIONS
    at_stage(review, frm)
    assert_refused(personas.manager, review, to=to, expected_from=frm, reason="Skipping ahead",
                   match=f"cannot move from {Stage(frm).label} to {Stage(to).label}")


def test_referral_cannot_jump_to_publication_even_with_everything_recorded(
        personas: Personas, review: Review, dates: Dates) -> None:
    for (frm, to), record in NEEDS.items():
        if to == Stage.NO_REVIEW:
            continue  # a decision not to review would contradict the decision to review
        at_stage(review, frm)
        record(personas, review, dates)
    at_stage(review, Stage.REFERRAL)
    assert_refused(personas.manager, review, to=Stage.PUBLICATION, expected_from=Stage.REFERRAL,
                   match="cannot move from Referral to Publication")


# ---------------------------------------------------------------- who may move a review


@pytest.mark.parametrize("who", ["police_lead", "health_lead", "board", "panel", "reviewer"])
def test_only_the_business_manager_may_start_notification(personas: Personas, review: Review,
                                                          who: str) -> None:
    assert_refused(getattr(personas, who), review, to=Stage.NOTIFICATION,
                   expected_from=Stage.REFERRAL, match="Your role cannot make this move")


@pytest.mark.parametrize("who", ["police_lead", "health_lead", "board", "panel", "reviewer"])
def test_only_the_business_manager_may_withdraw_a_review(personas: Personas, review: Review,
                                                         who: str) -> None:
    assert_refused(getattr(personas, who), review, to=Stage.WITHDRAWN,
                   expected_from=Stage.REFERRAL, reason="Duplicate referral",
                   match="Your role cannot make this move")


@pytest.mark.parametrize("who", ["police_lead", "board", "panel"])
def test_agency_leads_board_and_panel_members_cannot_start_analysis(
        personas: Personas, review: Review, dates: Dates, who: str) -> None:
    appoint_reviewer(personas, review, dates)
    at_stage(review, Stage.EVIDENCE)
    assert_refused(getattr(personas, who), review, to=Stage.ANALYSIS,
                   expected_from=Stage.EVIDENCE, match="Your role cannot make this move")


def test_the_appointed_reviewer_may_start_analysis_and_the_report(
        personas: Personas, review: Review, dates: Dates) -> None:
    appoint_reviewer(personas, review, dates)
    at_stage(review, Stage.EVIDENCE)
    services.review_transition(by=personas.reviewer, review=review, to=Stage.ANALYSIS,
                               expected_from=Stage.EVIDENCE)
    services.review_transition(by=personas.reviewer, review=review, to=Stage.REPORT,
                               expected_from=Stage.ANALYSIS)
    assert review.stage == Stage.REPORT
    assert list(StageChange.objects.filter(review=review).values_list("by", flat=True)) == [
        personas.reviewer.pk, personas.reviewer.pk]


def test_the_reviewer_cannot_send_the_report_for_sign_off(personas: Personas, review: Review,
                                                          dates: Dates) -> None:
    appoint_reviewer(personas, review, dates)
    at_stage(review, Stage.REPORT)
    record_final_version(personas, review, dates)
    assert_refused(personas.reviewer, review, to=Stage.SIGN_OFF, expected_from=Stage.REPORT,
                   match="Your role cannot make this move")


def test_a_business_manager_whose_membership_has_ended_cannot_move_a_review(
        personas: Personas, review: Review) -> None:
    personas.manager.memberships.update(active_to=timezone.localdate() - timedelta(days=1))
    manager = type(personas.manager).objects.get(pk=personas.manager.pk)
    assert_refused(manager, review, to=Stage.NOTIFICATION, expected_from=Stage.REFERRAL,
                   match="Your role cannot make this move")


# ---------------------------------------------------------------- double submission


def test_a_double_submitted_move_is_refused_as_already_moved(personas: Personas,
                                                             review: Review) -> None:
    first_tab = Review.objects.get(pk=review.pk)
    second_tab = Review.objects.get(pk=review.pk)
    services.review_transition(by=personas.manager, review=first_tab, to=Stage.NOTIFICATION,
                               expected_from=Stage.REFERRAL)

    assert_refused(personas.manager, second_tab, to=Stage.NOTIFICATION,
                   expected_from=second_tab.stage, match="already moved to Notification")
    assert stage_changes(review) == 1


def test_a_stale_form_cannot_make_a_move_that_is_legal_from_the_new_stage(
        personas: Personas, review: Review, dates: Dates) -> None:
    services.review_transition(by=personas.manager, review=review, to=Stage.NOTIFICATION,
                               expected_from=Stage.REFERRAL)
    # A form shown at Referral is submitted again, now asking to withdraw (legal from Notification).
    assert_refused(personas.manager, review, to=Stage.WITHDRAWN, expected_from=Stage.REFERRAL,
                   reason="Duplicate", match="already moved")


# ---------------------------------------------------------------- what particular moves need


def test_evidence_gathering_is_refused_without_an_appointed_independent_reviewer(
        personas: Personas, review: Review, dates: Dates) -> None:
    record_decision_to_review(personas, review, dates)
    record_terms(personas, review, dates)
    at_stage(review, Stage.COMMISSIONING)
    assert_refused(personas.manager, review, to=Stage.EVIDENCE, expected_from=Stage.COMMISSIONING,
                   match="an appointed independent reviewer")


def test_evidence_gathering_is_refused_once_the_reviewer_appointment_has_ended(
        personas: Personas, review: Review, dates: Dates) -> None:
    record_decision_to_review(personas, review, dates)
    record_terms(personas, review, dates)
    appointment = appoint_reviewer(personas, review, dates)
    services.panel_appointment_end(by=personas.manager, appointment=appointment,
                                   reason="Stood down")
    at_stage(review, Stage.COMMISSIONING)
    assert_refused(personas.manager, review, to=Stage.EVIDENCE, expected_from=Stage.COMMISSIONING,
                   match="an appointed independent reviewer")


def test_evidence_gathering_is_refused_without_terms_of_reference(
        personas: Personas, review: Review, dates: Dates) -> None:
    record_decision_to_review(personas, review, dates)
    appoint_reviewer(personas, review, dates)
    at_stage(review, Stage.COMMISSIONING)
    assert_refused(personas.manager, review, to=Stage.EVIDENCE, expected_from=Stage.COMMISSIONING,
                   match="terms of reference")


def test_commissioning_is_refused_after_a_decision_not_to_review(personas: Personas,
                                                                 review: Review,
                                                                 dates: Dates) -> None:
    record_decision_not_to_review(personas, review, dates)
    at_stage(review, Stage.DECISION)
    assert_refused(personas.manager, review, to=Stage.COMMISSIONING, expected_from=Stage.DECISION,
                   match="a recorded decision: carry out a review")


def test_recording_no_review_is_refused_after_a_decision_to_review(personas: Personas,
                                                                   review: Review,
                                                                   dates: Dates) -> None:
    record_decision_to_review(personas, review, dates)
    at_stage(review, Stage.DECISION)
    assert_refused(personas.manager, review, to=Stage.NO_REVIEW, expected_from=Stage.DECISION,
                   match="a recorded decision: do not carry out a review")


def test_publication_is_refused_while_a_parallel_process_is_open(personas: Personas,
                                                                 review: Review,
                                                                 dates: Dates) -> None:
    at_stage(review, Stage.SIGN_OFF)
    record_publication_plan(personas, review, dates)
    process = services.parallel_process_open(
        by=personas.manager, review=review, kind="criminal", opened_on=dates.decided,
        description="Criminal trial of the father")

    assert_refused(personas.manager, review, to=Stage.PUBLICATION, expected_from=Stage.SIGN_OFF,
                   match="every parallel process cleared")

    services.parallel_process_clear(by=personas.manager, process=process,
                                    cleared_on=dates.today - timedelta(days=1),
                                    reason="Verdict given")
    services.review_transition(by=personas.manager, review=review, to=Stage.PUBLICATION,
                               expected_from=Stage.SIGN_OFF)
    assert review.stage == Stage.PUBLICATION


def test_publication_is_refused_when_the_panel_had_the_report_fewer_than_7_working_days(
        personas: Personas, review: Review, dates: Dates) -> None:
    at_stage(review, Stage.SIGN_OFF)
    record_final_report(personas, review, dates)
    services.report_and_publication_record(
        by=personas.manager, review=review, national_panel_sent_report_on=dates.sent_to_panel,
        planned_publication_on=add_working_days(dates.sent_to_panel, 6))
    assert_refused(personas.manager, review, to=Stage.PUBLICATION, expected_from=Stage.SIGN_OFF,
                   match="at least 7 working days before publication")


def test_publication_is_refused_without_a_planned_date_or_the_date_sent_to_the_panel(
        personas: Personas, review: Review) -> None:
    at_stage(review, Stage.SIGN_OFF)
    error = assert_refused(personas.manager, review, to=Stage.PUBLICATION,
                           expected_from=Stage.SIGN_OFF, match="a planned publication date")
    assert "the date the final report was sent to the national Panel" in error.messages[0]


def test_action_plan_monitoring_needs_a_publication_date_that_is_not_in_the_future(
        personas: Personas, review: Review, dates: Dates) -> None:
    guard = TRANSITIONS[(Stage.PUBLICATION, Stage.MONITORING)].guard
    review.national_panel_sent_report_on = dates.sent_to_panel
    review.planned_publication_on = add_working_days(dates.sent_to_panel, 7)
    review.published_on = dates.today + timedelta(days=1)
    assert guard(review) == ["a publication date that is not in the future",
                             "the report's anonymised PDF published"]
    arrange_publication(review, personas.manager, published_on=dates.today)
    assert guard(review) == ["a publication date that is not in the future"]
    review.published_on = dates.today
    assert guard(review) == []


# ---------------------------------------------------------------- the whole path


def test_a_review_walks_the_whole_main_path_and_every_move_is_recorded(
        personas: Personas, review: Review, dates: Dates) -> None:
    path = list(workflow.STAGE_PATH)
    for frm, to in pairwise(path):
        if (frm, to) in NEEDS:
            NEEDS[(frm, to)](personas, review, dates)
        assert [m.possible for m in workflow.available_moves(review, personas.manager)
                if m.to == to] == [True]
        services.review_transition(by=personas.manager, review=review, to=to, expected_from=frm,
                                   reason="Closing: actions complete" if to == Stage.CLOSED else "")
        assert review.stage == to

    moves = list(StageChange.objects.filter(review=review).values_list("from_stage", "to_stage"))
    assert moves == list(pairwise(path))
    assert not review.is_open
    # Closed: the only way on is a reasoned reopen to where it left.
    assert [to for to, _ in workflow.moves_from(review.stage)] == [Stage.MONITORING]
    assert review.next_clock == ""
    assert review.next_due_on is None


def test_a_withdrawn_review_has_no_next_clock_and_no_further_moves(personas: Personas,
                                                                   review: Review) -> None:
    assert review.next_due_on is not None
    services.review_transition(by=personas.manager, review=review, to=Stage.WITHDRAWN,
                               expected_from=Stage.REFERRAL, reason="Criteria not met after all")
    review.refresh_from_db()
    assert review.stage == Stage.WITHDRAWN
    assert (review.next_clock, review.next_due_on) == ("", None)
    # Withdrawn: the only move offered is a reasoned reopen to the stage it left.
    moves = workflow.available_moves(review, personas.manager)
    assert [(m.to, m.needs_reason) for m in moves] == [(Stage.REFERRAL, True)]


def test_available_moves_show_what_is_missing_and_whether_the_person_may_move(
        personas: Personas, review: Review) -> None:
    at_stage(review, Stage.NOTIFICATION)
    by_manager = {m.to: m for m in workflow.available_moves(review, personas.manager)}
    assert set(by_manager) == {Stage.RAPID_REVIEW, Stage.WITHDRAWN}
    rapid = by_manager[Stage.RAPID_REVIEW]
    assert rapid.allowed_role and not rapid.possible
    assert rapid.missing == ["the date the national Panel and Ofsted were notified"]
    assert by_manager[Stage.WITHDRAWN].possible and by_manager[Stage.WITHDRAWN].needs_reason
    assert not any(m.allowed_role for m in workflow.available_moves(review, personas.police_lead))


def test_the_reason_for_a_move_is_kept_on_the_stage_change(personas: Personas,
                                                           review: Review) -> None:
    services.review_transition(by=personas.manager, review=review, to=Stage.WITHDRAWN,
                               expected_from=Stage.REFERRAL, reason="Criteria not met")
    change = StageChange.objects.filter(review=review).last()
    assert change.reason == "Criteria not met"
    assert change.by == personas.manager


def test_a_move_to_a_stage_that_does_not_exist_is_refused(personas: Personas,
                                                          review: Review) -> None:
    with pytest.raises(services.TransitionRefused, match="no stage called"):
        services.review_transition(by=personas.manager, review=review, to="bogus",
                                   expected_from=Stage.REFERRAL)


def test_a_reviewer_not_appointed_to_the_review_cannot_move_it(
    personas: Personas, review: Review
) -> None:
    at_stage(review, Stage.EVIDENCE)
    other = UserFactory(username="another-reviewer")
    MembershipFactory(user=other, role="reviewer", agency=None)
    with pytest.raises(services.TransitionRefused, match="cannot make this move"):
        services.review_transition(by=other, review=review, to=Stage.ANALYSIS,
                                   expected_from=Stage.EVIDENCE)
    review.refresh_from_db()
    assert review.stage == Stage.EVIDENCE
