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
QUERIES = ["visit", "strategy meeting", '"information shared"', "bruise nursery", "word17",
           "word4242 hospital", "neglect -police", "referral or threshold", "nothingmatches",
           "mother seen at home"]


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


def seed(scale: float) -> dict[str, Any]:
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
    with connection.cursor() as cursor:
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
                   {manager.pk}, now(), {" || ' ' || ".join([f"({words_sql(50)})"] * 10)},
                   'read', ''
            FROM generate_series(1, {documents}) AS n""")
        cursor.execute("ANALYZE")
    print(f"seeded {reviews} reviews, {entries} chronology entries, {documents} documents in "
          f"{time.perf_counter() - started:.0f} s")
    return {"manager": manager, "lead": lead}


def index_sizes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, pg_size_pretty(pg_relation_size(indexname::regclass))"
                       " FROM pg_indexes WHERE indexname LIKE 'search_%_fts' ORDER BY 1")
        return dict(cursor.fetchall())


def measure(user: User, rounds: int) -> dict[str, Any]:
    times: list[float] = []
    queries: set[int] = set()
    for _ in range(rounds):
        for text in QUERIES:
            user.__dict__.pop("_review_scope", None)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                search_records(user, text)
                times.append((time.perf_counter() - started) * 1000)
            queries.add(len(captured))
    times.sort()
    return {"median_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
            "queries": sorted(queries), "searches": len(times)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    use_bench_database(keep=args.keep)
    people = seed(args.scale)
    results = {"scale": args.scale, "index_sizes": index_sizes(),
               "business_manager": measure(people["manager"], args.rounds),
               "agency_lead": measure(people["lead"], args.rounds)}
    print(json.dumps(results, indent=2))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "search.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
