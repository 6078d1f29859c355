"""Measure search across reviews (issue 21): reviews, chronology entries and documents' text
seeded in bulk, then ``search.selectors.search_records`` timed for a business manager and an
agency lead over a set of queries (common words, rare words, phrases, no match).

Target (issue 21): median and p95 per query ≤ 150 ms at 5,000 reviews, 1,000,000 chronology
entries and 20,000 documents' text; the index sizes are printed too. Nothing here asserts a
time; it prints. ``--scale 0.1`` seeds a tenth of that (the default full scale takes several
minutes and a few GB of disk on a shared machine).

    DATABASE_URL=postgres://scr:scr@127.0.0.1:5432/scr .venv/bin/python benchmarks/search.py

Uses its own database ``<name>_searchbench`` (created afresh; ``--keep`` reuses the seeded
one). Rows are written with SQL (``generate_series``), not through the services: what is
measured is the search, not the seeding; history rows are not needed by it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr.settings")
os.environ.setdefault("SCR_TESTING", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Permission  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from agencies.models import Agency, User  # noqa: E402
from agencies.models.roles import Role  # noqa: E402
from agencies.services import agency_create, membership_create  # noqa: E402
from search.selectors import search_records  # noqa: E402

# Words of the seeded text: safeguarding vocabulary, and made-up rarer words.
COMMON = [
    "visit", "home", "child", "mother", "father", "school", "health", "police", "referral",
    "strategy", "meeting", "concern", "bruise", "neglect", "assessment", "plan", "seen", "parent",
    "nursery", "GP", "hospital", "injury", "social", "worker", "threshold", "report", "agency",
    "information", "shared"
]
RARE = [f"word{n}" for n in range(5000)]
# Each query and its kind (a common word is in about half the entries, a rare one in a few).
QUERIES = {"visit": "common word", "strategy meeting": "common words",
           '"information shared"': "phrase", "bruise nursery": "common words",
           "word17": "rare word", "word4242 hospital": "rare and common word",
           "neglect -police": "exclusion", "referral or threshold": "either word",
           "nothingmatches": "no match", "mother seen at home": "common words"}


def use_bench_database(*, keep: bool) -> None:
    setup_test_environment()
    name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{name}_searchbench"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep,
                                       serialize=False)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")


def person(username: str, role: str, agency: Agency | None) -> User:
    found = User.objects.filter(username=username).first()
    if found is None:
        found = User.objects.create_user(username, password="bench-password-1")
        membership_create(by=None, user=found, role=role, agency=agency)
    return found


def words_sql(count: int) -> str:
    """SQL for ``count`` random words (common and rare)."""
    common = "ARRAY[" + ",".join(f"'{w}'" for w in COMMON) + "]"
    pick = (f"CASE WHEN random() < 0.9 THEN ({common})[1 + floor(random() * {len(COMMON)})::int]"
            f" ELSE 'word' || floor(random() * {len(RARE)})::int END")
    return " || ' ' || ".join([pick] * count)


# Tables the seeding fills in bulk: their secondary indexes (the GIN indexes of the search
# among them) are dropped while loading and built again afterwards, once, from sorted data,
# rather than updated a row at a time.
BULK_TABLES = ("reviews_review", "reviews_chronologyentry", "reviews_evidencedocument",
               "reviews_evidencerequest")


def secondary_indexes(cursor: Any) -> list[tuple[str, str]]:
    """(name, definition) of the loaded tables' indexes that no constraint owns."""
    cursor.execute("""
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.tablename = ANY(%s) AND NOT EXISTS (
            SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""", [list(BULK_TABLES)])
    return list(cursor.fetchall())


def seed(scale: float, document_words: int) -> dict[str, Any]:
    reviews, entries, documents = int(5000 * scale), int(1_000_000 * scale), int(20_000 * scale)
    police = Agency.objects.filter(name="Police").first() or agency_create(
        by=None, name="Police", kind=Agency.Kind.POLICE)
    health = Agency.objects.filter(name="Health").first() or agency_create(
        by=None, name="Health", kind=Agency.Kind.HEALTH)
    manager = person("bench_manager", Role.BUSINESS_MANAGER, None)
    lead = person("bench_police", Role.AGENCY_LEAD, police)
    if connection.cursor().execute("SELECT count(*) FROM reviews_review").fetchone()[0]:
        return {"manager": manager, "lead": lead}
    started = time.perf_counter()
    codenames = Permission.objects.filter(codename__in=["view_review", "view_identifiable"])
    # A document's text: ``document_words`` words, in pieces of 50 (one CASE per word).
    document_text = " || ' ' || ".join([f"({words_sql(50)})"] * max(1, document_words // 50))
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute("SET synchronous_commit = off")
        indexes = secondary_indexes(cursor)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(f"""
            INSERT INTO reviews_review (reference, stage, stage_entered_at, incident_date,
                aware_date, what_happened, harm, abuse_or_neglect, criteria_met,
                referring_agency_id, national_panel_reply, decision, decision_reasons,
                next_clock, has_missed_clock)
            SELECT 'BENCH-' || n, 'analysis', now(), current_date - 400, current_date - 399,
                   {words_sql(40)}, 'death', 'known', true, {police.pk}, '', 'review',
                   {words_sql(20)}, '', false
            FROM generate_series(1, {reviews}) AS n""")
        # The police lead's agency is involved in one review in ten.
        cursor.execute(f"""
            INSERT INTO reviews_reviewgroupobjectpermission (content_object_id, group_id,
                permission_id)
            SELECT r.id, {police.group_id}, p.id FROM reviews_review r,
                   auth_permission p WHERE r.id % 10 = 0 AND p.id IN
                   ({",".join(str(p.pk) for p in codenames)})""")
        cursor.execute(f"""
            INSERT INTO reviews_chronologyentry (review_id, agency_id, occurred_on, source,
                what_happened, practitioner_role, child_seen, significance, status, withdrawn)
            SELECT 1 + (n % {reviews}) + (SELECT min(id) - 1 FROM reviews_review),
                   CASE WHEN n % 2 = 0 THEN {police.pk} ELSE {health.pk} END,
                   current_date - 500 + (n % 300), 'Record ' || n, {words_sql(25)}, 'PC',
                   n % 3 = 0, 'routine', 'submitted', false
            FROM generate_series(1, {entries}) AS n""")
        print(f"  {entries} chronology entries: {time.perf_counter() - started:.0f} s",
              flush=True)
        cursor.execute(f"""
            INSERT INTO reviews_evidencerequest (review_id, agency_id, kind, description,
                requested_on, due_on, status, missing, withdrawn_reason, shared_with_panel)
            SELECT id, CASE WHEN id % 2 = 0 THEN {police.pk} ELSE {health.pk} END, 'imr',
                   'IMR', current_date, current_date + 30, 'accepted', '', '', false
            FROM reviews_review""")
        cursor.execute(f"""
            INSERT INTO reviews_evidencedocument (request_id, series, submission_number, file,
                original_filename, content_type, size, sha256, version, uploaded_by_id,
                uploaded_at, text, text_status, withdrawn_reason)
            SELECT (SELECT min(id) FROM reviews_evidencerequest) + (n % {reviews}), n, 1,
                   'bench/none', 'imr-' || n || '.pdf', 'application/pdf', 1, '', 1,
                   {manager.pk}, now(), {document_text}, 'read', ''
            FROM generate_series(1, {documents}) AS n""")
        print(f"  {documents} documents: {time.perf_counter() - started:.0f} s", flush=True)
        for _name, definition in indexes:
            cursor.execute(definition)
        print(f"  {len(indexes)} indexes built again: {time.perf_counter() - started:.0f} s",
              flush=True)
        cursor.execute("ANALYZE")
    print(f"seeded {reviews} reviews, {entries} chronology entries, {documents} documents of "
          f"{document_words} words in {time.perf_counter() - started:.0f} s", flush=True)
    return {"manager": manager, "lead": lead}


def index_sizes() -> dict[str, str]:
    """The search's GIN indexes, and the stored tsvector columns they index (in the table)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, pg_size_pretty(pg_relation_size(indexname::regclass))"
                       " FROM pg_indexes WHERE indexname LIKE 'search_%_fts' ORDER BY 1")
        sizes = dict(cursor.fetchall())
        for table in ("reviews_chronologyentry", "reviews_evidencedocument"):
            cursor.execute(f"SELECT pg_size_pretty(sum(pg_column_size(search_document))),"
                           f" pg_size_pretty(pg_total_relation_size('{table}')) FROM {table}")
            column, total = cursor.fetchone()
            sizes[f"{table}.search_document"] = column
            sizes[f"{table} (total, with indexes and TOAST)"] = total
        return sizes


def percentile(times: list[float], share: float) -> float:
    """Nearest rank: the smallest time at least ``share`` of the times are not above."""
    ordered = sorted(times)
    return round(ordered[max(0, math.ceil(len(ordered) * share) - 1)], 1)


def summary(times: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(times), 1), "p95_ms": percentile(times, 0.95)}


def measure(user: User, rounds: int) -> dict[str, Any]:
    """Every query ``rounds`` times (after one warm-up round, not counted): overall, by kind
    of query and by query."""
    by_query: dict[str, list[float]] = {text: [] for text in QUERIES}
    queries: set[int] = set()
    for round_ in range(rounds + 1):
        for text in QUERIES:
            fresh = User.objects.get(pk=user.pk)  # as a new request: nothing cached on it
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                search_records(fresh, text)
                elapsed = (time.perf_counter() - started) * 1000
            if round_:
                by_query[text].append(elapsed)
                queries.add(len(captured))
    by_kind: dict[str, list[float]] = {}
    for text, times in by_query.items():
        by_kind.setdefault(QUERIES[text], []).extend(times)
    return {**summary([t for times in by_query.values() for t in times]),
            "queries": sorted(queries), "searches": rounds * len(QUERIES),
            "by_kind": {kind: summary(times) for kind, times in by_kind.items()},
            "by_query": {text: summary(times) for text, times in by_query.items()}}


def explain(user: User, text: str) -> str:
    """EXPLAIN ANALYZE of the search's first query (the page's rows, every kind)."""
    with CaptureQueriesContext(connection) as captured:
        search_records(User.objects.get(pk=user.pk), text)
    sql = next(q["sql"] for q in captured if "UNION ALL" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--document-words", type=int, default=500)
    parser.add_argument("--seed-only", action="store_true", help="seed, measure nothing")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--explain", metavar="QUERY", help="print the plan of one search and stop")
    parser.add_argument("--as", dest="role", choices=["manager", "lead"], default="manager")
    args = parser.parse_args()
    use_bench_database(keep=args.keep)
    people = seed(args.scale, args.document_words)
    if args.seed_only:
        return
    if args.explain:
        print(explain(people[args.role], args.explain))
        return
    results = {"scale": args.scale, "index_sizes": index_sizes(),
               "business_manager": measure(people["manager"], args.rounds),
               "agency_lead": measure(people["lead"], args.rounds)}
    print(json.dumps(results, indent=2))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "search.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
