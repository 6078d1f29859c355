"""Referral and stage records: bad input changes nothing, double submissions are harmless,
involved agencies reach the review."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from reviews import services
from reviews.models import InvolvedAgency, Review, Stage
from reviews.models.scope import can_see_identities
from tests.conftest import Personas, at_stage
from tests.reviews.services.helpers import assert_nothing_saved, open_review, referral, today, visible_to


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
