"""Out of scope is a 404, in scope but not allowed a 403, on every page (pen test finding 6):
the board's sign-off of an action plan answered 403 to everyone else for any review id, even
one that does not exist, and the history of a published report (public in the library)
answered 403 to people who may not see its review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import Review
from tests.actionplans.helpers import an_action, monitoring_review
from tests.personas import Personas, client_for, publish
from tests.publishing import arrange_publication

pytestmark = pytest.mark.django_db


def test_signing_off_a_plan_is_404_for_a_review_that_does_not_exist(personas: Personas) -> None:
    url = reverse("action_plan_sign_off", args=[987654])
    for role, person in personas.by_role().items():
        assert client_for(person).get(url).status_code == 404, role


def test_signing_off_a_plan_is_the_boards_403_for_who_sees_it_404_for_who_does_not(
        personas: Personas) -> None:
    review = monitoring_review(personas)  # police and social care involved
    an_action(personas, review.recommendations.get())
    url = reverse("action_plan_sign_off", args=[review.pk])
    statuses = {role: client_for(person).get(url).status_code
                for role, person in personas.by_role().items()}
    assert statuses == {"business_manager": 403, "reviewer": 404, "panel_member": 404,
                        "police_lead": 403, "health_lead": 404, "board_member": 200}
    # A review with no plan yet: nothing to sign off, for the board too.
    bare = monitoring_review(personas)
    assert client_for(personas.board).get(
        reverse("action_plan_sign_off", args=[bare.pk])).status_code == 404


def test_a_published_reports_history_is_404_to_whoever_may_not_see_its_review(
        personas: Personas) -> None:
    today = timezone.localdate()
    review = services.review_create(
        by=personas.manager, incident_date=today - timedelta(days=20),
        aware_date=today - timedelta(days=19), what_happened="Kayden Smith was injured.",
        harm=Review.Harm.SERIOUS_HARM, abuse_or_neglect=Review.AbuseNeglect.SUSPECTED,
        criteria_met=True, referring_agency=personas.health, agencies_involved=[personas.health])
    publish(review, personas.manager)
    publication = arrange_publication(review, personas.manager)
    url = reverse("record_history", args=["reviews.publication", publication.pk])
    statuses = {role: client_for(person).get(url).status_code
                for role, person in personas.by_role().items()}
    # The report is in everyone's library; its review is health's and published.
    assert statuses == {"business_manager": 200, "reviewer": 404, "panel_member": 404,
                        "police_lead": 404, "health_lead": 403, "board_member": 403}
