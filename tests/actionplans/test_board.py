"""The board's view of action plans: counts by status and RAG, overdue by agency, on time,
per review and overall; no names; a fixed number of queries whatever the volume."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplans import services
from actionplans.models import Action, ActionStatus
from reviews.models import Review
from tests.actionplans.helpers import an_action, monitoring_review, today
from tests.personas import Personas, client_for

pytestmark = pytest.mark.django_db


def test_the_board_sees_counts_by_status_rag_agency_and_on_time(personas: Personas) -> None:
    review = monitoring_review(personas)
    rec = review.recommendations.get()
    late = an_action(personas, rec)
    Action.objects.filter(pk=late.pk).update(target_date=today() - timedelta(days=3))
    done = an_action(personas, rec, lead_agency=personas.health, owner=personas.health_lead)
    services.action_update_progress(by=personas.health_lead, action=done, note="Done",
                                    status=ActionStatus.COMPLETED, completed_on=today(),
                                    outcome="Better")
    an_action(personas, rec)
    response = client_for(personas.board).get("/board/actions/")
    figures = response.context["figures"]
    assert figures.total == 3
    assert figures.rag_totals == {"red": 1, "amber": 0, "green": 2, "blue": 0}
    assert figures.overdue_by_agency == [("Police", 1)]
    assert figures.overall.on_time_percent == 100
    assert [(r.reference, r.total, r.overdue) for r in figures.reviews] == [
        (review.reference, 3, 1)]
    html = response.content.decode()
    assert "Kayden" not in html and "Child A" not in html and "strategy" not in html
    assert '<svg class="app-chart__svg" role="img"' in html and "style=" not in html
    assert "Actions by RAG: Red: 1 actions; Amber: 0 actions; Green: 2 actions" in html


def test_the_boards_page_costs_the_same_queries_for_one_action_or_many(
        personas: Personas) -> None:
    review = monitoring_review(personas, recommendations=3)
    recs = list(review.recommendations.all())
    an_action(personas, recs[0])
    client = client_for(personas.board)
    client.get("/board/actions/")  # warm the per-person caches
    with CaptureQueriesContext(connection) as one:
        client.get("/board/actions/")
    for rec in recs:
        for _ in range(4):
            an_action(personas, rec, lead_agency=personas.health, owner=personas.health_lead)
    monitoring_review(personas)
    with CaptureQueriesContext(connection) as many:
        client.get("/board/actions/")
    assert len(many) == len(one)


def test_an_agency_lead_cannot_see_the_boards_page_nor_another_agencys_action(
        personas: Personas) -> None:
    action = an_action(personas, monitoring_review(personas).recommendations.get())
    assert client_for(personas.police_lead).get("/board/actions/").status_code == 403
    assert client_for(personas.health_lead).get(f"/actions/{action.pk}/").status_code == 404
    assert client_for(personas.police_lead).get(f"/actions/{action.pk}/").status_code == 200


def test_an_agency_lead_without_identifiable_access_reads_pseudonyms(personas: Personas) -> None:
    review = monitoring_review(personas, involved=[personas.health])  # police not involved
    action = an_action(personas, review.recommendations.get())
    page = client_for(personas.police_lead).get(f"/actions/{action.pk}/").content.decode()
    assert "Kayden" not in page and "Child A" in page
    manager = client_for(personas.manager).get(f"/actions/{action.pk}/").content.decode()
    assert "Kayden Smith" in manager


def test_the_reviews_history_shows_an_action_only_to_those_who_may_see_it(
        personas: Personas) -> None:
    review = monitoring_review(personas, involved=[personas.police, personas.health])
    an_action(personas, review.recommendations.get())

    def action_rows(user: object) -> int:
        # What reviews.selectors.history.review_histories asks of each kind of record.
        return Action.history_in(user, review).count()

    assert action_rows(personas.manager) == 1
    assert action_rows(personas.police_lead) == 1
    assert action_rows(personas.health_lead) == 0  # involved in the review, not the action's


def test_the_board_reads_the_plan_it_signs_off_anonymised_and_read_only(
        personas: Personas) -> None:
    """Issue 19, item 10: the closure sign-off links to the plan; the plan's every action is
    there, with the child's name replaced by the pseudonym and no owner named."""
    review = monitoring_review(personas, recommendations=2)
    first, second = review.recommendations.order_by("number")
    an_action(personas, first)
    an_action(personas, second, lead_agency=personas.health, owner=personas.health_lead,
              action_text="Kayden's health visitor checks are audited quarterly.")
    board = client_for(personas.board)
    sign_off = board.get(f"/reviews/{review.pk}/action-plan/sign-off/").content.decode()
    url = f"/reviews/{review.pk}/action-plan/for-the-board/"
    assert f'href="{url}"' in sign_off
    response = board.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Recommendation 1" in html and "Recommendation 2" in html
    assert "Audit strategy meetings about Child A" in html
    assert "Child A&#x27;s health visitor checks" in html or "Child A's health visitor" in html
    assert "Kayden" not in html and "Smith" not in html
    assert str(personas.police_lead) not in html and str(personas.health_lead) not in html
    assert "Police attend 95% of strategy meetings." in html
    assert "<form" not in html.split('id="main-content"')[-1]  # read-only
    # Anyone who may not read it for the board: those who see the plan get 403, others 404.
    assert client_for(personas.police_lead).get(url).status_code == 403
    assert client_for(personas.health_lead).get(url).status_code == 403
    assert client_for(personas.reviewer).get(url).status_code == 404
    assert client_for(personas.manager).get(url).status_code == 200


def test_the_board_cannot_read_the_plan_of_an_unpublished_review(personas: Personas) -> None:
    review = monitoring_review(personas)
    an_action(personas, review.recommendations.get())
    Review.objects.filter(pk=review.pk).update(published_on=None)
    assert client_for(personas.board).get(
        f"/reviews/{review.pk}/action-plan/for-the-board/").status_code == 404
