"""Lifecycle rules found by trying the system (issue: "make what exists right", section 2).

Each test names the rule it protects; every refusal is checked to change nothing.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from agencies import services as people
from agencies.models import User
from agencies.models.roles import Role
from reviews import services, workflow
from reviews.models import (
    ClockKind,
    ClockPause,
    DelayExplanation,
    EvidenceRequest,
    PanelAppointment,
    Review,
    ReviewGroupObjectPermission,
    ReviewUserObjectPermission,
    Stage,
    StageChange,
    Subject,
    TermsOfReference,
)
from reviews.selectors.clocks import review_clocks
from reviews.services import TransitionRefused
from scr.workdays import add_working_days, subtract_working_days
from tests.actionplans.helpers import sign_off_arranged
from tests.conftest import Personas, at_stage
from tests.factories import MembershipFactory, UserFactory

NOTICE = settings.CLOCK_PUBLICATION_NOTICE_WORKING_DAYS


def today() -> date:
    return timezone.localdate()


def open_review(p: Personas, aware: date | None = None, **extra: Any) -> Review:
    aware = aware or today() - timedelta(days=200)
    return services.review_create(
        by=p.manager, incident_date=aware - timedelta(days=1), aware_date=aware,
        what_happened="An infant was admitted with unexplained injuries",
        harm=Review.Harm.SERIOUS_HARM, abuse_or_neglect=Review.AbuseNeglect.SUSPECTED,
        criteria_met=True, referring_agency=p.social_care,
        agencies_involved=[p.police, p.health], **extra)


def decided(p: Personas, review: Review, on: date | None = None) -> Review:
    on = on or review.aware_date + timedelta(days=14)
    at_stage(review, Stage.DECISION)
    services.rapid_review_record(by=p.manager, review=review,
                                 rapid_review_meeting_on=on - timedelta(days=1))
    services.decision_record(by=p.manager, review=review, decision=Review.Decision.REVIEW,
                             decision_date=on, decision_reasons="Criteria met")
    return review


def ready_for_publication(p: Personas, review: Review, sent: date) -> Review:
    decided(p, review)
    at_stage(review, Stage.REPORT)
    services.report_and_publication_record(by=p.manager, review=review,
                                           final_report_received_on=sent - timedelta(days=3))
    at_stage(review, Stage.PUBLICATION)
    services.report_and_publication_record(by=p.manager, review=review,
                                           national_panel_sent_report_on=sent)
    return review


def stored(review: Review) -> Review:
    return Review.objects.get(pk=review.pk)


def history_count(review: Review) -> int:
    return Review.history.filter(id=review.pk).count()


def notice_clock(review: Review) -> Any:
    return next(c for c in review_clocks(stored(review)) if c.kind == ClockKind.PUBLICATION_NOTICE)


# ---------------------------------------------------------------- 1. publication notice


def test_publishing_two_working_days_after_sending_to_the_panel_is_refused(
        personas: Personas) -> None:
    sent = subtract_working_days(today(), 2)
    review = ready_for_publication(personas, open_review(personas), sent)
    services.report_and_publication_record(by=personas.manager, review=review,
                                           planned_publication_on=add_working_days(sent, NOTICE))
    with pytest.raises(ValidationError) as refused:
        services.report_and_publication_record(by=personas.manager, review=review,
                                               published_on=today())
    assert f"at least {NOTICE} working days" in str(refused.value)
    assert stored(review).published_on is None


def test_a_publication_date_before_the_report_was_sent_to_the_panel_is_refused(
        personas: Personas) -> None:
    sent = today() - timedelta(days=3)
    review = ready_for_publication(personas, open_review(personas), sent)
    with pytest.raises(ValidationError) as refused:
        services.report_and_publication_record(
            by=personas.manager, review=review, published_on=sent - timedelta(days=1),
            planned_publication_on=sent - timedelta(days=1))
    assert "before" in str(refused.value)
    assert stored(review).published_on is None


def test_publishing_on_the_planned_date_with_enough_notice_goes_ahead(personas: Personas) -> None:
    on = today()
    sent = subtract_working_days(on, NOTICE)
    review = ready_for_publication(personas, open_review(personas), sent)
    services.report_and_publication_record(by=personas.manager, review=review,
                                           planned_publication_on=on, published_on=on)
    assert stored(review).published_on == on


# ---------------------------------------------------------------- 2. one rule for clock and guard


@pytest.mark.parametrize("planned", [date(2026, 12, 26), date(2026, 12, 27), date(2026, 12, 28),
                                     date(2027, 1, 2), date(2026, 12, 25)],
                         ids=["Boxing Day (Sat)", "Sunday", "substitute day", "Saturday",
                              "Christmas"])
def test_the_notice_clock_and_the_publication_guard_agree_on_a_holiday_or_weekend(
        personas: Personas, planned: date) -> None:
    review = open_review(personas, aware=date(2025, 1, 6))
    due = workflow.publication_notice_due(planned)
    for sent in (due, due + timedelta(days=1)):
        review.planned_publication_on = planned
        review.national_panel_sent_report_on = sent
        clock = next(c for c in review_clocks(review) if c.kind == ClockKind.PUBLICATION_NOTICE)
        guard_ok = not any("working days before" in m for m in workflow.ready_to_publish(review))
        assert clock.due == due
        assert (not clock.missed) == guard_ok, (planned, sent)


# ---------------------------------------------------------------- 3 and 4. pauses


def rapid_review_due(review: Review) -> date:
    return next(c.due for c in review_clocks(stored(review)) if c.kind == ClockKind.RAPID_REVIEW)


def test_an_overlapping_pause_is_refused_and_each_paused_day_counts_once(
        personas: Personas) -> None:
    review = open_review(personas, aware=date(2026, 9, 28))
    services.clock_pause(by=personas.manager, review=review, clock=ClockKind.RAPID_REVIEW,
                         paused_on=date(2026, 10, 1), reason="Criminal investigation")
    pause = ClockPause.objects.get(review=review)
    services.clock_resume(by=personas.manager, pause=pause, resumed_on=date(2026, 11, 1),
                          reason="Cleared")
    due = rapid_review_due(review)
    with pytest.raises(ValidationError) as refused:
        services.clock_pause(by=personas.manager, review=review, clock=ClockKind.RAPID_REVIEW,
                             paused_on=date(2026, 10, 10), reason="Backdated")
    assert "overlaps" in str(refused.value)
    assert ClockPause.objects.filter(review=review).count() == 1
    assert rapid_review_due(review) == due


def test_overlapping_pauses_already_on_record_are_counted_once(personas: Personas) -> None:
    review = open_review(personas, aware=date(2026, 9, 28))
    for start, end in ((date(2026, 10, 1), date(2026, 11, 1)),
                       (date(2026, 10, 10), date(2026, 10, 21))):
        ClockPause.objects.create(review=review, clock=ClockKind.RAPID_REVIEW, reason="x",
                                  paused_on=start, resumed_on=end)
    only_first = ClockPause.objects.filter(review=review, paused_on=date(2026, 10, 1))
    clock = next(c for c in review_clocks(review, pauses=list(only_first))
                 if c.kind == ClockKind.RAPID_REVIEW)
    assert rapid_review_due(review) == clock.due


def test_a_pause_from_saturday_to_monday_loses_no_working_day(personas: Personas) -> None:
    review = open_review(personas, aware=date(2026, 10, 1))  # Thursday
    before = rapid_review_due(review)
    services.clock_pause(by=personas.manager, review=review, clock=ClockKind.RAPID_REVIEW,
                         paused_on=date(2026, 10, 3), reason="Weekend hold")  # Saturday
    pause = ClockPause.objects.get(review=review)
    services.clock_resume(by=personas.manager, pause=pause, resumed_on=date(2026, 10, 5),
                          reason="Resumed")  # Monday
    assert rapid_review_due(review) == before


def test_a_pause_from_day_0_resumed_on_day_1_moves_nothing(personas: Personas) -> None:
    review = open_review(personas, aware=date(2026, 10, 5))  # Monday, day 0
    before = rapid_review_due(review)
    services.clock_pause(by=personas.manager, review=review, clock=ClockKind.RAPID_REVIEW,
                         paused_on=date(2026, 10, 5), reason="Hold")
    pause = ClockPause.objects.get(review=review)
    services.clock_resume(by=personas.manager, pause=pause, resumed_on=date(2026, 10, 6),
                          reason="Resumed")
    assert rapid_review_due(review) == before


def test_paused_from_monday_resumed_on_wednesday_moves_the_due_date_two_working_days(
        personas: Personas) -> None:
    review = open_review(personas, aware=date(2026, 10, 1))
    before = rapid_review_due(review)
    services.clock_pause(by=personas.manager, review=review, clock=ClockKind.RAPID_REVIEW,
                         paused_on=date(2026, 10, 5), reason="Hold")
    pause = ClockPause.objects.get(review=review)
    services.clock_resume(by=personas.manager, pause=pause, resumed_on=date(2026, 10, 7),
                          reason="Resumed")
    assert rapid_review_due(review) == add_working_days(before, 2)


# ---------------------------------------------------------------- 5. dates in order


def test_a_decision_dated_before_the_rapid_review_meeting_is_refused(personas: Personas) -> None:
    review = open_review(personas)
    at_stage(review, Stage.DECISION)
    services.rapid_review_record(by=personas.manager, review=review,
                                 rapid_review_meeting_on=review.aware_date + timedelta(days=10))
    with pytest.raises(ValidationError) as refused:
        services.decision_record(by=personas.manager, review=review,
                                 decision=Review.Decision.REVIEW,
                                 decision_date=review.aware_date + timedelta(days=5),
                                 decision_reasons="Criteria met")
    assert "decision_date" in refused.value.message_dict
    assert stored(review).decision_date is None


@pytest.mark.parametrize("stage", [Stage.REFERRAL, Stage.DECISION, Stage.EVIDENCE])
def test_a_final_report_cannot_be_received_before_the_report_stage(personas: Personas,
                                                                   stage: str) -> None:
    review = open_review(personas)
    if stage != Stage.REFERRAL:
        decided(personas, review)
    at_stage(review, stage)
    with pytest.raises(ValidationError):
        services.report_and_publication_record(by=personas.manager, review=review,
                                               final_report_received_on=today())
    assert stored(review).final_report_received_on is None
    assert stored(review).has_missed_clock is False


def test_a_final_report_received_before_the_decision_is_refused(personas: Personas) -> None:
    review = decided(personas, open_review(personas))
    at_stage(review, Stage.REPORT)
    with pytest.raises(ValidationError) as refused:
        services.report_and_publication_record(
            by=personas.manager, review=review,
            final_report_received_on=review.decision_date - timedelta(days=1))
    assert "final_report_received_on" in refused.value.message_dict


def test_the_report_cannot_be_sent_to_the_panel_before_it_was_received(personas: Personas) -> None:
    review = decided(personas, open_review(personas))
    at_stage(review, Stage.REPORT)
    received = today() - timedelta(days=5)
    services.report_and_publication_record(by=personas.manager, review=review,
                                           final_report_received_on=received)
    with pytest.raises(ValidationError) as refused:
        services.report_and_publication_record(
            by=personas.manager, review=review,
            national_panel_sent_report_on=received - timedelta(days=1))
    assert "national_panel_sent_report_on" in refused.value.message_dict


def test_an_evidence_due_date_before_it_was_requested_is_refused(personas: Personas) -> None:
    review = decided(personas, open_review(personas))
    at_stage(review, Stage.EVIDENCE)
    with pytest.raises(ValidationError):
        services.evidence_request_create(by=personas.manager, review=review,
                                         agency=personas.police, description="IMR",
                                         due_on=today() - timedelta(days=1))
    assert not EvidenceRequest.objects.exists()


# ---------------------------------------------------------------- 6. publication is fixed


def published_review(p: Personas) -> Review:
    on = today()
    review = ready_for_publication(p, open_review(p), subtract_working_days(on, NOTICE))
    services.report_and_publication_record(by=p.manager, review=review,
                                           planned_publication_on=on, published_on=on)
    return review


def test_the_publication_date_cannot_be_cleared_or_changed_once_published(
        personas: Personas) -> None:
    review = published_review(personas)
    for value in (None, today() - timedelta(days=1)):
        with pytest.raises(ValidationError) as refused:
            services.report_and_publication_record(by=personas.manager, review=review,
                                                   published_on=value, reason="Mistake")
        assert "correct" in str(refused.value).lower()
        assert stored(review).published_on == today()


def test_a_publication_date_is_corrected_only_with_a_reason_and_stays_published(
        personas: Personas) -> None:
    review = published_review(personas)
    with pytest.raises(ValidationError):
        services.publication_date_correct(by=personas.manager, review=review,
                                          published_on=today(), reason=" ")
    corrected_to = today()
    services.publication_date_correct(by=personas.manager, review=review,
                                      published_on=corrected_to,
                                      reason="Website went live a day later")
    latest = Review.history.filter(id=review.pk).latest("history_date")
    assert latest.history_change_reason == "Website went live a day later"
    assert Review.objects.for_user(personas.board).filter(pk=review.pk).exists()
    with pytest.raises(ValidationError):
        services.publication_date_correct(by=personas.manager, review=review, published_on=None,
                                          reason="Take it down")
    assert stored(review).published_on == corrected_to


def test_only_a_business_manager_corrects_a_publication_date(personas: Personas) -> None:
    review = published_review(personas)
    with pytest.raises(ValidationError):
        services.publication_date_correct(by=personas.reviewer, review=review,
                                          published_on=today(), reason="Fix")


# ---------------------------------------------------------------- 7. ended reviews are frozen


def ended(p: Personas, stage: str) -> Review:
    review = open_review(p)
    services.notification_record(by=p.manager, review=review,
                                 notification_sent_on=review.aware_date + timedelta(days=1))
    frm = Stage.MONITORING if stage == Stage.CLOSED else (
        Stage.DECISION if stage == Stage.NO_REVIEW else Stage.EVIDENCE)
    at_stage(review, frm)
    if stage == Stage.CLOSED:
        sign_off_arranged(review, p.board)  # the board signed off the action plan's closure
    if stage == Stage.NO_REVIEW:
        services.decision_record(by=p.manager, review=review, decision=Review.Decision.NO_REVIEW,
                                 decision_date=review.aware_date + timedelta(days=10),
                                 decision_reasons="Learning captured elsewhere")
    services.review_transition(by=p.manager, review=review, to=stage, expected_from=frm,
                               reason="Ending it")
    return review


ENDED = [Stage.CLOSED, Stage.NO_REVIEW, Stage.WITHDRAWN]


@pytest.mark.parametrize("stage", ENDED)
def test_an_ended_review_refuses_every_change(personas: Personas, stage: str) -> None:
    review = ended(personas, stage)
    rows = history_count(review)
    attempts = [
        lambda: services.notification_record(by=personas.manager, review=review,
                                             notification_sent_on=review.aware_date,
                                             reason="Correction"),
        lambda: services.evidence_request_create(by=personas.manager, review=review,
                                                 agency=personas.police, description="IMR",
                                                 due_on=today() + timedelta(days=10)),
        lambda: services.panel_appoint(by=personas.manager, review=review, user=personas.reviewer,
                                       panel_role=PanelAppointment.PanelRole.REVIEWER,
                                       independence_declaration="None"),
        lambda: services.clock_pause(by=personas.manager, review=review,
                                     clock=ClockKind.RAPID_REVIEW, paused_on=review.aware_date,
                                     reason="Inquest"),
        lambda: services.subject_add(by=personas.manager, review=review, kind="child",
                                     pseudonym="Child B", full_name="Someone Else"),
        lambda: services.delay_explain(by=personas.manager, review=review,
                                       clock=ClockKind.RAPID_REVIEW, explanation="Late"),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert "reopen" in str(refused.value).lower(), refused.value
    assert history_count(review) == rows
    assert not PanelAppointment.objects.filter(review=review).exists()
    assert not ClockPause.objects.filter(review=review).exists()
    assert not Subject.objects.filter(review=review).exists()


@pytest.mark.parametrize("stage", ENDED)
def test_a_manager_reopens_an_ended_review_to_the_stage_it_left(personas: Personas,
                                                                stage: str) -> None:
    review = ended(personas, stage)
    left = StageChange.objects.filter(review=review).latest("at").from_stage
    moves = [m for m in workflow.available_moves(review, personas.manager) if m.possible]
    assert [m.to for m in moves] == [left]
    with pytest.raises(TransitionRefused):
        services.review_transition(by=personas.manager, review=review, to=left,
                                   expected_from=stage, reason="")
    services.review_transition(by=personas.manager, review=review, to=left, expected_from=stage,
                               reason="The national Panel disagreed")
    assert stored(review).stage == left


def test_a_withdrawn_review_cannot_reopen_to_a_stage_it_did_not_leave(personas: Personas) -> None:
    review = ended(personas, Stage.WITHDRAWN)
    with pytest.raises(TransitionRefused):
        services.review_transition(by=personas.manager, review=review, to=Stage.REFERRAL,
                                   expected_from=Stage.WITHDRAWN, reason="Reinstated")
    assert stored(review).stage == Stage.WITHDRAWN


def test_only_a_business_manager_reopens_a_review(personas: Personas) -> None:
    review = ended(personas, Stage.WITHDRAWN)
    with pytest.raises(TransitionRefused):
        services.review_transition(by=personas.reviewer, review=review, to=Stage.EVIDENCE,
                                   expected_from=Stage.WITHDRAWN, reason="Reinstated")


# ---------------------------------------------------------------- 8. sign-off returns the draft


@pytest.mark.parametrize("who", ["manager", "reviewer"])
def test_sign_off_can_return_the_draft_to_the_report_stage_with_a_reason(
        personas: Personas, who: str) -> None:
    review = open_review(personas)
    at_stage(review, Stage.SIGN_OFF)
    user = getattr(personas, who)
    if who == "reviewer":
        at_stage(review, Stage.COMMISSIONING)
        services.panel_appoint(by=personas.manager, review=review, user=personas.reviewer,
                               panel_role=PanelAppointment.PanelRole.REVIEWER,
                               independence_declaration="No links")
        at_stage(review, Stage.SIGN_OFF)
    with pytest.raises(TransitionRefused):
        services.review_transition(by=user, review=review, to=Stage.REPORT,
                                   expected_from=Stage.SIGN_OFF, reason="")
    services.review_transition(by=user, review=review, to=Stage.REPORT,
                               expected_from=Stage.SIGN_OFF,
                               reason="Board asked for changes to findings 2 and 3")
    assert stored(review).stage == Stage.REPORT


# ---------------------------------------------------------------- 9. reviewer independence


def commissioning(p: Personas) -> Review:
    review = decided(p, open_review(p))
    at_stage(review, Stage.COMMISSIONING)
    return review


def terms(p: Personas, review: Review, agencies: list[Any]) -> TermsOfReference:
    latest = review.terms.order_by("-version").values_list("version", flat=True).first() or 0
    return services.terms_create(by=p.manager, review=review, expected_version=latest,
                                 scope_start=date(2025, 1, 1), scope_end=date(2025, 6, 1),
                                 key_lines_of_enquiry="Information sharing",
                                 method=TermsOfReference.Method.SYSTEMS,
                                 agencies_in_scope=agencies)


def test_agencies_in_the_terms_of_reference_become_involved(personas: Personas) -> None:
    review = commissioning(personas)
    terms(personas, review, [personas.education])
    assert review.involvements.filter(agency=personas.education).exists()
    assert ReviewGroupObjectPermission.objects.filter(content_object=review,
                                                      group=personas.education.group).exists()


def test_a_reviewer_who_recently_worked_for_an_agency_in_scope_cannot_be_appointed(
        personas: Personas) -> None:
    review = commissioning(personas)
    terms(personas, review, [personas.education])
    MembershipFactory(user=personas.reviewer, agency=personas.education, role=Role.AGENCY_LEAD,
                      active_from=today() - timedelta(days=800),
                      active_to=today() - timedelta(days=100))
    with pytest.raises(ValidationError) as refused:
        services.panel_appoint(by=personas.manager, review=review, user=personas.reviewer,
                               panel_role=PanelAppointment.PanelRole.REVIEWER,
                               independence_declaration="No links")
    assert "Education" in str(refused.value)


def test_a_membership_ended_before_the_look_back_does_not_block(personas: Personas) -> None:
    review = commissioning(personas)
    MembershipFactory(user=personas.reviewer, agency=personas.police, role=Role.AGENCY_LEAD,
                      active_from=date(2015, 1, 1), active_to=today() - timedelta(days=800))
    services.panel_appoint(by=personas.manager, review=review, user=personas.reviewer,
                           panel_role=PanelAppointment.PanelRole.REVIEWER,
                           independence_declaration="Left the police in 2024")


def test_a_conflict_that_arises_later_shows_and_blocks_gathering_evidence(
        personas: Personas) -> None:
    review = commissioning(personas)
    terms(personas, review, [personas.police])
    services.panel_appoint(by=personas.manager, review=review, user=personas.reviewer,
                           panel_role=PanelAppointment.PanelRole.REVIEWER,
                           independence_declaration="No links")
    services.subject_add(by=personas.manager, review=review, kind="child", pseudonym="Child A",
                         full_name="Kayden Smith")
    assert workflow.commissioned(stored(review)) == []
    services.agency_involve(by=personas.manager, review=review, agency=personas.education,
                            reason="School records relevant")
    MembershipFactory(user=personas.reviewer, agency=personas.education, role=Role.AGENCY_LEAD,
                      active_from=today())
    conflicts = services.independence_conflicts(stored(review))
    assert conflicts and "Education" in conflicts[0]
    with pytest.raises(TransitionRefused) as refused:
        services.review_transition(by=personas.manager, review=review, to=Stage.EVIDENCE,
                                   expected_from=Stage.COMMISSIONING)
    assert "independence" in str(refused.value)


# ---------------------------------------------------------------- 10. reasons in the service


@pytest.mark.parametrize("blank", ["", "  \n "])
def test_services_refuse_a_blank_reason_where_the_form_requires_one(personas: Personas,
                                                                    blank: str) -> None:
    review = open_review(personas, aware=today() - timedelta(days=3))
    services.clock_pause(by=personas.manager, review=review, clock=ClockKind.RAPID_REVIEW,
                         paused_on=today() - timedelta(days=1), reason="Inquest")
    pause = ClockPause.objects.get(review=review)
    subject = services.subject_add(by=personas.manager, review=review, kind="child",
                                   pseudonym="Child A", full_name="Kayden Smith")
    membership = personas.police_lead.memberships.get()
    refusals = [
        lambda: services.clock_resume(by=personas.manager, pause=pause, resumed_on=today(),
                                      reason=blank),
        lambda: services.subject_update(by=personas.manager, subject=subject, reason=blank,
                                        pseudonym="Child B"),
        lambda: services.subject_withdraw(by=personas.manager, subject=subject, reason=blank),
        lambda: people.membership_end(by=personas.manager, membership=membership, reason=blank),
        lambda: people.membership_create(by=personas.manager, user=personas.police_lead,
                                         role=Role.PANEL_MEMBER, agency=personas.police,
                                         reason=blank),
        lambda: people.user_deactivate(by=personas.manager, user=personas.police_lead,
                                       reason=blank),
    ]
    for refusal in refusals:
        with pytest.raises(ValidationError) as refused:
            refusal()
        assert "reason" in str(refused.value).lower()
    pause.refresh_from_db()
    subject.refresh_from_db()
    membership.refresh_from_db()
    assert pause.resumed_on is None
    assert (subject.pseudonym, subject.withdrawn) == ("Child A", False)
    assert membership.active_to is None
    assert User.objects.get(pk=personas.police_lead.pk).is_active


def test_grants_carry_who_and_why_in_their_history(personas: Personas) -> None:
    review = open_review(personas)
    group_grant = ReviewGroupObjectPermission.history.filter(
        content_object_id=review.pk, group_id=personas.police.group_id).first()
    assert group_grant.history_user == personas.manager
    assert group_grant.history_change_reason
    at_stage(review, Stage.COMMISSIONING)
    services.panel_appoint(by=personas.manager, review=review, user=personas.reviewer,
                           panel_role=PanelAppointment.PanelRole.REVIEWER,
                           independence_declaration="No links")
    person_grant = ReviewUserObjectPermission.history.filter(
        content_object_id=review.pk, user_id=personas.reviewer.pk).first()
    assert person_grant.history_user == personas.manager
    assert person_grant.history_change_reason == "Appointed to the panel"


# ---------------------------------------------------------------- 11. refusals leave the caller's object


def test_a_refused_change_leaves_the_callers_review_as_it_was(personas: Personas) -> None:
    review = open_review(personas)
    at_stage(review, Stage.DECISION)
    with pytest.raises(ValidationError):
        services.notification_record(by=personas.manager, review=review,
                                     notification_sent_on=today() + timedelta(days=5))
    assert review.notification_sent_on is None
    review.save()  # a later save must not persist the refused value
    assert stored(review).notification_sent_on is None


def test_a_refused_publication_leaves_the_callers_review_as_it_was(personas: Personas) -> None:
    review = ready_for_publication(personas, open_review(personas),
                                   subtract_working_days(today(), 2))
    with pytest.raises(ValidationError):
        services.report_and_publication_record(by=personas.manager, review=review,
                                               planned_publication_on=today(),
                                               published_on=today())
    assert review.planned_publication_on is None
    assert review.published_on is None


def test_a_refused_subject_change_leaves_the_callers_subject_as_it_was(personas: Personas) -> None:
    review = open_review(personas)
    services.subject_add(by=personas.manager, review=review, kind="child", pseudonym="Child A",
                         full_name="Kayden Smith")
    other = services.subject_add(by=personas.manager, review=review, kind="parent",
                                 pseudonym="Mother", full_name="Jo Smith")
    with pytest.raises(ValidationError):
        services.subject_update(by=personas.manager, subject=other, pseudonym="Child A",
                                reason="Typo")
    assert other.pseudonym == "Mother"


# ---------------------------------------------------------------- 12. references


def test_references_share_one_sequence_per_year_whatever_the_vocabulary(
        personas: Personas, settings: Any) -> None:
    settings.REVIEW_VOCABULARY = "SCR"
    first = open_review(personas, aware=date(2026, 3, 2))
    settings.REVIEW_VOCABULARY = "LCSPR"
    second = open_review(personas, aware=date(2026, 3, 3))
    other_year = open_review(personas, aware=date(2025, 3, 3))
    assert first.reference == "SCR-2026-001"
    assert second.reference == "LCSPR-2026-002"
    assert other_year.reference == "LCSPR-2025-001"


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_referrals_saved_at_once_both_get_their_own_reference(personas: Personas) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent writers (set DATABASE_URL)")
    start = threading.Barrier(2)
    made: list[str] = []
    errors: list[BaseException] = []

    def refer() -> None:
        try:
            start.wait(timeout=10)
            made.append(open_review(personas, aware=date(2026, 5, 4)).reference)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=refer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(made) == [f"{settings.REVIEW_VOCABULARY}-2026-001",
                            f"{settings.REVIEW_VOCABULARY}-2026-002"]


# ---------------------------------------------------------------- 13. subject child


def test_a_date_of_birth_in_the_future_is_refused(personas: Personas) -> None:
    review = open_review(personas)
    with pytest.raises(ValidationError) as refused:
        services.subject_add(by=personas.manager, review=review, kind="child",
                             pseudonym="Child A", full_name="Kayden Smith",
                             date_of_birth=today() + timedelta(days=1))
    assert "date_of_birth" in refused.value.message_dict
    assert not Subject.objects.exists()


def test_commissioning_needs_a_subject_child_in_the_register(personas: Personas) -> None:
    review = decided(personas, open_review(personas))
    with pytest.raises(TransitionRefused) as refused:
        services.review_transition(by=personas.manager, review=review, to=Stage.COMMISSIONING,
                                   expected_from=Stage.DECISION)
    assert "subject child" in str(refused.value)
    services.subject_add(by=personas.manager, review=review, kind="child", pseudonym="Child A",
                         full_name="Kayden Smith")
    services.review_transition(by=personas.manager, review=review, to=Stage.COMMISSIONING,
                               expected_from=Stage.DECISION)


# ---------------------------------------------------------------- 14. history worth reading


def test_changing_a_delay_explanation_needs_a_reason_and_keeps_it(personas: Personas) -> None:
    review = open_review(personas, aware=today() - timedelta(days=60))
    services.delay_explain(by=personas.manager, review=review, clock=ClockKind.NOTIFICATION,
                           explanation="Notification form lost")
    with pytest.raises(ValidationError):
        services.delay_explain(by=personas.manager, review=review, clock=ClockKind.NOTIFICATION,
                               explanation="Something else")
    assert DelayExplanation.objects.get(review=review).explanation == "Notification form lost"
    services.delay_explain(by=personas.manager, review=review, clock=ClockKind.NOTIFICATION,
                           explanation="Staff absence", reason="The first account was wrong")
    latest = DelayExplanation.history.filter(review_id=review.pk).latest("history_date")
    assert latest.history_change_reason == "The first account was wrong"


def test_signing_in_writes_no_history_row(personas: Personas, client: Any) -> None:
    user = UserFactory(username="signer")
    MembershipFactory(user=user, role=Role.BOARD_MEMBER)
    rows = User.history.filter(id=user.pk).count()
    response = client.post(reverse("login"), {"username": "signer",
                                              "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).last_login is not None
    assert User.history.filter(id=user.pk).count() == rows


# ---------------------------------------------------------------- 15. look-alike text


def test_a_zero_width_character_does_not_make_a_second_pseudonym(personas: Personas) -> None:
    review = open_review(personas)
    services.subject_add(by=personas.manager, review=review, kind="child", pseudonym="Child A",
                         full_name="Kayden Smith")
    with pytest.raises(ValidationError) as refused:
        services.subject_add(by=personas.manager, review=review, kind="sibling",
                             pseudonym="Child\u200bA", full_name="Other Smith")
    assert "pseudonym" in refused.value.message_dict


def test_names_are_normalised_on_the_way_in(personas: Personas) -> None:
    review = open_review(personas)
    subject = services.subject_add(by=personas.manager, review=review, kind="child",
                                   pseudonym="Child\u00a0A\u200d", full_name="Ka\u0301yden\tSmith\x07",
                                   identifiers=[("known_as", "K\u200bay"),
                                                ("nickname", "Kay\u00a0kay")])
    assert subject.pseudonym == "Child A"
    assert subject.full_name == "Káyden Smith"
    assert [i.value for i in subject.identifiers.order_by("pk")] == ["Kay", "Kay kay"]


def test_a_username_that_looks_like_another_is_refused(personas: Personas) -> None:
    with pytest.raises(ValidationError) as refused:
        people.user_invite(by=personas.manager, username="p\u043elice_lead",
                           email="x@example.invalid", first_name="Imposter", last_name="Lead",
                           role=Role.AGENCY_LEAD, agency=personas.police)
    assert "username" in refused.value.message_dict
    assert not User.objects.filter(email="x@example.invalid").exists()


def test_a_username_is_normalised_and_invisible_characters_removed(personas: Personas) -> None:
    user = people.user_invite(by=personas.manager, username="new\u200bcomer",
                              email="n@example.invalid", first_name="New", last_name="Comer",
                              role=Role.AGENCY_LEAD, agency=personas.police)
    assert user.username == "newcomer"


# ---------------------------------------------------------------- the pages for these rules


def test_a_manager_corrects_a_publication_date_on_its_page_with_a_reason(
        personas: Personas) -> None:
    from tests.conftest import client_for

    review = published_review(personas)
    client = client_for(personas.manager)
    url = reverse("review_publication_correct", args=[review.pk])
    blank = client.post(url, {"published_on": today().strftime("%d/%m/%Y"), "reason": ""})
    assert blank.status_code == 200
    assert "Enter the reason" in blank.content.decode()
    page = client.get(reverse("review", args=[review.pk])).content.decode()
    assert url in page


def test_the_review_page_shows_an_independence_conflict_and_an_ended_review_offers_reopen(
        personas: Personas) -> None:
    from tests.conftest import client_for

    review = commissioning(personas)
    services.panel_appoint(by=personas.manager, review=review, user=personas.reviewer,
                           panel_role=PanelAppointment.PanelRole.REVIEWER,
                           independence_declaration="No links")
    MembershipFactory(user=personas.reviewer, agency=personas.police, role=Role.AGENCY_LEAD,
                      active_from=today())
    client = client_for(personas.manager)
    page = client.get(reverse("review", args=[review.pk])).content.decode()
    assert "Independence conflict" in page and "works for Police" in page
    withdrawn = ended(personas, Stage.WITHDRAWN)
    page = client.get(reverse("review", args=[withdrawn.pk])).content.decode()
    assert "Reopen the review at Evidence" in page
