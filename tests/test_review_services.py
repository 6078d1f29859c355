"""Writes to reviews (reviews/services.py): bad input changes nothing, double submissions are
harmless, appointments respect independence and carry their grants, clocks are kept in step
and every write leaves who and why in the history."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from agencies.models import Agency, User
from agencies.roles import Role
from reviews import services
from reviews.access import can_see_identities
from reviews.clocks import Clock, review_clocks
from reviews.models import (
    ClockKind,
    ClockPause,
    DelayExplanation,
    InvolvedAgency,
    PanelAppointment,
    Review,
    ReviewGroupObjectPermission,
    ReviewUserObjectPermission,
    Stage,
    TermsOfReference,
)
from scr.workdays import add_months, add_working_days, working_days_between

from .conftest import Personas, at_stage
from .factories import MembershipFactory, UserFactory

# ---------------------------------------------------------------- helpers


def today() -> date:
    return timezone.localdate()


def open_review(p: Personas, *, incident_date: date | None = None, aware_date: date | None = None,
                involved: list[Agency] | None = None, **extra: Any) -> Review:
    aware = aware_date or today() - timedelta(days=3)
    return services.review_create(
        by=p.manager, incident_date=incident_date or aware - timedelta(days=2), aware_date=aware,
        what_happened="An infant was admitted with unexplained injuries",
        harm=Review.Harm.SERIOUS_HARM, abuse_or_neglect=Review.AbuseNeglect.SUSPECTED,
        criteria_met=True, referring_agency=p.social_care,
        agencies_involved=[p.police, p.health] if involved is None else involved, **extra)


def referral(p: Personas, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "by": p.manager, "incident_date": today() - timedelta(days=10),
        "aware_date": today() - timedelta(days=5), "what_happened": "A child died at home",
        "harm": Review.Harm.DEATH, "abuse_or_neglect": Review.AbuseNeglect.KNOWN,
        "criteria_met": True, "referring_agency": p.social_care,
        "agencies_involved": [p.police, p.health],
    }
    fields.update(overrides)
    return fields


def assert_nothing_saved() -> None:
    assert Review.objects.count() == 0
    assert Review.history.count() == 0
    assert InvolvedAgency.objects.count() == 0
    assert ReviewGroupObjectPermission.objects.count() == 0


def clock(review: Review, kind: str) -> Clock:
    return next(c for c in review_clocks(review) if c.kind == kind)


def appoint(p: Personas, review: Review, user: User,
            role: str = PanelAppointment.PanelRole.REVIEWER) -> PanelAppointment:
    return services.panel_appoint(by=p.manager, review=review, user=user, panel_role=role,
                                  independence_declaration="No connection with the case or "
                                                           "any agency involved")


def visible_to(user: User, action: str = "view") -> set[int]:
    return set(Review.objects.for_user(user, action).values_list("pk", flat=True))


# ---------------------------------------------------------------- referral


def test_a_referral_opens_a_review_with_a_reference_and_the_referring_agency_involved(
        personas: Personas) -> None:
    first = open_review(personas)
    second = open_review(personas, involved=[])
    year = first.aware_date.year
    assert first.reference == f"{settings.REVIEW_VOCABULARY}-{year}-001"
    assert second.reference == f"{settings.REVIEW_VOCABULARY}-{year}-002"
    assert first.stage == "referral"
    assert set(first.agencies_involved.all()) == {personas.social_care, personas.police,
                                                  personas.health}
    assert set(second.agencies_involved.all()) == {personas.social_care}


def test_a_future_incident_date_is_refused_and_nothing_is_saved(personas: Personas) -> None:
    tomorrow = today() + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.review_create(**referral(personas, incident_date=tomorrow, aware_date=tomorrow))
    assert "incident_date" in refused.value.message_dict
    assert "cannot be in the future" in refused.value.message_dict["incident_date"][0]
    assert_nothing_saved()


def test_a_future_aware_date_is_refused_and_nothing_is_saved(personas: Personas) -> None:
    with pytest.raises(ValidationError) as refused:
        services.review_create(**referral(personas, aware_date=today() + timedelta(days=1)))
    assert set(refused.value.message_dict) == {"aware_date"}
    assert_nothing_saved()


def test_becoming_aware_before_the_incident_is_refused_and_nothing_is_saved(
        personas: Personas) -> None:
    with pytest.raises(ValidationError) as refused:
        services.review_create(**referral(personas, incident_date=today() - timedelta(days=2),
                                          aware_date=today() - timedelta(days=3)))
    assert set(refused.value.message_dict) == {"aware_date"}
    assert "before the date of the incident" in refused.value.message_dict["aware_date"][0]
    assert_nothing_saved()


def test_becoming_aware_on_the_day_of_the_incident_is_accepted(personas: Personas) -> None:
    review = services.review_create(**referral(personas, incident_date=today(),
                                               aware_date=today()))
    assert review.aware_date == review.incident_date == today()


def test_a_referral_without_a_description_or_with_an_unknown_harm_is_refused(
        personas: Personas) -> None:
    with pytest.raises(ValidationError) as refused:
        services.review_create(**referral(personas, what_happened="", harm="bruising"))
    assert {"what_happened", "harm"} <= set(refused.value.message_dict)
    assert_nothing_saved()


def test_a_double_submitted_referral_opens_only_one_review(personas: Personas) -> None:
    token = uuid.uuid4()
    first = services.review_create(**referral(personas, creation_token=token))
    again = services.review_create(**referral(personas, creation_token=token))
    assert again.pk == first.pk
    assert again.reference == first.reference
    assert Review.objects.count() == 1
    assert Review.history.count() == 1
    assert InvolvedAgency.objects.filter(review=first).count() == 3


def test_two_referrals_with_different_tokens_open_two_reviews(personas: Personas) -> None:
    services.review_create(**referral(personas, creation_token=uuid.uuid4()))
    services.review_create(**referral(personas, creation_token=uuid.uuid4()))
    assert Review.objects.count() == 2


def test_leads_of_involved_agencies_see_the_review_and_other_leads_do_not(
        personas: Personas) -> None:
    review = open_review(personas, involved=[personas.health])
    assert review.pk in visible_to(personas.health_lead)
    assert review.pk not in visible_to(personas.police_lead)
    assert review.pk not in visible_to(personas.reviewer)
    assert review.pk not in visible_to(personas.board)


def test_involving_an_agency_twice_is_refused(personas: Personas) -> None:
    review = open_review(personas)
    with pytest.raises(ValidationError) as refused:
        services.agency_involve(by=personas.manager, review=review, agency=personas.police,
                                reason="Again")
    assert "already involved" in refused.value.message_dict["agency"][0]
    assert review.involvements.filter(agency=personas.police).count() == 1


def test_involving_an_agency_later_lets_its_lead_see_the_review(personas: Personas) -> None:
    review = open_review(personas, involved=[])
    assert review.pk not in visible_to(personas.police_lead)
    services.agency_involve(by=personas.manager, review=review, agency=personas.police,
                            reason="Police attended the home")
    assert review.pk in visible_to(personas.police_lead)
    assert can_see_identities(personas.police_lead, review)


# ---------------------------------------------------------------- stage records


def test_a_notification_before_becoming_aware_is_refused_and_nothing_changes(
        personas: Personas) -> None:
    review = open_review(personas)
    rows = Review.history.filter(id=review.pk).count()
    with pytest.raises(ValidationError) as refused:
        services.notification_record(by=personas.manager, review=review,
                                     notification_sent_on=review.aware_date - timedelta(days=1))
    assert set(refused.value.message_dict) == {"notification_sent_on"}
    stored = Review.objects.get(pk=review.pk)
    assert stored.notification_sent_on is None
    assert Review.history.filter(id=review.pk).count() == rows


def test_a_notification_date_in_the_future_is_refused(personas: Personas) -> None:
    review = open_review(personas)
    with pytest.raises(ValidationError) as refused:
        services.notification_record(by=personas.manager, review=review,
                                     notification_sent_on=today() + timedelta(days=1))
    assert "cannot be in the future" in refused.value.message_dict["notification_sent_on"][0]
    assert Review.objects.get(pk=review.pk).notification_sent_on is None


def test_a_decision_without_reasons_is_refused(personas: Personas) -> None:
    review = at_stage(open_review(personas), Stage.RAPID_REVIEW)
    with pytest.raises(ValidationError) as refused:
        services.decision_record(by=personas.manager, review=review,
                                 decision=Review.Decision.REVIEW, decision_date=today(),
                                 decision_reasons="   ")
    assert set(refused.value.message_dict) == {"decision_reasons"}
    stored = Review.objects.get(pk=review.pk)
    assert (stored.decision, stored.decision_date) == ("", None)


# ---------------------------------------------------------------- terms of reference


def save_terms(p: Personas, review: Review, expected_version: int, **overrides: Any
               ) -> TermsOfReference:
    fields: dict[str, Any] = {
        "scope_start": today() - timedelta(days=400), "scope_end": today() - timedelta(days=30),
        "key_lines_of_enquiry": "Was the risk to the baby recognised?",
        "method": TermsOfReference.Method.SYSTEMS, "agencies_in_scope": [p.police, p.health],
    }
    fields.update(overrides)
    return services.terms_create(by=p.manager, review=review, expected_version=expected_version,
                                 **fields)


def test_terms_of_reference_are_saved_as_numbered_versions(personas: Personas) -> None:
    review = open_review(personas)
    first = save_terms(personas, review, 0)
    second = save_terms(personas, review, 1, key_lines_of_enquiry="Also: housing")
    assert (first.version, second.version) == (1, 2)
    assert set(second.agencies_in_scope.all()) == {personas.police, personas.health}
    assert first.created_by == personas.manager


def test_terms_saved_from_a_stale_version_are_refused_and_nothing_is_saved(
        personas: Personas) -> None:
    review = open_review(personas)
    save_terms(personas, review, 0)
    history_rows = TermsOfReference.history.count()
    with pytest.raises(ValidationError) as refused:
        save_terms(personas, review, 0, key_lines_of_enquiry="Double-submitted")
    assert "Version 1 of the terms of reference was saved meanwhile" in refused.value.messages[0]
    assert list(review.terms.values_list("version", flat=True)) == [1]
    assert TermsOfReference.history.count() == history_rows


def test_terms_with_a_scope_ending_before_it_starts_are_refused(personas: Personas) -> None:
    review = open_review(personas)
    with pytest.raises(ValidationError) as refused:
        save_terms(personas, review, 0, scope_start=today() - timedelta(days=10),
                   scope_end=today() - timedelta(days=20))
    assert set(refused.value.message_dict) == {"scope_end"}
    assert not review.terms.exists()


def test_terms_without_any_agency_in_scope_are_refused(personas: Personas) -> None:
    review = open_review(personas)
    with pytest.raises(ValidationError) as refused:
        save_terms(personas, review, 0, agencies_in_scope=[])
    assert set(refused.value.message_dict) == {"agencies_in_scope"}
    assert not review.terms.exists()


# ---------------------------------------------------------------- panel and reviewer


@pytest.mark.parametrize(("who", "role", "agency"), [
    ("police_lead", PanelAppointment.PanelRole.REVIEWER, "Police"),
    ("health_lead", PanelAppointment.PanelRole.CHAIR, "Health"),
])
def test_reviewer_or_chair_from_an_involved_agency_cannot_be_appointed(
        personas: Personas, who: str, role: str, agency: str) -> None:
    review = open_review(personas)
    person = getattr(personas, who)
    with pytest.raises(ValidationError) as refused:
        appoint(personas, review, person, role)
    message = refused.value.message_dict["user"][0]
    assert f"works for {agency}, an agency involved in this case" in message
    assert "cannot be appointed" in message
    assert not PanelAppointment.objects.filter(review=review).exists()
    assert not ReviewUserObjectPermission.objects.filter(user=person).exists()


def test_a_reviewer_who_also_works_for_an_involved_agency_cannot_be_appointed(
        personas: Personas) -> None:
    person = UserFactory(username="dual_role")
    MembershipFactory(user=person, role=Role.REVIEWER, agency=None)
    MembershipFactory(user=person, role=Role.AGENCY_LEAD, agency=personas.police)
    review = open_review(personas)
    with pytest.raises(ValidationError) as refused:
        appoint(personas, review, person)
    assert "Police" in refused.value.message_dict["user"][0]
    assert not review.panel.exists()
    assert not ReviewUserObjectPermission.objects.filter(user=person).exists()


def test_an_independent_reviewer_is_appointed_and_can_then_see_and_work_on_the_review(
        personas: Personas) -> None:
    review = open_review(personas)
    other = open_review(personas)
    assert review.pk not in visible_to(personas.reviewer)

    appointment = appoint(personas, review, personas.reviewer)

    assert appointment.ended_on is None
    assert appointment.agency is None
    assert visible_to(personas.reviewer) == {review.pk}
    assert other.pk not in visible_to(personas.reviewer)
    assert visible_to(personas.reviewer, "change") == {review.pk}
    assert can_see_identities(personas.reviewer, review)


def test_a_reviewer_from_an_agency_not_involved_in_the_case_can_be_appointed(
        personas: Personas) -> None:
    review = open_review(personas, involved=[personas.health])
    # A reviewer who also works for an agency that is not involved is independent of it.
    MembershipFactory(user=personas.reviewer, role="agency_lead", agency=personas.police)
    appoint(personas, review, personas.reviewer)
    assert review.pk in visible_to(personas.reviewer)


def test_only_people_holding_the_matching_role_can_be_appointed(personas: Personas) -> None:
    review = open_review(personas, involved=[personas.health])
    with pytest.raises(ValidationError, match="independent reviewer role"):
        appoint(personas, review, personas.police_lead)
    with pytest.raises(ValidationError, match="panel member role"):
        services.panel_appoint(by=personas.manager, review=review, user=personas.police_lead,
                               panel_role=PanelAppointment.PanelRole.MEMBER,
                               agency=personas.police)


def test_ending_someones_role_ends_their_access_to_reviews_they_were_appointed_to(
        personas: Personas) -> None:
    from agencies import services as people
    from agencies.models import Membership

    review = open_review(personas)
    appoint(personas, review, personas.reviewer)
    assert review.pk in visible_to(personas.reviewer)
    people.membership_end(by=personas.manager, on=today() - timedelta(days=1),
                          membership=Membership.objects.get(user=personas.reviewer),
                          reason="Contract ended")
    reviewer = type(personas.reviewer).objects.get(pk=personas.reviewer.pk)  # a new request
    assert review.pk not in visible_to(reviewer)


def test_an_appointment_without_an_independence_declaration_is_refused(
        personas: Personas) -> None:
    review = open_review(personas)
    with pytest.raises(ValidationError) as refused:
        services.panel_appoint(by=personas.manager, review=review, user=personas.reviewer,
                               panel_role=PanelAppointment.PanelRole.REVIEWER,
                               independence_declaration="  ")
    assert set(refused.value.message_dict) == {"independence_declaration"}
    assert review.pk not in visible_to(personas.reviewer)


def test_appointing_the_same_reviewer_twice_is_refused(personas: Personas) -> None:
    review = open_review(personas)
    appoint(personas, review, personas.reviewer)
    with pytest.raises(ValidationError) as refused:
        appoint(personas, review, personas.reviewer)
    assert "already holds this place" in refused.value.message_dict["user"][0]
    assert review.panel.count() == 1


def test_a_deactivated_person_cannot_be_appointed(personas: Personas) -> None:
    review = open_review(personas)
    personas.reviewer.is_active = False
    personas.reviewer.save()
    with pytest.raises(ValidationError) as refused:
        appoint(personas, review, personas.reviewer)
    assert "deactivated" in refused.value.message_dict["user"][0]
    assert not review.panel.exists()


def test_a_panel_member_must_work_for_the_agency_they_represent(personas: Personas) -> None:
    review = open_review(personas)
    with pytest.raises(ValidationError) as refused:
        services.panel_appoint(by=personas.manager, review=review, user=personas.panel,
                               panel_role=PanelAppointment.PanelRole.MEMBER,
                               agency=personas.police)
    assert "does not work for Police" in refused.value.message_dict["user"][0]

    member = services.panel_appoint(by=personas.manager, review=review, user=personas.panel,
                                    panel_role=PanelAppointment.PanelRole.MEMBER,
                                    agency=personas.education)
    assert member.agency == personas.education
    assert review.pk in visible_to(personas.panel)
    assert review.pk not in visible_to(personas.panel, "change")


def test_grants_are_removed_when_the_appointment_ends(personas: Personas) -> None:
    review = open_review(personas)
    appointment = appoint(personas, review, personas.reviewer)
    services.panel_appointment_end(by=personas.manager, appointment=appointment,
                                   reason="Reviewer unwell")
    appointment.refresh_from_db()
    assert appointment.ended_on == today()
    assert review.pk not in visible_to(personas.reviewer)
    assert review.pk not in visible_to(personas.reviewer, "change")
    assert not can_see_identities(personas.reviewer, review)
    assert not ReviewUserObjectPermission.objects.filter(user=personas.reviewer).exists()


def test_ending_one_of_two_appointments_keeps_the_grants_of_the_other(personas: Personas) -> None:
    review = open_review(personas)
    as_reviewer = appoint(personas, review, personas.reviewer)
    appoint(personas, review, personas.reviewer, PanelAppointment.PanelRole.CHAIR)
    services.panel_appointment_end(by=personas.manager, appointment=as_reviewer,
                                   reason="Now chairs only")
    assert review.pk in visible_to(personas.reviewer)
    assert can_see_identities(personas.reviewer, review)
    assert review.pk not in visible_to(personas.reviewer, "change")


def test_a_reviewer_can_be_appointed_again_after_an_earlier_appointment_ended(
        personas: Personas) -> None:
    review = open_review(personas)
    services.panel_appointment_end(by=personas.manager,
                                   appointment=appoint(personas, review, personas.reviewer),
                                   reason="Paused")
    appoint(personas, review, personas.reviewer)
    assert review.pk in visible_to(personas.reviewer)
    assert review.panel.count() == 2


# ---------------------------------------------------------------- clocks


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


# ---------------------------------------------------------------- history


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


# ---------------------------------------------------------------- records that close or publish


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
