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
from tests.conftest import Personas, client_for


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
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(captured)


# Every main page and its ceiling for a business manager (an agency lead's pages may take
# one more: whether they may see real names in the review). The session, the person, their
# memberships, the access-log row and the session save make up 7 of each, and the header's
# count of unread notifications one more.
CEILINGS = {
    # The home page: one query per kind of task a business manager takes on (issue 19:
    # clocks, delays, evidence awaited and to decide, sign-offs, approvals, takedown reviews,
    # learning events, actions to verify), whatever the data, and the partnership's list
    # of sign-off approvers (a setting kept in the database since issue 19).
    "/": 14,
    "/reviews/": 12,
    "/reviews/?stage=all&sort=stage": 12,
    "/reviews/export.csv": 12,
    "/board/": 10,
    "/reviews/{pk}/": 14,
    "/reviews/{pk}/people/": 10,
    "/reviews/{pk}/clocks/": 11,
    # The panel and the partnership's sign-off approvers (who may approve beside it).
    "/reviews/{pk}/panel/": 11,
    # One more than the other sections: the involved agencies (the grid's rows).
    "/reviews/{pk}/evidence/": 10,
    # The History page reads one page of the review's timeline in one query, then the
    # kinds on that page: its ceiling follows the kinds a page can show.
    "/reviews/{pk}/history/": 24,
    "/reviews/{pk}/history/?record_type=subject": 24,
    "/reviews/{pk}/terms/": 11,
    "/reviews/{pk}/move/?to=withdrawn": 9,
    "/access-log/": 8,
    "/people/": 9,
}
LEAD_PAGES = ("/", "/reviews/", "/reviews/{pk}/", "/reviews/{pk}/people/",
              "/reviews/{pk}/clocks/", "/reviews/{pk}/panel/", "/reviews/{pk}/evidence/",
              "/reviews/{pk}/history/")


def add_records(people: Personas, review: Review, count: int) -> None:
    """More people, evidence and history on one review: its pages must not grow."""
    start = review.subjects.count()
    for i in range(start, start + count):
        services.subject_add(by=people.manager, review=review, kind="sibling",
                             pseudonym=f"Sibling {i}", full_name=f"Sibling Doe {i}")
        # One open request per agency and kind: the one before is withdrawn (still shown).
        for open_request in review.evidence_requests.filter(agency=people.health,
                                                            status="sent"):
            services.evidence_request_withdraw(by=people.manager, request=open_request,
                                               reason="Superseded")
        services.evidence_request_create(
            by=people.manager, review=review, agency=people.health, description=f"IMR {i}",
            due_on=timezone.localdate() + timedelta(days=5 + i))


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["manager", "police_lead"])
def test_every_main_page_has_a_query_ceiling_and_does_not_grow_with_the_data(
    personas: Personas, who: str, django_assert_max_num_queries: Any
) -> None:
    add_reviews(personas, 4, police_every=1)
    first = Review.objects.order_by("pk").first()
    add_records(personas, first, 2)
    user = getattr(personas, who)
    pages = CEILINGS if who == "manager" else {p: CEILINGS[p] + 1 for p in LEAD_PAGES}
    client = client_for(user)
    small = {page: queries_for(client, page.format(pk=first.pk)) for page in pages}
    add_reviews(personas, 20, police_every=1)
    add_records(personas, first, 8)
    large = {page: queries_for(client, page.format(pk=first.pk)) for page in pages}
    # The History page reads one page: its queries follow the kinds of record on that
    # page, so more data may mean fewer kinds on the first page, never more queries.
    history = {p for p in pages if "/history/" in p}
    assert {p: n for p, n in large.items() if p not in history} == {
        p: n for p, n in small.items() if p not in history}
    assert all(large[p] <= small[p] for p in history), (large, small)
    for page, ceiling in pages.items():
        with django_assert_max_num_queries(ceiling, info=page):
            client.get(page.format(pk=first.pk))


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
    with django_assert_max_num_queries(CEILINGS["/reviews/"]):
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
    with django_assert_max_num_queries(CEILINGS["/reviews/{pk}/"]):
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


@pytest.mark.django_db
def test_a_persons_review_scope_is_built_once_per_request_and_reused(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reviews.models import scope as access

    add_reviews(personas, 3, police_every=1)
    review = Review.objects.order_by("pk").first()
    built: list[str] = []
    real = access._build_granted

    def counting(user: Any, codename: str) -> Any:
        built.append(codename)
        return real(user, codename)

    monkeypatch.setattr(access, "_build_granted", counting)
    client = client_for(personas.police_lead)
    for page in ("/reviews/", f"/reviews/{review.pk}/", f"/reviews/{review.pk}/evidence/",
                 f"/reviews/{review.pk}/history/"):
        built.clear()
        assert client.get(page).status_code == 200
        assert built and len(built) == len(set(built)), (page, built)
