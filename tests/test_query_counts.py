"""Pages whose SQL query count must not grow with the number of reviews."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reviews import services
from reviews.models import Review

from .conftest import Personas, client_for


def add_reviews(people: Personas, count: int, *, police_every: int) -> None:
    today = timezone.localdate()
    for i in range(count):
        involved = [people.health, people.education]
        if i % police_every == 0:
            involved.append(people.police)
        review = services.review_create(
            by=people.manager, incident_date=today - timedelta(days=30 + i),
            aware_date=today - timedelta(days=29 + i), what_happened=f"Case {i}",
            harm=Review.Harm.DEATH, abuse_or_neglect=Review.AbuseNeglect.KNOWN,
            criteria_met=True, referring_agency=involved[0], agencies_involved=involved)
        services.subject_add(by=people.manager, review=review, kind="child",
                             pseudonym="Child A", full_name=f"Child {i}")


def queries_for(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_agency_lead_review_list_queries_do_not_grow_with_reviews(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    client = client_for(personas.police_lead)
    add_reviews(personas, 6, police_every=2)
    small = queries_for(client, "/reviews/")
    add_reviews(personas, 30, police_every=2)
    assert Review.objects.for_user(personas.police_lead).count() == 18
    large = queries_for(client, "/reviews/")
    assert large == small
    with django_assert_max_num_queries(12):
        client.get("/reviews/")


@pytest.mark.django_db
def test_manager_dashboard_and_review_page_queries_do_not_grow(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    client = client_for(personas.manager)
    add_reviews(personas, 5, police_every=3)
    first = Review.objects.order_by("pk").first()
    dashboard_small = queries_for(client, "/reviews/?rag=red&sort=due")
    page_small = queries_for(client, f"/reviews/{first.pk}/")
    board_small = queries_for(client, "/board/")
    add_reviews(personas, 25, police_every=3)
    assert queries_for(client, "/reviews/?rag=red&sort=due") == dashboard_small
    assert queries_for(client, f"/reviews/{first.pk}/") == page_small
    assert queries_for(client, "/board/") == board_small
    with django_assert_max_num_queries(30):
        client.get(f"/reviews/{first.pk}/")


@pytest.mark.django_db
def test_for_user_is_one_query_with_subqueries_not_a_list_of_ids(personas: Personas) -> None:
    add_reviews(personas, 4, police_every=2)
    sql = str(Review.objects.for_user(personas.police_lead).query).upper()
    assert "EXISTS" in sql
    with CaptureQueriesContext(connection) as captured:
        ids = list(Review.objects.for_user(personas.police_lead).values_list("pk", flat=True))
    assert len(ids) == 2
    assert len(captured) <= 2  # the membership lookup for the role check may be one


@pytest.mark.django_db
def test_manager_home_page_tasks_do_not_query_per_review(personas: Personas) -> None:
    client = client_for(personas.manager)

    def add_late(count: int) -> None:
        today = timezone.localdate()
        for i in range(count):
            review = services.review_create(
                by=personas.manager, incident_date=today - timedelta(days=40),
                aware_date=today - timedelta(days=39), what_happened=f"Late {i}",
                harm=Review.Harm.DEATH, abuse_or_neglect=Review.AbuseNeglect.KNOWN,
                criteria_met=True, referring_agency=personas.police,
                agencies_involved=[personas.police])
            services.notification_record(by=personas.manager, review=review,
                                         notification_sent_on=today - timedelta(days=2))

    add_late(2)
    few = queries_for(client, "/")
    add_late(6)
    assert queries_for(client, "/") == few
