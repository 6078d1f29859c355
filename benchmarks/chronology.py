"""Measure the chronology: a 10,000-row import (CSV and XLSX), the merged chronology of
20,000 entries across 8 agencies (queries per page and server time) and the timeline.

Targets (issue 10): import ≤ 10 s and ≤ 200 MB; a merged page ≤ 150 ms with a constant
number of queries; the SVG timeline ≤ 300 ms. Nothing here asserts a time; it prints.

    DATABASE_URL=postgres://scr:scr@127.0.0.1:5432/scr .venv/bin/python benchmarks/chronology.py

Uses its own database ``<name>_chronobench`` (created afresh; ``--keep`` reuses the seeded
one). Results are printed and written to ``benchmarks/results/chronology.json``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr.settings")
os.environ.setdefault("SCR_TESTING", "1")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from agencies.models import Agency, User  # noqa: E402
from agencies.models.roles import Role  # noqa: E402
from agencies.services import agency_create, membership_create  # noqa: E402
from reviews import services  # noqa: E402
from reviews.models import ChronologyEntry, PanelAppointment, Review, TermsOfReference  # noqa: E402
from reviews.selectors import chronology_timeline, text_shown_to  # noqa: E402

HEADER = ["Date", "Time", "Source", "What happened", "Practitioner role", "Child seen",
          "Significance"]
AGENCIES = 8


def use_bench_database(*, keep: bool) -> None:
    setup_test_environment()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{name}_chronobench"
    # serialize=False: a reused database is not read into memory (it would inflate the RSS).
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep,
                                       serialize=False)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")


def user(username: str, role: str, agency: Agency | None) -> User:
    found = User.objects.filter(username=username).first()
    if found is None:
        found = User.objects.create_user(username, password="bench-password-1")
        membership_create(by=None, user=found, role=role, agency=agency)
    return found


def review_with(manager: User, reviewer: User, agencies: list[Agency], name: str) -> Review:
    today = timezone.localdate()
    review = services.review_create(
        by=manager, incident_date=today - timedelta(days=30), aware_date=today - timedelta(days=29),
        what_happened=f"Bench chronology {name}", harm=Review.Harm.DEATH,
        abuse_or_neglect=Review.AbuseNeglect.KNOWN, criteria_met=True,
        referring_agency=agencies[0], agencies_involved=agencies)
    services.subject_add(by=manager, review=review, kind="child", pseudonym="Child A",
                         full_name="Kayden Smith-Jones",
                         identifiers=[("known_as", "KJ")])
    services.terms_create(by=manager, review=review, expected_version=0,
                          scope_start=review.incident_date - timedelta(days=3 * 365),
                          scope_end=review.incident_date, key_lines_of_enquiry="Bench",
                          method=TermsOfReference.Method.SYSTEMS, agencies_in_scope=agencies)
    services.panel_appoint(by=manager, review=review, user=reviewer,
                           panel_role=PanelAppointment.PanelRole.REVIEWER,
                           independence_declaration="Bench")
    return review


def rows(count: int, review: Review, rng: random.Random) -> list[list[Any]]:
    start = review.incident_date - timedelta(days=3 * 365)
    out = []
    for i in range(count):
        day = start + timedelta(days=rng.randint(0, 3 * 365))
        out.append([day, None if i % 3 else f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
                    f"Case record {i}", f"Event {i}: Kayden seen with mother at home. " * 3,
                    rng.choice(["Health visitor", "PC", "Social worker", "GP"]),
                    rng.choice(["yes", "no", "no", "no"]),
                    rng.choice(["routine"] * 8 + ["significant", "key practice episode"])])
    return out


def csv_file(data: list[list[Any]]) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in data:
        writer.writerow([row[0].strftime("%d/%m/%Y"), *row[1:]])
    return SimpleUploadedFile("bench.csv", out.getvalue().encode())


def xlsx_file(data: list[list[Any]]) -> SimpleUploadedFile:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Chronology")
    sheet.append(HEADER)
    for row in data:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("bench.xlsx", out.getvalue())


def max_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def measure_import(lead: User, review: Review, agency: Agency, upload: SimpleUploadedFile,
                   *, trace: bool) -> dict[str, float]:
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    result = services.chronology_import(by=lead, review=review, agency=agency, upload=upload)
    seconds = time.perf_counter() - t0
    out = {"rows": result.created, "seconds": round(seconds, 2)}
    if trace:
        out["python_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 1024 / 1024, 1)
        tracemalloc.stop()
    out["process_max_rss_mb"] = max_rss_mb()
    return out


def timed(fn: Any, n: int) -> tuple[float, float]:
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return round(statistics.median(samples), 1), round(samples[max(0, round(0.95 * n) - 1)], 1)


class Counter:
    """Counts the SQL statements run (an execute wrapper: independent of DEBUG and of the
    query log the request signals reset)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def counted(fn: Any) -> int:
    counter = Counter()
    with connection.execute_wrapper(counter):
        fn()
    return counter.count


def page(client: Client, url: str, n: int) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    queries = counted(lambda: client.get(url))
    median, p95 = timed(lambda: client.get(url), n)
    return {"url": url, "queries": queries, "median_ms": median, "p95_ms": p95}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--merged", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    use_bench_database(keep=args.keep)
    rng = random.Random(10)
    manager = user("bench-manager", Role.BUSINESS_MANAGER, None)
    reviewer = user("bench-reviewer", Role.REVIEWER, None)
    agencies = [Agency.objects.filter(name=f"Chrono agency {i}").first()
                or agency_create(by=None, name=f"Chrono agency {i}", kind=Agency.Kind.OTHER)
                for i in range(AGENCIES)]
    leads = [user(f"bench-lead-{i}", Role.AGENCY_LEAD, a) for i, a in enumerate(agencies)]
    results: dict[str, Any] = {"database": connection.vendor, "rss_at_start_mb": max_rss_mb()}

    # 1. Imports of a 10,000-row file: time (untraced), then Python peak memory (traced).
    imports = review_with(manager, reviewer, agencies, "imports")
    data = rows(args.rows, imports, rng)
    files = {"csv": csv_file(data), "xlsx": xlsx_file(data)}
    results["file_bytes"] = {k: f.size for k, f in files.items()}
    for i, (kind, upload) in enumerate(files.items()):
        results[f"import_{kind}"] = measure_import(leads[i], imports, agencies[i], upload,
                                                   trace=False)
        upload.seek(0)
        results[f"import_{kind}_traced"] = measure_import(leads[i + 2], imports, agencies[i + 2],
                                                          upload, trace=True)
        print(kind, results[f"import_{kind}"], results[f"import_{kind}_traced"])

    # 2. The merged chronology: 20,000 submitted entries across 8 agencies.
    merged = Review.objects.filter(what_happened="Bench chronology merged").first()
    if merged is None:
        merged = review_with(manager, reviewer, agencies, "merged")
        per_agency = args.merged // AGENCIES
        for i, agency in enumerate(agencies):
            services.chronology_import(by=leads[i], review=merged, agency=agency,
                                       upload=csv_file(rows(per_agency, merged, rng)))
            services.chronology_submit(by=leads[i], review=merged, agency=agency)
    count = ChronologyEntry.objects.filter(review=merged, status="submitted").count()
    results["merged_entries"] = count
    pages = -(-count // 50)
    for who, person in (("manager", manager), ("reviewer", reviewer)):
        client = Client()
        client.force_login(person, backend="agencies.services.account.DemoAwareModelBackend")
        base = f"/reviews/{merged.pk}/chronology/"
        results[f"merged_pages_as_{who}"] = [
            page(client, f"{base}?page={n}", args.requests) for n in (1, pages // 2, pages)] + [
            page(client, f"{base}?agency={agencies[3].pk}&significance=key&page=2", args.requests)]
        print(who, results[f"merged_pages_as_{who}"])

    # 3. The timeline on its own (it is part of each page above).
    shown = text_shown_to(reviewer, merged)
    timeline = chronology_timeline(reviewer, merged, shown)
    queries = counted(lambda: chronology_timeline(reviewer, merged, shown))
    median, p95 = timed(lambda: chronology_timeline(reviewer, merged, shown), args.requests)
    results["timeline"] = {"median_ms": median, "p95_ms": p95, "queries": queries,
                           "bin_days": timeline.bin_days, "marks": sum(
                               len(lane.marks) for lane in timeline.lanes),
                           "not_seen_periods": len(timeline.gaps)}
    print("timeline", results["timeline"])
    results["process_max_rss_mb"] = max_rss_mb()
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "chronology.json").write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()

