"""Faults survived, with real services (issue 18, item 3; the table is docs/faults.md).

Each test breaks a real server the test started itself, never the shared ones: a private
redis-server stopped and started under a real Celery worker; a worker SIGKILLed mid-render;
a private PostgreSQL cluster restarted while gunicorn serves requests; a private Redis cache
stopped; a media volume (a real tmpfs) full. Each checks what the user saw and that nothing
was lost or half-stored.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from django.db import connection
from django.urls import reverse

from tests import servers
from tests.personas import PASSWORD, Personas, make_personas

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgresql,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the fault tests run the app's servers on PostgreSQL"),
]

ROOT = Path(__file__).resolve().parent.parent


def wait_for(condition: Callable[[], bool], timeout: float = 60, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


# ---------------------------------------------------------------- PostgreSQL restarted


def booted_workers(log: Path) -> int:
    return log.read_text().count("Booting worker")


def waiting_on_a_lock(url: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as watcher:
        row = watcher.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
                              "'Lock' AND datname = current_database()").fetchone()
    return int(row[0]) if row else 0


def assert_unavailable_page(response: requests.Response, *, change_lost: bool) -> None:
    assert response.status_code == 503, response.text[:3000]
    assert "Sorry, the service is unavailable" in response.text
    assert ("Your change was not saved" in response.text) is change_lost
    assert "Try again" in response.text or "try again" in response.text
    assert 'class="govuk-heading-l"' in response.text  # the service's own GOV.UK page
    assert response.headers["Retry-After"] == "30"
    assert "Traceback" not in response.text and "OperationalError" not in response.text


def test_postgresql_restarted_under_load_requests_in_flight_get_a_503_and_later_ones_succeed(
        transactional_db: None, tmp_path: Path) -> None:
    """gunicorn (three workers, connections kept for a minute) on a private cluster. A POST is
    held mid-transaction (its INSERT waits on a lock) and a GET mid-query when the cluster is
    restarted: both answer the 503 page, the POST's agency is not there; then every request
    succeeds on the same gunicorn workers, each kept connection replaced after its health
    check failed (``CONN_HEALTH_CHECKS``). While the cluster is stopped, every page is the
    503 page; once it is back, pages work again."""
    import psycopg

    from agencies.models import Agency

    personas = make_personas()
    source = servers.database_url(connection.settings_dict)
    with servers.PostgresCluster() as cluster:
        url = cluster.copy_database(source, "scr_faults")
        env = servers.app_environment(url, tmp_path / "media", DB_CONN_MAX_AGE="600")
        with servers.gunicorn(env, tmp_path, workers=3) as base:
            log = next(tmp_path.glob("gunicorn-*.log"))
            manager = servers.sign_in(base, personas.manager.username, PASSWORD)
            for _ in range(12):  # every worker now keeps a connection open
                assert manager.get(f"{base}/", timeout=30).status_code == 200
            add = f"{base}{reverse('agency_add')}"
            token = servers.csrf_token(manager.get(add, timeout=30).text)

            def post_agency(name: str) -> requests.Response:
                return manager.post(add, data={"name": name, "kind": "police", "is_active": "on",
                                               "csrfmiddlewaretoken": token},
                                    allow_redirects=False, timeout=60)

            blockers = [psycopg.connect(url) for _ in range(2)]
            blockers[0].execute("LOCK TABLE agencies_agency IN SHARE ROW EXCLUSIVE MODE")
            blockers[1].execute("LOCK TABLE reviews_review IN ACCESS EXCLUSIVE MODE")
            with ThreadPoolExecutor(2) as pool:
                in_flight_post = pool.submit(post_agency, "Agency added mid-restart")
                in_flight_get = pool.submit(manager.get, f"{base}{reverse('review_list')}",
                                            timeout=60)
                assert wait_for(lambda: waiting_on_a_lock(url) >= 2, timeout=30)
                cluster.restart("fast")  # every session ended, the two requests' included
                post, get = in_flight_post.result(), in_flight_get.result()
            for blocker in blockers:
                blocker.close()
            assert_unavailable_page(post, change_lost=True)
            assert_unavailable_page(get, change_lost=False)

            # Later requests succeed, on the same workers (none restarted).
            for _ in range(12):
                page = manager.get(f"{base}{reverse('review_list')}", timeout=30)
                assert page.status_code == 200, page.text[:2000]
            assert post_agency("Agency added after the restart").status_code == 302

            # The cluster down: every request is the 503 page; back up: pages again.
            cluster.stop("fast")
            assert_unavailable_page(manager.get(f"{base}/", timeout=30), change_lost=False)
            assert_unavailable_page(post_agency("Agency added while down"), change_lost=True)
            cluster.start()
            assert manager.get(f"{base}/", timeout=30).status_code == 200
            assert booted_workers(log) == 3, log.read_text()[-3000:]

        with psycopg.connect(url) as check:
            names = [r[0] for r in check.execute(
                "SELECT name FROM agencies_agency WHERE name LIKE 'Agency added%%' ORDER BY 1")]
    assert names == ["Agency added after the restart"]  # nothing half-saved, nothing lost
    assert not Agency.objects.filter(name__startswith="Agency added").exists()
