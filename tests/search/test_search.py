"""Search across reviews finds exactly what each person may read (each model's ``for_user``,
in reviews whose real identities they may see), ranked and safely highlighted, in a fixed
number of queries; the embedded default's simpler search finds the same records."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.models import ChronologyEntry, Meeting, Review
from search.selectors import records
from search.selectors.records import KINDS, search_records, search_vector
from tests.personas import client_for
from tests.search.world import MODELS, WORD, SearchWorld, build
from tests.shared_db import layered

module_layer, world = layered(build)

ROLES = ("business_manager", "reviewer", "panel_member", "police_lead", "health_lead",
         "board_member")


@pytest.fixture(params=["full text", "fallback"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """PostgreSQL's full-text search, and the embedded default's ``icontains`` (run here on
    PostgreSQL: the same querysets, the other branch)."""
    if request.param == "fallback":
        monkeypatch.setattr(records, "uses_full_text", lambda: False)
    return str(request.param)


def _review_id(kind: str, record: Any) -> int:
    if kind == "review":
        return int(record.pk)
    if kind == "evidence_document":
        return int(record.request.review_id)
    return int(record.review_id)


def readable(w: SearchWorld, user: Any) -> set[tuple[str, int]]:
    """The planted records the person's scopes let them read with real identities: in the
    model's ``for_user(user, "view")`` and in a review of ``view_identifiable``."""
    identifiable = set(Review.objects.for_user(user, "view_identifiable")
                       .values_list("pk", flat=True))
    found = set()
    for kind, planted in w.planted.items():
        model: type[Model] = MODELS[kind]
        visible = set(model._default_manager.for_user(user, "view")  # type: ignore[attr-defined]
                      .filter(pk__in=[r.pk for r in planted]).values_list("pk", flat=True))
        found |= {(kind, r.pk) for r in planted
                  if r.pk in visible and _review_id(kind, r) in identifiable}
    return found


def found_by(user: Any, text: str = WORD) -> set[tuple[str, int]]:
    results = []
    page = 1
    while True:
        found = search_records(user, text, page=page)
        results += found.results
        if not found.has_next:
            break
        page += 1
    pairs = {(r.kind, r.pk) for r in results}
    assert len(pairs) == len(results), "a record listed twice"
    return pairs


@pytest.mark.parametrize("role", ROLES)
def test_each_role_finds_exactly_what_for_user_lets_them_read(
        world: SearchWorld, role: str, engine: str) -> None:
    user = world.people.by_role()[role]
    assert found_by(user) == readable(world, user)


def test_what_each_role_finds_in_each_review(world: SearchWorld, engine: str) -> None:
    w = world
    p = w.people
    planted_in = {(k, r.pk) for k, rs in w.planted.items() for r in rs
                  if _review_id(k, r) == w.review_in.pk}
    planted_out = {(k, r.pk) for k, rs in w.planted.items() for r in rs} - planted_in
    drafts = {("chronology_entry", e.pk) for e in ChronologyEntry.objects.filter(
        status=ChronologyEntry.Status.DRAFT)}
    # The business manager: everything but the agencies' unsubmitted chronology drafts.
    assert found_by(p.manager) == (planted_in | planted_out) - drafts
    # An agency lead: their own agency's review only, their own drafts too, not the team's
    # meetings and minutes.
    police = found_by(p.police_lead)
    assert police <= planted_in
    assert {k for k, _ in planted_in - police} == {"meeting", "meeting_minutes"}
    health = found_by(p.health_lead)
    assert health <= planted_out
    assert {k for k, _ in planted_out - health} == {"meeting", "meeting_minutes"}
    # The appointed reviewer and panel member: review_in only, never a draft.
    for person in (p.reviewer, p.panel):
        assert found_by(person) <= planted_in - drafts
        assert ("finding", w.planted["finding"][0].pk) in found_by(person)
    # The board may see both published reviews, but never their text.
    assert found_by(p.board) == set()


def test_a_review_is_found_by_its_reference_by_whoever_may_see_it(world: SearchWorld) -> None:
    w = world
    reference = w.review_out.reference
    assert found_by(w.people.board, reference) == {("reference", w.review_out.pk)}
    assert found_by(w.people.health_lead, reference.lower()) == {("reference", w.review_out.pk)}
    assert found_by(w.people.police_lead, reference) == set()


def test_results_link_to_each_records_page(world: SearchWorld) -> None:
    w = world
    results = {r.kind: r for r in search_records(w.people.police_lead, WORD).results}
    action = w.planted["action"][0]
    assert results["action"].url == reverse("action", args=[action.pk])
    assert results["impact_evidence"].url == reverse("action", args=[action.pk])
    assert results["finding"].url == reverse("finding", args=[w.planted["finding"][0].pk])
    assert results["chronology_entry"].url == reverse(
        "agency_chronology", args=[w.review_in.pk, w.people.police.pk])
    assert results["evidence_document"].url == reverse(
        "evidence_request", args=[w.planted["evidence_document"][0].request_id])
    reviewer = {r.kind: r for r in search_records(w.people.reviewer, WORD).results}
    assert reviewer["chronology_entry"].url == reverse("review_chronology", args=[w.review_in.pk])
    assert reviewer["meeting_minutes"].url == reverse(
        "meeting", args=[w.planted["meeting"][0].pk])
    for result in results.values():
        assert client_for(w.people.police_lead).get(result.url).status_code == 200, result


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_full_text_ranks_and_finds_words_in_any_form(world: SearchWorld) -> None:
    w = world
    found = search_records(w.people.manager, "zephyrines visits")  # stemmed: visit, visits
    kinds = {r.kind for r in found.results}
    assert {"meeting", "evidence_document", "meeting_minutes", "finding"} <= kinds
    assert [r.rank for r in found.results] == sorted((r.rank for r in found.results),
                                                     reverse=True)
    assert all(f"{records.MARK_START}" in r.snippet for r in found.results)
    assert search_records(w.people.manager, f'"{WORD} visit" -audit').results
    assert not search_records(w.people.manager, f"{WORD} -{WORD}").results


def test_highlighted_document_text_cannot_inject_markup(world: SearchWorld, engine: str) -> None:
    w = world
    meeting = w.planted["meeting"][0]
    Meeting.objects.filter(pk=meeting.pk).update(
        notes=f"<script>alert('x')</script> {WORD} <img src=x onerror=alert(1)> & more "
              f"<b onmouseover=alert(1)>{WORD}</b>")
    page = client_for(w.people.manager).get(reverse("search"), {"q": WORD}).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page and "<b onm" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; more" in page
    assert f"<mark>{WORD}</mark>" in page


def test_a_search_costs_the_same_queries_however_many_records_match(world: SearchWorld) -> None:
    w = world
    user = w.people.manager
    entry = w.planted["chronology_entry"][0]

    def cost() -> int:
        user.__dict__.pop("_review_scope", None)
        with CaptureQueriesContext(connection) as queries:
            search_records(user, WORD)
        return len(queries)

    few = cost()
    for n in range(30):
        ChronologyEntry.objects.create(
            review=entry.review, agency=entry.agency, occurred_on=entry.occurred_on,
            source="Log", what_happened=f"Entry {n}: {WORD}.", practitioner_role="PC",
            child_seen=False, status=ChronologyEntry.Status.SUBMITTED)
    many = cost()
    assert many <= few
    assert few <= 2 + len(KINDS)  # one union, then one query per kind on the page


def test_the_search_page_pages_through_results(world: SearchWorld) -> None:
    w = world
    client = client_for(w.people.manager)
    first = client.get(reverse("search"), {"q": WORD})
    assert first.status_code == 200
    assert first.context["found"].results
    empty = client.get(reverse("search"), {"q": "nothingmatchesthis"})
    assert "No results for" in empty.content.decode()


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_each_kinds_search_uses_its_index(db: None) -> None:
    """Each kind's match reads its stored vector's GIN index (migration search.0002)."""
    from django.contrib.postgres.search import SearchQuery

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for kind in KINDS:
            qs = kind.model._default_manager.annotate(document=search_vector(kind)).filter(
                document=SearchQuery(WORD, config="english", search_type="websearch"))
            plan = qs.explain()
            assert "_fts" in plan, (kind.name, plan)


def test_the_stored_vectors_hold_the_fields_each_kind_searches() -> None:
    import importlib

    migration = importlib.import_module("search.migrations.0002_search_indexes")
    stored = {(f"{app}.{model}".lower(), fields) for app, model, fields, _ in migration.INDEXES}
    assert stored == {(kind.model._meta.label_lower, kind.fields) for kind in KINDS}
