"""A review's History page reads one page of its timeline, however long the history is.

Imported chronologies give a review tens of thousands of versions: the page is one indexed
query on the review's timeline (``reviews.models.history``), a page at a time after a cursor
(``scr.keyset``), with no count and no offset; what each reader sees is still each kind of
record's own rule (``history_in``), which the timeline must match exactly.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import ChronologyEntry, Review, TimelineRow, review_record_models
from reviews.selectors import review_histories, review_timeline, timeline_index_parts
from tests.chronology_helpers import Case, csv_upload, entry, make_case, submit
from tests.conftest import Personas, client_for

pytestmark = pytest.mark.django_db

PAGE_QUERY_CEILING = 24


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


def _link(response: Any, rel: str) -> str | None:
    found = re.search(rf'href="(\?[^"]*)" rel="{rel}"', response.content.decode())
    return found.group(1).replace("&amp;", "&") if found else None


def test_a_long_history_is_shown_a_page_at_a_time_newest_first(personas: Personas) -> None:
    review = _review(personas)
    _edits(personas, review, 40)
    client = client_for(personas.manager)
    url = reverse("review_history", args=[review.pk])
    first = client.get(url)
    entries = first.context["page"].object_list
    assert len(entries) == 25
    assert entries[0].why == "Correction 39"
    assert [c.new for c in entries[0].changes] == ["Kayden Smith 39"]
    assert [c.old for c in entries[0].changes] == ["Kayden Smith 38"]
    assert _link(first, "prev") is None
    # 40 corrections, the subject's creation, the review's creation and its involvement.
    second = client.get(url + _link(first, "next"))
    older = second.context["page"].object_list
    assert [e.why for e in older][:3] == ["Correction 14", "Correction 13", "Correction 12"]
    assert older[-1].record_type == "Review" and older[-1].kind == "Created"
    assert len(entries) + len(older) == 43 and _link(second, "next") is None
    # "Previous" leads back to exactly the first page.
    back = client.get(url + _link(second, "prev")).context["page"].object_list
    assert [e.why for e in back] == [e.why for e in entries]


def test_the_page_is_one_indexed_query_on_the_timeline_with_no_count_or_offset(
        personas: Personas) -> None:
    review = _review(personas)
    _edits(personas, review, 30)
    with CaptureQueriesContext(connection) as captured:
        assert client_for(personas.manager).get(
            reverse("review_history", args=[review.pk])).status_code == 200
    # The layout's unread-notifications count is the header's, not the history's.
    sql = [q["sql"] for q in captured if '"scr_notification"' not in q["sql"]]
    assert not any("OFFSET" in q or "COUNT(" in q.upper() for q in sql)
    # No union of the history tables (the one UNION lists the kinds asked of the timeline).
    assert all("AS kind" in q and "historical" not in q for q in sql if "UNION" in q)
    paged = [q for q in sql if '"reviews_timelinerow"' in q and "LIMIT 26" in q]
    assert len(paged) == 1


@pytest.mark.parametrize("role", ["business_manager", "reviewer", "panel_member", "police_lead"])
def test_the_history_page_costs_the_same_queries_for_thirty_or_three_hundred_versions(
        personas: Personas, role: str, django_assert_max_num_queries: Any) -> None:
    """Its queries follow the kinds of record on the page, never the history's length."""
    case = make_case(personas)
    reader = personas.by_role()[role]
    client = client_for(reader)
    url = reverse("review_history", args=[case.review.pk])
    _edits(personas, case.review, 30)
    client.get(url)
    with django_assert_max_num_queries(PAGE_QUERY_CEILING):
        assert client.get(url).status_code == 200
    services.chronology_import(by=personas.police_lead, review=case.review,
                               agency=personas.police, upload=csv_upload([
                                   [(case.scope_end - timedelta(days=i)).strftime("%d/%m/%Y"),
                                    "", f"Log {i}", f"Visit {i}", "PC", "no", "routine"]
                                   for i in range(150)]))
    submit(case, personas.police)
    with django_assert_max_num_queries(PAGE_QUERY_CEILING):
        page = client.get(url)
    assert page.status_code == 200
    with django_assert_max_num_queries(PAGE_QUERY_CEILING):
        assert client.get(url + _link(page, "next")).status_code == 200
    with django_assert_max_num_queries(PAGE_QUERY_CEILING):
        assert client.get(url, {"person": personas.police_lead.pk}).status_code == 200


def test_a_cursor_that_is_not_one_shows_the_first_page(personas: Personas) -> None:
    review = _review(personas)
    _edits(personas, review, 3)
    client = client_for(personas.manager)
    url = reverse("review_history", args=[review.pk])
    first = [e.why for e in client.get(url).context["page"].object_list]
    for cursor in ("nonsense", "W10", "WyJ4IiwieSJd", "%00"):
        response = client.get(url, {"after": cursor})
        assert response.status_code == 200
        assert [e.why for e in response.context["page"].object_list] == first


def _busy_case(personas: Personas) -> Case:
    """A review with records of many kinds, some of them narrower than the review: drafts
    and submitted chronology entries of two agencies (by form and by import), evidence
    requests, the family log, a meeting."""
    case = make_case(personas)
    p = personas
    for agency in (p.police, p.health):
        services.evidence_request_create(by=p.manager, review=case.review, agency=agency,
                                         due_on=timezone.localdate() + timedelta(days=10),
                                         description=f"{agency.name} IMR")
    entry(case, agency=p.police, text="Police draft, submitted")
    services.chronology_import(by=p.health_lead, review=case.review, agency=p.health,
                               upload=csv_upload([[case.scope_end.strftime("%d/%m/%Y"), "", "GP record",
                                                   "Health visit", "GP", "no", "routine"]]))
    submit(case, p.police)
    entry(case, agency=p.police, text="Police draft, kept")
    entry(case, agency=p.health, text="Health draft, kept")
    mother = case.review.subjects.get(pseudonym="Mother")
    services.family_involvement_record(by=p.reviewer, review=case.review, subject=mother,
                                       invited=False, invitation_reason="Charged with neglect")
    services.meeting_record(by=p.manager, review=case.review, kind="panel",
                            held_on=timezone.localdate())
    return case


def _versions_by_rule(reader: Any, review: Review) -> set[tuple[str, int]]:
    """What each kind's own rule (``history_in``, the old merge) shows ``reader``."""
    return {(qs.model.instance_type._meta.label_lower, history_id)
            for _label, qs in review_histories(reader, review).values()
            for history_id in qs.values_list("history_id", flat=True)}


def test_the_timeline_shows_each_reader_exactly_what_each_kinds_own_rule_shows(
        personas: Personas) -> None:
    case = _busy_case(personas)
    for role, reader in personas.by_role().items():
        if role == "board_member":
            continue  # never reads a review's history (404, the permission matrix)
        rows = review_timeline(reader, case.review)
        shown = set(rows.values_list("kind", "history_id"))
        assert shown == _versions_by_rule(reader, case.review), role
        # The parts a page walks (an agency's lead: rows of no agency, and of each of theirs)
        # are those rows again, every one.
        walked = [set(part.values_list("kind", "history_id"))
                  for part in timeline_index_parts(reader, rows)]
        assert set().union(*walked) == shown, role
    # The narrower kinds really are narrower for someone.
    lead = set(review_timeline(personas.police_lead, case.review).values_list("kind", flat=True))
    assert "reviews.familyinvolvement" not in lead and "reviews.meeting" not in lead
    manager = set(review_timeline(personas.manager, case.review).values_list(
        "kind", "record_id"))
    drafts = ChronologyEntry.objects.filter(review=case.review, status="draft")
    assert not {("reviews.chronologyentry", e.pk) for e in drafts} & manager


def _history_rows(review: Review) -> set[tuple[str, int]]:
    rows = {("reviews.review", h) for h in Review.history.filter(id=review.pk).values_list(
        "history_id", flat=True)}
    for model in review_record_models():
        path = getattr(model, "REVIEW_FIELD", "review")
        records = model._base_manager.filter(**{path: review.pk}).values("pk")
        rows |= {(model._meta.label_lower, h) for h in model.history.filter(
            id__in=records).values_list("history_id", flat=True)}
    return rows


def test_every_history_row_of_a_review_has_one_timeline_row_written_with_it(
        personas: Personas) -> None:
    case = _busy_case(personas)
    rows = TimelineRow.objects.filter(review=case.review)
    assert set(rows.values_list("kind", "history_id")) == _history_rows(case.review)
    assert rows.count() == len(_history_rows(case.review))
    imported = ChronologyEntry.history.get(what_happened="Health visit", history_type="+")
    row = rows.get(kind="reviews.chronologyentry", history_id=imported.history_id)
    assert (row.history_date, row.history_user_id, row.record_id) == (
        imported.history_date, personas.health_lead.pk, imported.id)


def test_the_migration_rebuilds_the_same_timeline_from_the_history_tables(
        personas: Personas) -> None:
    from importlib import import_module

    case = _busy_case(personas)
    written = sorted(TimelineRow.objects.filter(review=case.review).values_list(
        "kind", "history_id", "record_id", "history_date", "history_user_id"))
    TimelineRow.objects.all().delete()
    migration = import_module("reviews.migrations.0023_review_history_timeline")
    with connection.schema_editor() as editor:
        migration.backfill(apps, editor)
    assert sorted(TimelineRow.objects.filter(review=case.review).values_list(
        "kind", "history_id", "record_id", "history_date", "history_user_id")) == written
