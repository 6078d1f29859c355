"""Every page of the app, one user at a time, beside the bare signed-in layout (issue 20,
item 2).

Seeds once, into its own database ``<name>_pages`` (kept between runs: a second run reuses
it), a partnership of ``--reviews`` reviews (500) of which ``--full`` (50) carry full
second-half content, all through the services (history included):

- a chronology of 10 agencies × ``--entries`` (200) entries each, imported and submitted;
- an agency report (IMR) from each agency in 3 versions (submitted, returned, resubmitted);
- findings and recommendations, and a report of 15 sections (~20,000 words, about 40
  pages) in 5 named versions, each shared with the panel, with ``--comments`` (200)
  comments on them;
- published, at Action plan and monitoring, with an action plan of ``--actions`` (40)
  actions, each with a progress update and a piece of evidence of impact.

The other reviews are seeded as ``run_all.py`` seeds them (referral or notification).

Then, Django test client (server time, no network), ``DEBUG`` off, ``--requests`` (20)
requests each: the bare signed-in layout at the start and at the end (the ratio's
denominator is their mean), and each page as the role that reads it daily. Prints each
page's median, p95, queries and ratio to the bare page; JSON in
``benchmarks/results/pages.json``. Nothing here asserts a time.

    DATABASE_URL=postgres://scr:scr@127.0.0.1:5432/scr .venv/bin/python benchmarks/pages.py
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
import traceback
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.bench_settings")
os.environ.setdefault("SCR_TESTING", "1")

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from actionplans import services as plan_services  # noqa: E402
from actionplans.models import Action, ActionStatus  # noqa: E402
from agencies.models import Agency, User  # noqa: E402
from agencies.models.roles import Role  # noqa: E402
from agencies.services import agency_create, membership_create  # noqa: E402
from benchmarks.chronology import counted, csv_file, rows, timed  # noqa: E402
from benchmarks.report import text  # noqa: E402
from benchmarks.run_all import people as light_people  # noqa: E402
from benchmarks.run_all import seed as light_seed  # noqa: E402
from reviews import services  # noqa: E402
from reviews.models import (  # noqa: E402
    EvidenceKind,
    EvidenceRequest,
    PanelAppointment,
    Review,
    ReviewRecord,
    Stage,
    Theme,
)
from scr.history import save_with_history  # noqa: E402

AGENCIES = 10
BACKEND = "agencies.services.account.DemoAwareModelBackend"
FULL = "Pages full review"


def use_pages_database() -> None:
    setup_test_environment()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{name}_pages"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True,
                                       serialize=False)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)


def person(username: str, role: str, agency: Agency | None) -> User:
    found = User.objects.filter(username=username).first()
    if found is None:
        found = User.objects.create_user(username, password="bench-password-1")
        membership_create(by=None, user=found, role=role, agency=agency)
    return found


def cast() -> dict[str, Any]:
    agencies = [Agency.objects.filter(name=f"Pages agency {i}").first()
                or agency_create(by=None, name=f"Pages agency {i}",
                                 kind=[Agency.Kind.POLICE, Agency.Kind.HEALTH,
                                       Agency.Kind.CHILDRENS_SOCIAL_CARE, Agency.Kind.EDUCATION,
                                       Agency.Kind.PROBATION][i % 5] if i < 5
                                 else Agency.Kind.OTHER)
                for i in range(AGENCIES)]
    return {
        "agencies": agencies,
        "manager": person("pages-manager", Role.BUSINESS_MANAGER, None),
        "reviewer": person("pages-reviewer", Role.REVIEWER, None),
        "panel": person("pages-panel", Role.PANEL_MEMBER, agencies[1]),
        "leads": [person(f"pages-lead-{i}", Role.AGENCY_LEAD, a) for i, a in enumerate(agencies)],
        "board": person("pages-board", Role.BOARD_MEMBER, None),
    }


def placed(review: Review, stage: str, by: User) -> None:
    """Arranged: the review moved to ``stage`` without walking every move before it (the
    moves are not what is measured), recorded in its history."""
    review.stage = stage
    save_with_history(review, by=by, reason=f"Benchmark: placed at {stage}")


def phase(name: str, fn: Callable[[], Any]) -> Any:
    """One part of a full review's seeding; a failure is printed and the rest goes on (the
    pages that need it then show less)."""
    try:
        return fn()
    except Exception:
        print(f"  seeding {name} failed:", flush=True)
        traceback.print_exc(limit=3)
        return None


def full_review(c: dict[str, Any], n: int, args: argparse.Namespace,
                rng: random.Random) -> Review:
    manager, reviewer, panel, leads = c["manager"], c["reviewer"], c["panel"], c["leads"]
    agencies: list[Agency] = c["agencies"]
    today = timezone.localdate()
    review = services.review_create(
        by=manager, incident_date=today - timedelta(days=420), aware_date=today - timedelta(days=418),
        what_happened=f"{FULL} {n}: Kayden Smith-Jones was injured.",
        harm=Review.Harm.SERIOUS_HARM, abuse_or_neglect=Review.AbuseNeglect.SUSPECTED,
        criteria_met=True, referring_agency=agencies[0], agencies_involved=agencies)
    services.subject_add(by=manager, review=review, kind="child", pseudonym="Child A",
                         full_name="Kayden Smith-Jones")
    services.terms_create(by=manager, review=review, expected_version=0,
                          scope_start=review.incident_date - timedelta(days=3 * 365),
                          scope_end=review.incident_date,
                          key_lines_of_enquiry="\n".join(f"Line of enquiry {i}" for i in range(8)),
                          method="systems", agencies_in_scope=agencies)
    services.panel_appoint(by=manager, review=review, user=reviewer,
                           panel_role=PanelAppointment.PanelRole.REVIEWER,
                           independence_declaration="Independent.")
    services.panel_appoint(by=manager, review=review, user=panel,
                           panel_role=PanelAppointment.PanelRole.MEMBER, agency=agencies[1])
    placed(review, Stage.EVIDENCE, manager)

    def chronologies() -> None:
        for lead, agency in zip(leads, agencies, strict=True):
            services.chronology_import(by=lead, review=review, agency=agency,
                                       upload=csv_file(rows(args.entries, review, rng)))
            services.chronology_submit(by=lead, review=review, agency=agency)

    def agency_reports() -> None:
        requests = services.evidence_requests_send(
            by=manager, review=review, agencies=agencies, kind=EvidenceKind.IMR,
            description="Your agency report.", due_on=today + timedelta(days=10))
        for request in requests:
            lead = leads[agencies.index(request.agency)]
            for version in range(3):
                services.agency_report_save(
                    by=lead, request=request, author="Safeguarding review officer",
                    independence="No involvement in the case.",
                    records_secured_on=today - timedelta(days=30),
                    terms_addressed=text(rng, 80), context=text(rng, 300),
                    analysis=text(rng, 600 + version * 50), lessons=text(rng, 100))
                if version == 0:
                    services.evidence_document_upload(by=lead, request=request, upload=ContentFile(
                        b"Police contacts with the family.\n" * 40, name="contacts.txt"))
                services.evidence_request_submit(by=lead, request=request, expected_number=version)
                if version < 2:
                    services.evidence_request_return(by=reviewer, request=request,
                                                     missing="Say who supervised the staff.")

    phase("chronologies", chronologies)
    phase("agency reports", agency_reports)
    placed(review, Stage.REPORT, manager)
    themes = list(Theme.objects.all())
    findings = []
    for i in range(10):
        finding = services.finding_create(
            by=reviewer, review=review, title=f"Finding about practice {i}",
            statement=text(rng, 120), why_it_matters=text(rng, 40),
            themes=rng.sample(themes, 2), lines_of_enquiry=[f"Line of enquiry {i % 8}"])
        services.finding_evidence_add(by=reviewer, finding=finding, kind="other",
                                      source_reference=f"Key practice episode {i}")
        findings.append(finding)
    recommendations = [services.recommendation_create(
        by=reviewer, review=review, text=text(rng, 40), findings=rng.sample(findings, 2),
        addressee="partnership", scope="local",
        outcome_expected="By March 2027 an audit shows 90% of cases meet the standard.")
        for _ in range(10)]

    def report() -> None:
        sections = services.report_start(by=reviewer, review=review)[:15]
        for section in sections:
            services.section_save(by=reviewer, section=section, body=text(rng, 20_000 // 15),
                                  base_version=0)
        snapshots = []
        for v in range(5):
            if v:
                for section in rng.sample(sections, 5):
                    section.refresh_from_db()
                    body = section.current.body if section.current else ""
                    cut = len(body) // 2
                    services.section_save(
                        by=reviewer, section=section, base_version=section.version_number,
                        body=body[:cut] + f" Changed for version {v + 1}. " + body[cut:])
            snapshot = services.snapshot_create(by=reviewer, review=review, name=f"v{v + 1}")
            services.snapshot_share(by=reviewer, snapshot=snapshot)
            snapshots.append(snapshot)
        parts = [part for snapshot in snapshots for part in snapshot.parts.all()]
        for i in range(args.comments):
            services.comment_add(by=panel if i % 2 else reviewer, part=parts[i % len(parts)],
                                 text=text(rng, 30))

    phase("report", report)
    placed(review, Stage.PUBLICATION, manager)

    phase("publication and action plan",
          lambda: action_plan(c, review, recommendations, args, rng))
    return review


def action_plan(c: dict[str, Any], review: Review, recommendations: list[Any],
                args: argparse.Namespace, rng: random.Random) -> None:
    """Published, at Action plan and monitoring, ``--actions`` actions each with a progress
    update and evidence of impact."""
    from scr.workdays import subtract_working_days

    manager, leads, agencies = c["manager"], c["leads"], c["agencies"]
    today = timezone.localdate()
    review.refresh_from_db()
    if review.published_on is None:
        services.report_and_publication_record(
            by=manager, review=review, planned_publication_on=today,
            national_panel_sent_report_on=subtract_working_days(today, 7), published_on=today)
    if review.stage != Stage.MONITORING:
        placed(review, Stage.MONITORING, manager)
    for i in range(Action.objects.filter(review=review).count(), args.actions):
        lead, agency = leads[i % AGENCIES], agencies[i % AGENCIES]
        action = plan_services.action_create(
            by=manager, recommendation=recommendations[i % len(recommendations)],
            scope="local", action_text=f"Audit of practice {i}: {text(rng, 20)}",
            lead_agency=agency, owner=lead,
            target_date=today + timedelta(days=rng.randint(1, 200)),
            success_measure="An audit shows 90% of cases meet the standard.")
        plan_services.action_update_progress(by=lead, action=action, note=text(rng, 30),
                                             status=ActionStatus.IN_PROGRESS)
        plan_services.impact_evidence_add(by=lead, action=action, title=f"Audit {i}",
                                          upload=ContentFile(b"Audit results.\n" * 20,
                                                             name=f"audit-{i}.txt"))


def seed(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(22)
    c = cast()
    full = list(Review.objects.filter(what_happened__startswith=FULL).order_by("pk"))
    started = time.perf_counter()
    for review in full:  # a plan whose seeding failed before (kept database)
        if Action.objects.filter(review=review).count() < args.actions:
            phase("action plan", lambda r=review: action_plan(
                c, r, list(r.recommendations.order_by("pk")), args, rng))
    for n in range(len(full), args.full):
        t0 = time.perf_counter()
        full.append(full_review(c, n, args, rng))
        print(f"  full review {n + 1}/{args.full}: {time.perf_counter() - t0:.0f} s", flush=True)
    manager, _lead, agencies = light_people()
    light_seed(args.reviews, manager, agencies, rng)
    with connection.cursor() as cursor:  # as autovacuum would after a load this size
        cursor.execute("ANALYZE")
    print(f"seeded in {time.perf_counter() - started:.0f} s; reviews: {Review.objects.count()}, "
          f"full: {len(full)}", flush=True)
    c["review"] = full[0]
    return c


def signed_in(person: User) -> Client:
    client = Client()
    client.force_login(person, backend=BACKEND)
    return client


def next_link(client: Client, url: str, hops: int) -> str:
    current = url
    for _ in range(hops):
        html = client.get(current).content.decode()
        found = re.search(r'href="(\?[^"]*)" rel="next"', html)
        if found is None:
            break
        current = url.split("?")[0] + found.group(1).replace("&amp;", "&")
    return current


def pages(c: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(label, role, URL) of every page measured, for the first full review."""
    review: Review = c["review"]
    r = review.pk
    imr = EvidenceRequest.objects.filter(review=review, kind=EvidenceKind.IMR).order_by("pk").first()
    agency = c["agencies"][0]
    snapshots = list(review.snapshots.order_by("number").values_list("pk", flat=True)) \
        if hasattr(review, "snapshots") else []
    from reviews.models import ReportSection, ReportSnapshot

    snapshots = list(ReportSnapshot.objects.filter(review=review).order_by("number")
                     .values_list("pk", flat=True))
    section = ReportSection.objects.filter(review=review, current__isnull=False).order_by(
        "position").first()
    finding = review.findings.order_by("pk").first()
    action = Action.objects.filter(review=review).order_by("pk").first()
    listed = [
        ("home (manager)", "manager", "/"),
        ("home (agency lead)", "lead", "/"),
        ("review list", "manager", "/reviews/"),
        ("review list (agency lead)", "lead", "/reviews/"),
        ("review", "manager", f"/reviews/{r}/"),
        ("review (panel member)", "panel", f"/reviews/{r}/"),
        ("people in the case", "manager", f"/reviews/{r}/people/"),
        ("clocks", "manager", f"/reviews/{r}/clocks/"),
        ("panel", "manager", f"/reviews/{r}/panel/"),
        ("history (manager)", "manager", f"/reviews/{r}/history/"),
        ("history (reviewer)", "reviewer", f"/reviews/{r}/history/"),
        ("history (panel member)", "panel", f"/reviews/{r}/history/"),
        ("history (agency lead)", "lead", f"/reviews/{r}/history/"),
        ("evidence grid", "manager", f"/reviews/{r}/evidence/"),
        ("evidence grid (agency lead)", "lead", f"/reviews/{r}/evidence/"),
        ("meetings", "manager", f"/reviews/{r}/meetings/"),
        ("family", "manager", f"/reviews/{r}/family/"),
        ("merged chronology p1 (reviewer)", "reviewer", f"/reviews/{r}/chronology/"),
        ("agency chronology p1 (agency lead)", "lead",
         f"/reviews/{r}/chronology/agencies/{agency.pk}/"),
        ("findings (analysis)", "reviewer", f"/reviews/{r}/analysis/"),
        ("report (reviewer)", "reviewer", f"/reviews/{r}/report/"),
        ("report versions (reviewer)", "reviewer", f"/reviews/{r}/report/versions/"),
        ("report versions (panel member)", "panel", f"/reviews/{r}/report/versions/"),
        ("sign-off", "manager", f"/reviews/{r}/sign-off/"),
        ("publication", "manager", f"/reviews/{r}/publication/"),
        ("library", "board", "/library/"),
        ("library (manager)", "manager", "/library/"),
        ("action plan", "manager", f"/reviews/{r}/action-plan/"),
        ("action plan for the board", "board", f"/reviews/{r}/action-plan/for-the-board/"),
        ("my actions (agency lead)", "lead", "/actions/"),
        ("board", "board", "/board/"),
        ("board actions", "board", "/board/actions/"),
        ("themes (learning)", "manager", "/themes/"),
        ("recurring themes (learning)", "board", "/themes/recurring/"),
        ("people", "manager", "/people/"),
        ("agencies", "manager", "/agencies/"),
        ("access log", "manager", "/access-log/"),
        ("reminders (mine)", "lead", "/reminders/"),
        ("notifications", "manager", "/notifications/"),
        ("record history: the review", "manager", f"/history/reviews.review/{r}/"),
    ]
    if imr is not None:
        listed += [("evidence request: agency report (manager)", "manager", f"/evidence/{imr.pk}/"),
                   ("evidence request: agency report (agency lead)", "lead", f"/evidence/{imr.pk}/"),
                   ("agency report versions compared", "reviewer", f"/evidence/{imr.pk}/compare/")]
        version = imr.submissions.order_by("pk").values_list("pk", flat=True).last()
        if version:
            listed.append(("agency report version", "reviewer", f"/evidence/versions/{version}/"))
    if len(snapshots) >= 2:
        listed += [("report version", "reviewer", f"/report-versions/{snapshots[-1]}/"),
                   ("report version (panel member, comments)", "panel",
                    f"/report-versions/{snapshots[-1]}/"),
                   ("versions compared (first and last)", "reviewer",
                    f"/reviews/{r}/report/compare/?a={snapshots[0]}&b={snapshots[-1]}")]
    if section is not None:
        listed += [("section versions", "reviewer", f"/report-sections/{section.pk}/versions/"),
                   ("section compared", "reviewer", f"/report-sections/{section.pk}/compare/")]
    if finding is not None:
        listed.append(("finding", "reviewer", f"/findings/{finding.pk}/"))
    if action is not None:
        listed += [("action (agency lead)", "lead", f"/actions/{action.pk}/"),
                   ("action (manager)", "manager", f"/actions/{action.pk}/")]
    entry = review.chronology.order_by("pk").first()
    if entry is not None:
        listed.append(("record history: a chronology entry", "manager",
                       f"/history/reviews.chronologyentry/{entry.pk}/"))
    return listed


def measure(client: Client, url: str, n: int) -> dict[str, Any]:
    response = client.get(url)
    if response.status_code != 200:
        return {"url": url, "status": response.status_code}
    queries = counted(lambda: client.get(url))
    median, p95 = timed(lambda: client.get(url), n)
    return {"url": url, "queries": queries, "median_ms": median, "p95_ms": p95}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviews", type=int, default=500)
    parser.add_argument("--full", type=int, default=50)
    parser.add_argument("--entries", type=int, default=200, help="per agency, 10 agencies")
    parser.add_argument("--comments", type=int, default=200)
    parser.add_argument("--actions", type=int, default=40)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--deep", type=int, default=30,
                        help="the deep chronology and history page, in pages")
    parser.add_argument("--only", default="",
                        help="measure only pages whose label has one of these (comma-separated)")
    args = parser.parse_args()
    use_pages_database()
    c = seed(args)
    ReviewRecord  # noqa: B018 - imported for the models' registry
    clients = {role: signed_in(c[role] if role != "lead" else c["leads"][0])
               for role in ("manager", "reviewer", "panel", "lead", "board")}
    n = args.requests
    results: dict[str, Any] = {"bare_start": measure(clients["manager"], "/__bench__/bare/", n)}
    print("bare", results["bare_start"], flush=True)
    listed = pages(c)
    r = c["review"].pk
    deep = [
        ("merged chronology deep (reviewer)", "reviewer", f"/reviews/{r}/chronology/"),
        ("agency chronology deep (agency lead)", "lead",
         f"/reviews/{r}/chronology/agencies/{c['agencies'][0].pk}/"),
        ("history deep (manager)", "manager", f"/reviews/{r}/history/"),
    ]
    listed += [(label, role, next_link(clients[role], url, args.deep))
               for label, role, url in deep]
    for label, role, url in listed:
        if args.only and not any(part in label for part in args.only.split(",")):
            continue
        results[label] = {"role": role, **measure(clients[role], url, n)}
        print(label, results[label], flush=True)
    results["bare_end"] = measure(clients["manager"], "/__bench__/bare/", n)
    bare = (results["bare_start"]["median_ms"] + results["bare_end"]["median_ms"]) / 2
    print(f"\nbare layout: {results['bare_start']['median_ms']} ms at the start, "
          f"{results['bare_end']['median_ms']} ms at the end\n")
    print(f"{'page':52} {'median':>8} {'p95':>8} {'queries':>8} {'× bare':>7}")
    for label, value in results.items():
        if not isinstance(value, dict) or "median_ms" not in value:
            if isinstance(value, dict):
                print(f"{label:52} status {value.get('status')}")
            continue
        value["ratio"] = round(value["median_ms"] / bare, 1)
        print(f"{label:52} {value['median_ms']:8.1f} {value['p95_ms']:8.1f} "
              f"{value['queries']:8d} {value['ratio']:7.1f}")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "pages.json").write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
