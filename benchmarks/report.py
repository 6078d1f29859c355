"""A 40-page report: the report page, the comparison of two versions, saving a section.

Seeds one review through the real services (history included) with 15 sections (about
20,000 words of the reviewer's own text), 30 findings, 10 recommendations and two named
versions of the whole report that differ in five sections; then measures, with the Django
test client (server time, no network), as the review's reviewer:

- the draft report page (``/reviews/<pk>/report/``): SQL queries and median/p95 time;
- the comparison of the two versions (``/reviews/<pk>/report/compare/?a=1&b=2``);
- saving a section (a POST of the editor that makes a new version), median/p95;
- the same two pages on a small report (3 sections, 3 findings, 1 recommendation), to show
  the query count does not grow with the report.

Usage (a database of its own, ``<name>_report_bench``, created afresh each run):
    DATABASE_URL=postgres://scr:scr@127.0.0.1:5432/scr .venv/bin/python benchmarks/report.py
Options: ``--requests 20``. Results go to ``benchmarks/results/report.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr.settings")
os.environ.setdefault("SCR_TESTING", "1")  # fast password hashing for the seeded users

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from agencies.models import Agency, User  # noqa: E402
from agencies.models.roles import Role  # noqa: E402
from agencies.services import agency_create, membership_create  # noqa: E402
from reviews import services  # noqa: E402
from reviews.models import PanelAppointment, ReportSection, Review, Stage, Theme  # noqa: E402
from scr.history import save_with_history  # noqa: E402

SENTENCE = ("the health visitor saw the baby at home and noted bruising on the left cheek which "
            "mother explained as a fall from the sofa although the baby could not yet roll over "
            "agencies did not share the referral and the social worker closed the case after a "
            "single visit supervision did not challenge the decision risk was not reassessed "
            "when the family moved house school nursery police attended a domestic incident")
WORDS = SENTENCE.split()


def text(rng: random.Random, words: int) -> str:
    """Paragraphs of plausible sentences, about ``words`` words."""
    out, count = [], 0
    while count < words:
        sentences = []
        for _ in range(rng.randint(3, 6)):
            n = rng.randint(8, 22)
            sentence = " ".join(rng.choice(WORDS) for _ in range(n))
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
            count += n
        out.append(" ".join(sentences))
    return "\n\n".join(out)


def seed(*, sections: int, words: int, findings: int, recommendations: int,
         rng: random.Random) -> tuple[Review, User]:
    today = timezone.localdate()
    suffix = f"{sections}-{findings}"
    agency = Agency.objects.filter(kind=Agency.Kind.POLICE).first() or agency_create(
        by=None, name="Bench police", kind=Agency.Kind.POLICE)
    manager = User.objects.create_user(f"report-manager-{suffix}", password="bench-password-1")
    membership_create(by=None, user=manager, role=Role.BUSINESS_MANAGER, agency=None)
    reviewer = User.objects.create_user(f"report-reviewer-{suffix}", password="bench-password-1")
    membership_create(by=None, user=reviewer, role=Role.REVIEWER, agency=None)
    review = services.review_create(
        by=manager, incident_date=today - timedelta(days=200), aware_date=today - timedelta(days=199),
        what_happened="Bench case.", harm=Review.Harm.SERIOUS_HARM,
        abuse_or_neglect=Review.AbuseNeglect.SUSPECTED, criteria_met=True,
        referring_agency=agency, agencies_involved=[agency])
    services.panel_appoint(by=manager, review=review, user=reviewer,
                           panel_role=PanelAppointment.PanelRole.REVIEWER,
                           independence_declaration="Independent.")
    services.terms_create(by=manager, review=review, expected_version=0,
                          scope_start=today - timedelta(days=500), scope_end=today - timedelta(days=200),
                          key_lines_of_enquiry="\n".join(f"Line of enquiry {i}" for i in range(8)),
                          method="systems", agencies_in_scope=[agency])
    review.stage = Stage.REPORT  # arranged: the earlier stages are not what is measured
    save_with_history(review, by=manager, reason="Benchmark: placed at the Report stage")
    themes = list(Theme.objects.all())
    made = []
    for i in range(findings):
        finding = services.finding_create(
            by=reviewer, review=review, title=f"Finding about practice {i}",
            statement=text(rng, 120), why_it_matters=text(rng, 40),
            themes=rng.sample(themes, 2), lines_of_enquiry=[f"Line of enquiry {i % 8}"])
        services.finding_evidence_add(by=reviewer, finding=finding, kind="other",
                                      source_reference=f"Key practice episode {i}")
        made.append(finding)
    for _ in range(recommendations):
        services.recommendation_create(
            by=reviewer, review=review, text=text(rng, 40), findings=rng.sample(made, 2),
            addressee="partnership", scope="local",
            outcome_expected="By March 2027 an audit shows 90% of cases meet the standard.")
    all_sections = services.report_start(by=reviewer, review=review)
    while len(all_sections) < sections:
        all_sections.append(services.section_add(by=reviewer, review=review,
                                                 title=f"Added section {len(all_sections)}"))
    for section in all_sections[sections:]:
        services.section_move(by=reviewer, section=section, direction="up")  # kept, unwritten
    per_section = words // sections
    for section in all_sections[:sections]:
        services.section_save(by=reviewer, section=section, body=text(rng, per_section),
                              base_version=0)
    services.snapshot_create(by=reviewer, review=review, name="v1 for panel")
    for section in rng.sample(all_sections[:sections], min(5, sections)):
        section.refresh_from_db()
        body = section.current.body  # type: ignore[union-attr]
        cut = len(body) // 2
        services.section_save(by=reviewer, section=section, base_version=section.version_number,
                              body=body[:cut] + " The panel asked for this to be clearer. "
                              + body[cut:].replace("baby", "child", 3))
    services.snapshot_create(by=reviewer, review=review, name="v2 for family")
    return review, reviewer


def timed(fn: Any, n: int) -> tuple[float, float]:
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, round(0.95 * len(samples)) - 1)]


def page(client: Client, url: str, n: int) -> dict[str, float]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    count = len(queries)
    median, p95 = timed(lambda: client.get(url), n)
    return {"queries": count, "median_ms": round(median, 1), "p95_ms": round(p95, 1),
            "bytes": len(response.content)}


def saving(client: Client, section: ReportSection, n: int) -> dict[str, float]:
    url = f"/report-sections/{section.pk}/edit/"
    body = section.current.body if section.current else ""  # type: ignore[union-attr]
    version = section.version_number
    samples = []
    for i in range(n):
        t0 = time.perf_counter()
        response = client.post(url, {"body": f"{body}\n\nEdit {i}.", "base_version": version})
        samples.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 302, response.status_code
        version += 1
    samples.sort()
    return {"median_ms": round(statistics.median(samples), 1),
            "p95_ms": round(samples[max(0, round(0.95 * n) - 1)], 1), "words": len(body.split())}


def measure(review: Review, reviewer: User, n: int) -> dict[str, Any]:
    client = Client()
    client.force_login(reviewer, backend="agencies.services.account.DemoAwareModelBackend")
    section = review.report_sections.filter(current__isnull=False).order_by("position").first()
    assert section is not None
    own = sum(len(s.current.body.split()) for s in review.report_sections.select_related("current")
              if s.current)
    return {
        "sections": review.report_sections.count(), "words": own,
        "findings": review.findings.count(), "recommendations": review.recommendations.count(),
        "report_page": page(client, f"/reviews/{review.pk}/report/", n),
        "compare_two_versions": page(client, f"/reviews/{review.pk}/report/compare/?a=1&b=2", n),
        "save_a_section": saving(client, section, n),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    setup_test_environment()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False  # as in production: templates not in debug mode
    name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{name}_report_bench"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    rng = random.Random(11)
    t0 = time.perf_counter()
    small = seed(sections=3, words=1500, findings=3, recommendations=1, rng=rng)
    large = seed(sections=15, words=20000, findings=30, recommendations=10, rng=rng)
    print(f"seeded in {time.perf_counter() - t0:.1f} s")
    results = {"small": measure(*small, args.requests), "large": measure(*large, args.requests)}
    print(json.dumps(results, indent=2))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "report.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
