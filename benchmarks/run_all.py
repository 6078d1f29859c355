"""Seed reviews and measure the pages that must not slow down with data.

See benchmarks/README.md. Usage:
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/run_all.py [--reviews 5000]
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
from reviews.models import Review, Stage  # noqa: E402

AGENCY_KINDS = [Agency.Kind.POLICE, Agency.Kind.HEALTH, Agency.Kind.EDUCATION,
                Agency.Kind.CHILDRENS_SOCIAL_CARE, Agency.Kind.PROBATION]


def people() -> tuple[User, User, dict[str, Agency]]:
    agencies = {}
    for kind in AGENCY_KINDS:
        agencies[kind] = (Agency.objects.filter(name=f"Bench {kind}").first()
                          or agency_create(by=None, name=f"Bench {kind}", kind=kind))
    # 20 more agencies so a given agency is involved in only a few per cent of reviews.
    for i in range(20):
        name = f"Bench agency {i}"
        agencies[name] = Agency.objects.filter(name=name).first() or agency_create(
            by=None, name=name, kind=Agency.Kind.OTHER)
    manager = User.objects.filter(username="bench-manager").first()
    if manager is None:
        manager = User.objects.create_user("bench-manager", password="bench-password-1")
        membership_create(by=None, user=manager, role=Role.BUSINESS_MANAGER, agency=None)
    lead = User.objects.filter(username="bench-police").first()
    if lead is None:
        lead = User.objects.create_user("bench-police", password="bench-password-1")
        membership_create(by=None, user=lead, role=Role.AGENCY_LEAD,
                          agency=agencies[Agency.Kind.POLICE])
    return manager, lead, agencies


def seed(target: int, manager: User, agencies: dict[str, Agency], rng: random.Random) -> float:
    """Create reviews through the services until there are ``target``. Returns seconds."""
    start = time.perf_counter()
    today = timezone.localdate()
    pool = list(agencies.values())
    police = agencies[Agency.Kind.POLICE]
    others = [a for a in pool if a != police]
    existing = Review.objects.count()
    for i in range(existing, target):
        aware = today - timedelta(days=rng.randint(1, 700))
        # About 4% of reviews involve the police: ~200 of 5,000.
        involved = rng.sample(others, 2) + ([police] if i % 25 == 0 else [])
        review = services.review_create(
            by=manager, incident_date=aware - timedelta(days=rng.randint(0, 5)), aware_date=aware,
            what_happened=f"Bench case {i}.", harm=rng.choice(Review.Harm.values),
            abuse_or_neglect=rng.choice(Review.AbuseNeglect.values), criteria_met=True,
            referring_agency=involved[0], agencies_involved=involved)
        services.subject_add(by=manager, review=review, kind="child", pseudonym="Child A",
                             full_name=f"Bench Child {i}")
        services.subject_add(by=manager, review=review, kind="parent", pseudonym="Mother",
                             full_name=f"Bench Mother {i}")
        if rng.random() < 0.7:
            sent = aware + timedelta(days=rng.randint(1, 9))
            if sent <= today:
                services.notification_record(by=manager, review=review, notification_sent_on=sent)
                services.review_transition(by=manager, review=review, to=Stage.NOTIFICATION,
                                           expected_from=Stage.REFERRAL, reason="bench")
        if (i + 1) % 250 == 0:
            print(f"  seeded {i + 1}/{target}", flush=True)
    return time.perf_counter() - start


def timed(fn, n: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, round(0.95 * len(samples)) - 1)]


def page(client: Client, url: str, n: int) -> dict[str, float]:
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    count = len(queries)  # read now: later requests reset the connection's query log
    median, p95 = timed(lambda: client.get(url), n)
    return {"queries": count, "median_ms": round(median, 1), "p95_ms": round(p95, 1)}


def measure(manager: User, lead: User, n: int) -> dict[str, object]:
    visible = Review.objects.for_user(lead)
    count = visible.count()
    for_user_median, for_user_p95 = timed(lambda: list(Review.objects.for_user(lead)
                                                       .values_list("pk", flat=True)), n)
    as_lead, as_manager = Client(), Client()
    as_lead.force_login(lead, backend="agencies.services.account.DemoAwareModelBackend")
    as_manager.force_login(manager, backend="agencies.services.account.DemoAwareModelBackend")
    some = visible.order_by("pk").first()
    return {
        "reviews": Review.objects.count(),
        "agency_lead_sees": count,
        "for_user_median_ms": round(for_user_median, 2),
        "for_user_p95_ms": round(for_user_p95, 2),
        "review_list_as_agency_lead": page(as_lead, "/reviews/", n),
        "dashboard_as_manager": page(as_manager, "/reviews/", n),
        "dashboard_filtered_red_as_manager": page(as_manager, "/reviews/?rag=red&sort=due", n),
        "board_dashboard_as_manager": page(as_manager, "/board/", n),
        "review_page_as_agency_lead": page(as_lead, f"/reviews/{some.pk}/", n),
        "review_page_as_manager": page(as_manager, f"/reviews/{some.pk}/", n),
    }


def use_bench_database(*, keep: bool) -> None:
    """Point Django at ``<name>_bench`` (created, or reused with ``keep``), test client ready."""
    setup_test_environment()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver"]
    # As in production: DEBUG off (templates not in debug mode, queries not logged).
    settings.DEBUG = False
    name = connection.settings_dict["NAME"]
    # A database of its own, kept between runs: never the one pytest creates and drops.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{name}_bench"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']} (from {name})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviews", type=int, default=5000)
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--keep", action="store_true",
                        help="reuse the seeded database instead of starting afresh")
    args = parser.parse_args()

    use_bench_database(keep=args.keep)
    manager, lead, agencies = people()
    rng = random.Random(20261123)
    results = {"database": connection.vendor, "steps": []}
    for size in (args.small, args.reviews):
        seconds = seed(size, manager, agencies, rng)
        print(f"seeded to {size} reviews in {seconds:.0f}s; measuring...", flush=True)
        step = measure(manager, lead, args.requests)
        step["seed_seconds"] = round(seconds, 1)
        results["steps"].append(step)
        print(json.dumps(step, indent=2), flush=True)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    print(f"written to {out / 'latest.json'}")


if __name__ == "__main__":
    main()
