"""Prometheus metrics at ``/metrics``: requests (django-prometheus), the queues, the outbox,
renders, beat and task failures; for a token or the monitoring network only.

Requests: django-prometheus's two middlewares (first and last in ``MIDDLEWARE``) count
requests and responses by view, method and status, and time them
(``django_http_requests_total_by_view_transport_method_total``,
``django_http_responses_total_by_status_view_method_total``,
``django_http_requests_latency_seconds_by_view_method``, ...). Chosen because it is the
maintained Django exporter on the official ``prometheus_client``, and it handles gunicorn's
several worker processes (``PROMETHEUS_MULTIPROC_DIR``: each process writes its samples to
the directory, the view merges them).

The operations gauges are read when scraped, from the broker and the database, by the same
functions /healthz uses (``scr.health``), so they are the same whichever web process or
server answers (aggregate them with ``max``, not ``sum``, across replicas):
``scr_celery_queue_length{queue}``, ``scr_outbox_pending``,
``scr_outbox_oldest_pending_age_seconds``, ``scr_renders_queued``,
``scr_renders_oldest_queued_age_seconds``, ``scr_beat_last_run_age_seconds`` and the
counter ``scr_celery_task_failures_total{task}``: Celery's ``task_failure`` signal writes a
``TaskFailure`` row wherever the task ran (a worker on any server, or in-process), and the
counter counts the rows, so no worker needs its own metrics port and a restart loses nothing.

Access: ``Authorization: Bearer <METRICS_TOKEN>``, or a client address (as
``scr.accesslog.client_ip`` trusts it) inside ``METRICS_ALLOWED_NETWORKS``; anyone else, signed
in or not, gets a 404: the endpoint is for the monitoring system, not a page.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Iterator
from typing import Any

import prometheus_client
from celery.signals import task_failure
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from scr import health
from scr.accesslog import client_ip
from scr.celery import app as celery_app
from scr.models import TaskFailure
from scr.requestid import current

logger = logging.getLogger(__name__)


class OperationsCollector(Collector):
    """The queues, the outbox, renders, beat and task failures, read at each scrape."""

    def collect(self) -> Iterator[Any]:
        if not celery_app.conf.task_always_eager:
            lengths = GaugeMetricFamily("scr_celery_queue_length",
                                        "Messages waiting in a Celery queue", labels=["queue"])
            try:
                for queue, length in health.queue_lengths().items():
                    lengths.add_metric([queue], length)
            except Exception as exc:  # broker down: no sample (and the alert on its absence)
                logger.warning("metrics: queue lengths failed: %s", exc)
            yield lengths
        for name, helptext, backlog in (
                ("outbox_pending", "Outbox rows not yet sent to the broker",
                 health.outbox_backlog()),
                ("renders_queued", "PDF renders queued and not started", health.render_backlog())):
            count, oldest = backlog
            yield GaugeMetricFamily(f"scr_{name}", helptext, value=count)
            age_name = ("scr_outbox_oldest_pending_age_seconds" if name == "outbox_pending"
                        else "scr_renders_oldest_queued_age_seconds")
            yield GaugeMetricFamily(age_name, f"Age of the oldest: {helptext.lower()} (0: none)",
                                    value=health.age_seconds(oldest) or 0)
        last = health.beat_last_run()
        if last is not None:
            yield GaugeMetricFamily("scr_beat_last_run_age_seconds",
                                    "Seconds since the beat scheduler's heartbeat task ran",
                                    value=health.age_seconds(last) or 0)
        failures = CounterMetricFamily("scr_celery_task_failures",
                                       "Background tasks that raised", labels=["task"])
        for row in TaskFailure.objects.values("task").annotate(n=Count("id")).order_by("task"):
            failures.add_metric([row["task"]], row["n"])
        yield failures


OPERATIONS = prometheus_client.CollectorRegistry(auto_describe=False)
OPERATIONS.register(OperationsCollector())


@task_failure.connect
def record_task_failure(sender: Any = None, task_id: str | None = None,
                        exception: BaseException | None = None, **_kwargs: Any) -> None:
    """One ``TaskFailure`` row per failed run (a retry that fails again is another)."""
    try:
        with transaction.atomic():
            TaskFailure.objects.create(
                task=(getattr(sender, "name", "") or "unknown")[:200], task_id=(task_id or "")[:64],
                exception=f"{type(exception).__name__}: {exception}"[:500] if exception else "",
                request_id=current())
    except Exception:  # the database may be why it failed: the worker's log still has it
        logger.exception("Could not record the failure of task %s", task_id)


def allowed(request: HttpRequest) -> bool:
    if health.token_matches(health.bearer(request), settings.METRICS_TOKEN):
        return True
    address = client_ip(request)
    if not address or not settings.METRICS_ALLOWED_NETWORKS:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in ipaddress.ip_network(net.strip(), strict=False)
               for net in settings.METRICS_ALLOWED_NETWORKS)


def exposition() -> bytes:
    """django-prometheus's samples (merged across processes when ``PROMETHEUS_MULTIPROC_DIR``
    is set, as its own view does) followed by the operations collector's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.REGISTRY
    return prometheus_client.generate_latest(registry) + prometheus_client.generate_latest(
        OPERATIONS)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        raise Http404
    return HttpResponse(exposition(), content_type=prometheus_client.CONTENT_TYPE_LATEST)
