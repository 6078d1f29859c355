"""The dashboard (/reviews/) beside the Django admin's changelist of the same reviews.

The admin changelist is a plain, well-known Django page over the same rows: a fair yardstick
for what listing 5,000 reviews should cost. Both pages are requested by the same user (the
bench business manager, made a superuser for the admin), with the same page size, in
alternation so machine noise hits both alike; the ratio of median server times is printed
(target: dashboard <= 0.5x the admin's).

Seeds (or tops up to) 5,000 reviews in ``<name>_bench`` with benchmarks/run_all.py's seeding
and keeps them between runs:

    DATABASE_URL=postgres://scr:scr@127.0.0.1:5432/scr .venv/bin/python benchmarks/dashboard_vs_admin.py
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

# isort: off
import run_all  # first: sets up Django (scr.settings); also seeds volume
# isort: on
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reviews.models import Review

PAGE_SIZE = 50  # the dashboard's page size (reviews/views.py)


def server_ms(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviews", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()

    run_all.use_bench_database(keep=True)
    manager, _, agencies = run_all.people()
    seconds = run_all.seed(args.reviews, manager, agencies, random.Random(20261123))
    print(f"{Review.objects.count()} reviews (seeding took {seconds:.0f}s)", flush=True)
    if not manager.is_superuser:
        manager.is_staff = manager.is_superuser = True
        manager.save()
    admin.site._registry[Review].list_per_page = PAGE_SIZE  # the same page size as the dashboard

    client = Client()
    client.force_login(manager, backend="agencies.services.account.DemoAwareModelBackend")
    pages = {"dashboard": "/reviews/", "admin_changelist": "/admin/reviews/review/"}
    counts = {label: queries(client, url) for label, url in pages.items()}  # also warms up
    samples: dict[str, list[float]] = {label: [] for label in pages}
    for _ in range(args.requests):
        for label, url in pages.items():
            samples[label].append(server_ms(client, url))
    result = {
        label: {"median_ms": round(statistics.median(times), 1),
                "p95_ms": round(sorted(times)[round(0.95 * len(times)) - 1], 1),
                "queries": counts[label]}
        for label, times in samples.items()
    }
    ratio = result["dashboard"]["median_ms"] / result["admin_changelist"]["median_ms"]
    result["ratio_dashboard_over_admin"] = round(ratio, 2)
    result["reviews"] = Review.objects.count()
    result["page_size"] = PAGE_SIZE
    print(json.dumps(result, indent=2))
    print(f"dashboard / admin changelist (median server time, {PAGE_SIZE} a page): {ratio:.2f}x "
          "(target <= 0.5x)")


if __name__ == "__main__":
    main()
