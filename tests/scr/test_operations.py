"""Operations can see it (issue 18, item 6): /healthz's detail (the broker, the last beat run,
each queue's length, the oldest unsent outbox row, the oldest queued render), refused as
every page refuses; Prometheus metrics for a token or the monitoring network only; a request
id on every log record of a request (text or JSON) and on the tasks it queues. The same with
a real worker: tests/scr/test_celery_worker.py."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from celery import shared_task
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from scr.celery import app as celery_app
from scr.models import Heartbeat, OutboxMessage, RenderRecord, TaskFailure
from scr.requestid import HEADER
from scr.tasks import beat_heartbeat
from tests.conftest import Personas, client_for

TOKEN = "healthz-test-token-0123456789"
METRICS_TOKEN = "metrics-test-token-0123456789"
DETAIL = "/healthz/detail"


@shared_task(name="tests.scr.test_operations.always_fails")
def always_fails(n: int) -> None:
    raise ValueError(f"task failed on purpose ({n})")


@pytest.fixture
def broker_mode(settings: Any) -> Iterator[None]:
    """Tasks go to the real broker (this test process's Redis database), as in production;
    no worker is running, so the worker check fails fast."""
    settings.HEALTHZ_WORKER_TIMEOUT = 0.5
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = saved


# ---------------------------------------------------------------- /healthz/detail: who


@pytest.mark.django_db
def test_signed_out_the_detail_sends_to_sign_in_and_plain_healthz_stays_bare(
        client: Client) -> None:
    response = client.get(DETAIL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get("/healthz").json() == {"status": "ok"}


def test_a_signed_in_person_without_the_role_is_refused_the_detail(personas: Personas) -> None:
    for user in (personas.police_lead, personas.reviewer, personas.board):
        assert client_for(user).get(DETAIL).status_code == 403, user
        assert client_for(user).get("/healthz").json() == {"status": "ok"}


@pytest.mark.django_db
def test_the_token_gets_the_detail_and_a_wrong_token_is_refused(client: Client,
                                                                settings: Any) -> None:
    settings.HEALTHZ_TOKEN = TOKEN
    body = client.get(DETAIL, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").json()
    assert set(body["checks"]) == {"database", "broker", "worker", "queues", "beat", "outbox",
                                   "renders"}
    assert client.get(DETAIL, HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    settings.HEALTHZ_TOKEN = ""  # none configured: none works, not even an empty one
    assert client.get(DETAIL, HTTP_AUTHORIZATION="Bearer ").status_code == 302


def test_a_business_manager_gets_the_detail_in_process(personas: Personas) -> None:
    response = client_for(personas.manager).get(DETAIL)
    assert response.status_code == 200, response.content
    checks = response.json()["checks"]
    assert checks["beat"] == checks["queues"] == {"status": "ok", "mode": "in-process"}
    assert checks["outbox"] == {"status": "ok", "count": 0, "oldest_age_seconds": None}
    assert checks["renders"]["status"] == "ok"


# ---------------------------------------------------------------- /healthz/detail: what


def an_old(model_rows: str, minutes: int, personas: Personas) -> None:
    at = timezone.now() - timedelta(minutes=minutes)
    if model_rows == "outbox":
        OutboxMessage.objects.create(task="scr.tasks.relay_outbox", created_at=at)
        OutboxMessage.objects.create(task="scr.tasks.relay_outbox")  # a young one too
        OutboxMessage.objects.create(task="scr.tasks.relay_outbox", created_at=at - timedelta(
            days=1), sent_at=at)  # sent: not a backlog, however old
    else:
        agency_type = ContentType.objects.get_for_model(personas.police)
        RenderRecord.objects.create(content_type=agency_type, object_id=personas.police.pk,
                                    kind="reviews.report", created_at=at)
        RenderRecord.objects.create(content_type=agency_type, object_id=personas.police.pk,
                                    kind="reviews.report", created_at=at - timedelta(days=1),
                                    status=RenderRecord.Status.FAILED)  # not queued


@pytest.mark.parametrize(("backlog", "limit"), [("outbox", "HEALTHZ_OUTBOX_MAX_AGE"),
                                                ("renders", "HEALTHZ_RENDER_MAX_AGE")])
def test_an_old_unsent_outbox_row_or_queued_render_fails_the_detail_with_its_age(
        personas: Personas, settings: Any, backlog: str, limit: str) -> None:
    an_old(backlog, 3, personas)
    client = client_for(personas.manager)
    setattr(settings, limit, 240)  # 4 minutes: the 3-minute-old one is within it
    body = client.get(DETAIL).json()
    assert body["checks"][backlog]["status"] == "ok"
    assert body["checks"][backlog]["count"] == (2 if backlog == "outbox" else 1)
    assert 179 <= body["checks"][backlog]["oldest_age_seconds"] < 240
    setattr(settings, limit, 120)
    response = client.get(DETAIL)
    assert response.status_code == 503 and backlog in response.json()["failing"]


def test_with_a_broker_the_detail_gives_each_queues_length_and_the_last_beat_run(
        personas: Personas, broker_mode: None, settings: Any) -> None:
    client = client_for(personas.manager)
    before = client.get(DETAIL).json()["checks"]
    assert set(before["queues"]["lengths"]) == {"default", "pdf"}
    # No beat has run: failing, and named.
    assert before["beat"] == {"status": "fail", "last_run": None, "age_seconds": None}

    celery_app.send_task("scr.tasks.relay_outbox", queue="pdf")  # one more waiting on "pdf"
    beat_heartbeat.apply()  # what beat's schedule runs
    after = client.get(DETAIL).json()
    try:
        lengths = after["checks"]["queues"]["lengths"]
        assert lengths["pdf"] == before["queues"]["lengths"]["pdf"] + 1
        assert after["checks"]["beat"]["status"] == "ok"
        assert after["checks"]["beat"]["age_seconds"] < 5
        assert "beat" not in after["failing"] and "worker" in after["failing"]  # no worker
    finally:
        with celery_app.connection_for_write() as conn:  # this process's own Redis database
            for queue in ("pdf", "default"):  # (the worker pings no worker answered)
                conn.default_channel.queue_purge(queue)

    Heartbeat.objects.update(at=timezone.now() - timedelta(seconds=settings.HEALTHZ_BEAT_MAX_AGE
                                                           + 30))
    stale = client.get(DETAIL).json()
    assert stale["checks"]["beat"]["status"] == "fail" and "beat" in stale["failing"]


# ---------------------------------------------------------------- /metrics


def scrape(client: Client, **headers: str) -> Any:
    return client.get("/metrics", **headers)


def sample(text: str, name: str) -> float | None:
    found = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    return float(found.group(1)) if found else None


@pytest.mark.django_db
def test_metrics_are_refused_to_everyone_without_the_token_or_network(client: Client,
                                                                      settings: Any) -> None:
    settings.METRICS_TOKEN = METRICS_TOKEN
    settings.METRICS_ALLOWED_NETWORKS = []
    assert scrape(client).status_code == 404
    assert scrape(client, HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]  # the test client is 127.0.0.1
    assert scrape(client).status_code == 404
    settings.METRICS_TOKEN = ""
    assert scrape(client, HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_a_business_manager_signed_in_does_not_get_the_metrics(personas: Personas,
                                                               settings: Any) -> None:
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = METRICS_TOKEN, []
    assert scrape(client_for(personas.manager)).status_code == 404


@pytest.mark.django_db
def test_metrics_count_requests_and_report_the_outbox_and_renders(client: Client,
                                                                  settings: Any) -> None:
    settings.METRICS_TOKEN = METRICS_TOKEN
    client.get("/healthz")
    OutboxMessage.objects.create(task="scr.tasks.relay_outbox",
                                 created_at=timezone.now() - timedelta(minutes=10))
    response = scrape(client, HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    # django-prometheus: requests by view and responses by status.
    assert re.search(r'^django_http_requests_total_by_view_transport_method_total\{[^}]*'
                     r'view="healthz"[^}]*\} [1-9]', text, re.M)
    assert re.search(r'^django_http_responses_total_by_status_view_method_total\{[^}]*'
                     r'status="200"[^}]*view="healthz"[^}]*\} [1-9]', text, re.M)
    assert sample(text, "scr_outbox_pending") == 1
    assert 599 <= (sample(text, "scr_outbox_oldest_pending_age_seconds") or 0) < 700
    assert sample(text, "scr_renders_queued") == 0
    assert sample(text, "scr_renders_oldest_queued_age_seconds") == 0


@pytest.mark.django_db
def test_metrics_from_the_monitoring_network_without_a_token(client: Client,
                                                             settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8", "127.0.0.0/8"]
    assert scrape(client).status_code == 200


def test_metrics_give_each_queues_length_with_a_broker(personas: Personas, client: Client,
                                                       broker_mode: None, settings: Any) -> None:
    settings.METRICS_TOKEN = METRICS_TOKEN
    text = scrape(client, HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}").content.decode()
    assert sample(text, 'scr_celery_queue_length{queue="default"}') is not None
    assert sample(text, 'scr_celery_queue_length{queue="pdf"}') is not None


@pytest.mark.django_db
def test_a_task_that_fails_is_counted_by_task(client: Client, settings: Any) -> None:
    """Counted from Celery's ``task_failure`` signal, sent wherever the task ran (a worker:
    tests/scr/test_celery_worker.py). A task run in-process by the outbox propagates its
    exception to the request instead (``task_eager_propagates``), which logs it."""
    settings.METRICS_TOKEN = METRICS_TOKEN
    for n in (1, 2):
        assert always_fails.apply(args=[n], throw=False).failed()
    failure = TaskFailure.objects.first()
    assert failure is not None and failure.exception == "ValueError: task failed on purpose (2)"
    text = scrape(client, HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}").content.decode()
    assert sample(text, 'scr_celery_task_failures_total{task="tests.scr.test_operations.'
                        'always_fails"}') == 2


# ---------------------------------------------------------------- the request id in the logs

STREAM = io.StringIO()


@pytest.fixture
def log_lines(settings: Any) -> Iterator[Any]:
    """The project's own LOGGING, its console handler writing to ``STREAM``; in ``fmt``."""

    def configure(fmt: str) -> None:
        config = json.loads(json.dumps(django_settings.LOGGING))
        config["formatters"] = {fmt: django_settings.LOG_FORMATTERS[fmt]}
        config["handlers"]["console"].update(formatter=fmt, stream="ext://tests.scr."
                                             "test_operations.STREAM")
        logging.config.dictConfig(config)

    STREAM.seek(0)
    STREAM.truncate()
    yield configure
    logging.config.dictConfig(django_settings.LOGGING)


def test_a_request_id_offered_is_returned_and_on_every_log_record_of_the_request(
        personas: Personas, log_lines: Any) -> None:
    log_lines("text")
    client = client_for(personas.police_lead)
    earlier = list(OutboxMessage.objects.values_list("pk", flat=True))
    response = client.get("/reviews/999999999/", HTTP_X_REQUEST_ID="lb-3f2a9c1e-0001")
    assert response.status_code == 404
    assert response[HEADER] == "lb-3f2a9c1e-0001"
    logged = [line for line in STREAM.getvalue().splitlines() if "Not Found" in line]
    assert logged and all("[lb-3f2a9c1e-0001]" in line for line in logged), STREAM.getvalue()
    # The refusal's alert check was queued by this request: it carries the id to the worker.
    queued = OutboxMessage.objects.filter(task="scr.tasks.check_refusals").exclude(
        pk__in=earlier)
    assert queued.exists()
    assert set(queued.values_list("request_id", flat=True)) == {"lb-3f2a9c1e-0001"}


@pytest.mark.django_db
def test_a_request_without_an_id_or_with_a_malformed_one_gets_a_new_one(client: Client) -> None:
    made = client.get("/healthz")[HEADER]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get("/healthz")[HEADER] != made  # one per request
    for bad in ("short", "x" * 200, "id with spaces", 'forged"}\n{"level": "INFO'):
        answer = client.get("/healthz", HTTP_X_REQUEST_ID=bad)[HEADER]
        assert answer != bad and re.fullmatch(r"[0-9a-f]{32}", answer), bad


def test_json_logs_carry_the_request_id_as_a_field(personas: Personas, log_lines: Any) -> None:
    log_lines("json")
    client_for(personas.police_lead).get("/reviews/999999999/",
                                         HTTP_X_REQUEST_ID="req-json-00000042")
    records = [json.loads(line) for line in STREAM.getvalue().splitlines() if line.strip()]
    not_found = [r for r in records if r["message"].startswith("Not Found")]
    assert not_found, records
    assert all(r["request_id"] == "req-json-00000042" and r["level"] == "WARNING"
               and r["logger"] == "django.request" for r in not_found)
    # Outside a request: "-".
    logging.getLogger("scr.test").warning("between requests")
    last = json.loads(STREAM.getvalue().splitlines()[-1])
    assert (last["message"], last["request_id"]) == ("between requests", "-")


# ---------------------------------------------------------------- several gunicorn workers


@pytest.mark.integration
@pytest.mark.postgresql
def test_metrics_merge_the_requests_of_every_gunicorn_worker(transactional_db: None,
                                                            tmp_path: Any) -> None:
    """gunicorn with two sync workers and ``PROMETHEUS_MULTIPROC_DIR`` (as docker-compose runs
    ``web``): 20 requests spread over both workers are all counted, whichever worker answers
    the scrape; each carries its own request id. The server commits what it writes (the
    refused anonymous scrape's access event), so the tables are emptied after the test."""
    import requests
    from django.db import connection

    from tests import servers

    if connection.vendor != "postgresql":
        pytest.skip("the server shares this test's PostgreSQL database")
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    env = servers.app_environment(servers.database_url(connection.settings_dict),
                                  tmp_path / "media", METRICS_TOKEN=METRICS_TOKEN,
                                  PROMETHEUS_MULTIPROC_DIR=str(multiproc))
    with servers.gunicorn(env, tmp_path) as base:
        ids = set()
        for _ in range(20):
            answer = requests.get(f"{base}/healthz", timeout=30)
            assert answer.status_code == 200
            ids.add(answer.headers[HEADER])
        assert len(ids) == 20
        assert len(list(multiproc.glob("*.db"))) >= 2  # both workers wrote their samples
        for _ in range(3):  # any worker's scrape sees all 20
            text = requests.get(f"{base}/metrics", timeout=30,
                                headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
            counted = re.search(r'^django_http_requests_total_by_view_transport_method_total\{'
                                r'[^}]*view="healthz"[^}]*\} (\S+)$', text, re.M)
            assert counted and float(counted.group(1)) == 20, text[:3000]
        assert requests.get(f"{base}/metrics", timeout=30).status_code == 404
