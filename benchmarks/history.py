"""Measure a review's History page on a review with ~50,000 history rows, as each role that
reads it, a record's own history page, the merged chronology's first and 400th page, and the
bare signed-in layout in the same run (the ratio every page is judged by).

Targets (issue 20, item 1): the History page ≤ 25 ms server time with a constant number of
queries, as every reader; a record's own history page the same; the merged chronology's
deep pages as fast as its first. Nothing here asserts a time; it prints.

    DATABASE_URL=postgres://scr:scr@127.0.0.1:5432/scr .venv/bin/python benchmarks/history.py

Uses its own database ``<name>_historybench`` (created afresh; ``--keep`` reuses the seeded
one). Django test client: server time, no network; ``DEBUG`` off. Results are printed and
written to ``benchmarks/results/history.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.bench_settings")
os.environ.setdefault("SCR_TESTING", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from agencies.models import Agency, User  # noqa: E402
from agencies.models.roles import Role  # noqa: E402
from agencies.services import agency_create  # noqa: E402
from benchmarks.chronology import counted, csv_file, review_with, rows, timed, user  # noqa: E402
from reviews import services  # noqa: E402
from reviews.models import ChronologyEntry, PanelAppointment, Review  # noqa: E402

AGENCIES = 4
BACKEND = "agencies.services.account.DemoAwareModelBackend"


def use_bench_database(*, keep: bool) -> None:
    setup_test_environment()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{name}_historybench"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep,
                                       serialize=False)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")


def history_rows(review: Review) -> int:
    """Every history row of the review's records (the review's own included)."""
    from reviews.models import review_record_models

    total = Review.history.filter(id=review.pk).count()
    for model in review_record_models():
        field = getattr(model, "REVIEW_FIELD", "review")
        total += model.history.filter(**{field: review.pk}).count() if "__" not in field else \
            model.history.filter(id__in=model._base_manager.filter(
                **{field: review.pk}).values("pk")).count()
    return total


def seed(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(20)
    manager = user("bench-manager", Role.BUSINESS_MANAGER, None)
    reviewer = user("bench-reviewer", Role.REVIEWER, None)
    agencies = [Agency.objects.filter(name=f"History agency {i}").first()
                or agency_create(by=None, name=f"History agency {i}", kind=Agency.Kind.OTHER)
                for i in range(AGENCIES)]
    leads = [user(f"bench-lead-{i}", Role.AGENCY_LEAD, a) for i, a in enumerate(agencies)]
    panel = user("bench-panel", Role.PANEL_MEMBER, agencies[1])
    review = Review.objects.filter(what_happened="Bench chronology history").first()
    if review is None:
        review = review_with(manager, reviewer, agencies, "history")
        services.panel_appoint(by=manager, review=review, user=panel,
                               panel_role=PanelAppointment.PanelRole.MEMBER, agency=agencies[1])
        per_agency = args.entries // AGENCIES
        for i, agency in enumerate(agencies):
            services.chronology_import(by=leads[i], review=review, agency=agency,
                                       upload=csv_file(rows(per_agency, review, rng)))
            services.chronology_submit(by=leads[i], review=review, agency=agency)
    return {"review": review, "manager": manager, "reviewer": reviewer, "panel": panel,
            "lead": leads[0], "agencies": agencies}


def page(client: Client, url: str, n: int) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    queries = counted(lambda: client.get(url))
    median, p95 = timed(lambda: client.get(url), n)
    return {"url": url, "queries": queries, "median_ms": median, "p95_ms": p95}


def signed_in(person: User) -> Client:
    client = Client()
    client.force_login(person, backend=BACKEND)
    return client


def next_link(client: Client, url: str, hops: int) -> str:
    """The URL ``hops`` pages on, following each page's "Next" link (keyset pages have no
    page number to jump to); a numbered page when the page still has numbers."""
    import re

    current = url
    for _ in range(hops):
        html = client.get(current).content.decode()
        found = re.search(r'href="(\?[^"]*)" rel="next"', html)
        if found is None:
            break
        current = url.split("?")[0] + found.group(1).replace("&amp;", "&")
    return current


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=24_000,
                        help="chronology entries imported and submitted (two rows each)")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--deep", type=int, default=400, help="the deep chronology page")
    args = parser.parse_args()
    use_bench_database(keep=args.keep)
    world = seed(args)
    review: Review = world["review"]
    results: dict[str, Any] = {"database": connection.vendor,
                               "history_rows": history_rows(review)}
    print("history rows of the review:", results["history_rows"])
    n = args.requests
    manager = signed_in(world["manager"])
    results["bare"] = page(manager, "/__bench__/bare/", n)
    print("bare", results["bare"])
    history = f"/reviews/{review.pk}/history/"
    for who in ("manager", "reviewer", "panel", "lead"):
        client = signed_in(world[who])
        results[f"history_as_{who}"] = page(client, history, n)
        results[f"history_deep_as_{who}"] = page(client, next_link(client, history, 20), n)
        print(who, results[f"history_as_{who}"], results[f"history_deep_as_{who}"])
    results["history_filtered_by_person"] = page(
        manager, f"{history}?person={world['lead'].pk}", n)
    entry = ChronologyEntry.objects.filter(review=review).order_by("pk").first()
    assert entry is not None
    results["record_history_entry"] = page(
        manager, f"/history/reviews.chronologyentry/{entry.pk}/", n)
    results["record_history_review"] = page(manager, f"/history/reviews.review/{review.pk}/", n)
    print("record", results["record_history_entry"], results["record_history_review"])
    chronology = f"/reviews/{review.pk}/chronology/"
    results["chronology_page_1"] = page(manager, chronology, n)
    deep = (f"{chronology}?page={args.deep}" if "page=2" in next_link(manager, chronology, 1)
            else next_link(manager, chronology, args.deep - 1))
    results["chronology_page_deep"] = page(manager, deep, n)
    print("chronology", results["chronology_page_1"], results["chronology_page_deep"])
    bare = results["bare"]["median_ms"]
    results["ratios_to_bare"] = {k: round(v["median_ms"] / bare, 1) for k, v in results.items()
                                 if isinstance(v, dict) and "median_ms" in v}
    print("ratios to the bare layout:", results["ratios_to_bare"])
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "history.json").write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
