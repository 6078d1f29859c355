"""A page of versions (``scr.history.version_entries``) reads each kind's versions and the
version before each in one query, whatever the number of versions or of versions after
them, and diffs each version against its own predecessor (issue 20)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reviews import services
from reviews.models import Review
from scr.history import version_entries
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def _review(p: Personas) -> Review:
    today = timezone.localdate()
    return services.review_create(
        by=p.manager, incident_date=today - timedelta(days=30),
        aware_date=today - timedelta(days=29), what_happened="Version 0",
        harm=Review.Harm.DEATH, abuse_or_neglect=Review.AbuseNeglect.KNOWN, criteria_met=True,
        referring_agency=p.police, agencies_involved=[p.police])


def test_a_page_of_versions_reads_them_and_their_predecessors_in_one_query(
        personas: Personas) -> None:
    review = _review(personas)
    for n in range(1, 9):
        services.review_update_referral(by=personas.manager, review=review,
                                        reason=f"Edit {n}", what_happened=f"Version {n}")
    history = Review.history.model
    ids = list(history.objects.filter(id=review.pk).order_by("-history_date", "-history_id")
               .values_list("history_id", flat=True))
    page = ids[2:6]  # Versions 6 to 3: newer versions after the page, older before it
    with CaptureQueriesContext(connection) as captured:
        entries = version_entries([(history, i) for i in page], reader=personas.manager)
    reads = [q["sql"] for q in captured if "historicalreview" in q["sql"]]
    assert len(reads) == 1
    # Newest first, each against the version just before it.
    changes = [{c.field: (c.old, c.new) for c in e.changes} for e in entries]
    assert [c.get("What happened") for c in changes] == [
        ("Version 5", "Version 6"), ("Version 4", "Version 5"), ("Version 3", "Version 4"),
        ("Version 2", "Version 3")]


def test_the_first_version_of_a_record_has_no_predecessor_and_shows_as_created(
        personas: Personas) -> None:
    review = _review(personas)
    services.review_update_referral(by=personas.manager, review=review, reason="Edit",
                                    what_happened="Version 1")
    history = Review.history.model
    first = history.objects.filter(id=review.pk).order_by("history_date", "history_id").first()
    assert first is not None
    [entry] = version_entries([(history, first.history_id)], reader=personas.manager)
    assert entry.kind == "Created"
