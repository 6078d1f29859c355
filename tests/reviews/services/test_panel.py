"""Terms of reference and the panel: versions, independence, roles and the grants that
appointments carry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from agencies.models.roles import Role
from reviews import services
from reviews.models import PanelAppointment, ReviewUserObjectPermission, TermsOfReference
from reviews.models.scope import can_see_identities
from tests.conftest import Personas
from tests.factories import MembershipFactory, UserFactory
from tests.reviews.services.helpers import appoint, open_review, save_terms, today, visible_to


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
