"""A review's History page reads one page of its history, however long the history is.

Imported chronologies will give a review tens of thousands of versions: the page must
merge and slice them in the database, not load them all.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reviews import services
from reviews.models import Review
from tests.conftest import Personas, client_for

pytestmark = pytest.mark.django_db


def _review(people: Personas) -> Review:
    today = timezone.localdate()
    return services.review_create(
        by=people.manager, incident_date=today - timedelta(days=20),
        aware_date=today - timedelta(days=19), what_happened="Injured.",
        harm=Review.Harm.SERIOUS_HARM, abuse_or_neglect=Review.AbuseNeglect.SUSPECTED,
        criteria_met=True, referring_agency=people.police, agencies_involved=[people.police])


def _edits(people: Personas, review: Review, count: int) -> None:
    subject = review.subjects.first() or services.subject_add(
        by=people.manager, review=review, kind="child", pseudonym="Child A",
        full_name="Kayden Smith")
    for i in range(count):
        services.subject_update(by=people.manager, subject=subject, reason=f"Correction {i}",
                                full_name=f"Kayden Smith {i}")


def _page(client: Any, review: Review, page: int = 1) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/reviews/{review.pk}/history/?page={page}")
    assert response.status_code == 200
    # The database merges and slices the histories: one query asks for one page only.
    assert any("UNION ALL" in q["sql"] and re.search(r"LIMIT \d+", q["sql"]) for q in captured), \
        "the history page must be sliced in SQL"
    return response, len(captured)


def test_a_long_history_is_shown_a_page_at_a_time_newest_first(personas: Personas) -> None:
    review = _review(personas)
    _edits(personas, review, 40)
    response, _ = _page(client_for(personas.manager), review)
    entries = response.context["page"].object_list
    assert len(entries) == 25
    assert entries[0].why == "Correction 39"
    assert [c.new for c in entries[0].changes] == ["Kayden Smith 39"]
    assert [c.old for c in entries[0].changes] == ["Kayden Smith 38"]
    last, _ = _page(client_for(personas.manager), review, 2)
    older = last.context["page"].object_list
    # 40 corrections, the subject's creation, the review's creation and its involvement.
    assert response.context["page"].paginator.count == 43
    assert [e.why for e in older][:3] == ["Correction 14", "Correction 13", "Correction 12"]
    assert older[-1].record_type == "Review" and older[-1].kind == "Created"


def test_the_history_page_costs_the_same_queries_for_thirty_or_a_hundred_and_thirty_versions(
        personas: Personas) -> None:
    """Its queries follow the kinds of record on the page, never the history's length."""
    review = _review(personas)
    client = client_for(personas.manager)
    _edits(personas, review, 30)
    _, few = _page(client, review)
    _edits(personas, review, 100)
    _, many = _page(client, review)
    assert many == few
