"""GET /healthz: a bare liveness answer for anyone; the detail for those allowed.

Anyone (the container's health check, a load balancer) gets ``{"status": "ok"}``: the
process is up and answering. Nothing else is revealed and nothing is checked, so the public
answer cannot be used to probe or load the database, the broker or the workers.

A signed-in person holding one of ``HEALTHZ_DETAIL_ROLES`` (business managers), or a
request carrying ``Authorization: Bearer <HEALTHZ_TOKEN>``, gets the checks, on
``/healthz`` and on ``/healthz/detail``: the database, the broker, a worker, the last run of
the beat scheduler (``beat_heartbeat`` every ``BEAT_HEARTBEAT_SECONDS``), each Celery queue's
length, the oldest unsent outbox row and the oldest queued PDF render; 200 when every part
is healthy, 503 naming each failing part otherwise. ``/healthz/detail`` refuses as every page
does: signed out, to the sign-in page; signed in without the role, or with a wrong token, 403.
With the embedded default (no broker) the broker, worker, beat and queues are in-process.

The same reads feed the Prometheus gauges (``scr.metrics``), written once here.
"""

from __future__ import annotations

import hmac
import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Min
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from scr.celery import app as celery_app
from scr.models import Heartbeat, OutboxMessage, RenderRecord
from scr.twofactor import is_verified, second_factor_required

logger = logging.getLogger(__name__)


def check_database() -> dict[str, object]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means unhealthy; the reason is reported
        logger.warning("healthz: database failed: %s", exc)
        return {"status": "fail", "error": type(exc).__name__}
    return {"status": "ok", "vendor": connection.vendor}


def check_broker() -> dict[str, object]:
    if celery_app.conf.task_always_eager:
        return {"status": "ok", "mode": "in-process"}
    try:
        with celery_app.connection_for_write(settings.CELERY_BROKER_URL or None) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as exc:
        logger.warning("healthz: broker failed: %s", exc)
        return {"status": "fail", "error": type(exc).__name__}
    return {"status": "ok", "mode": "redis"}


def check_worker() -> dict[str, object]:
    from scr.tasks import worker_ping

    if celery_app.conf.task_always_eager:
        return {"status": "ok", "mode": "in-process"}
    try:
        result = worker_ping.apply_async(expires=settings.HEALTHZ_WORKER_TIMEOUT)
        reply = result.get(timeout=settings.HEALTHZ_WORKER_TIMEOUT)
    except Exception as exc:
        logger.warning("healthz: worker failed: %s", exc)
        return {"status": "fail", "error": type(exc).__name__}
    return {"status": "ok", "database": str(reply.get("database"))}


def age_seconds(since: datetime | None) -> float | None:
    return None if since is None else round((timezone.now() - since).total_seconds(), 1)


def beat_last_run() -> datetime | None:
    return Heartbeat.objects.filter(name="beat").values_list("at", flat=True).first()


def check_beat() -> dict[str, object]:
    """The beat scheduler's last run: failing when it never ran or stopped (older than
    ``HEALTHZ_BEAT_MAX_AGE`` seconds: reminders, the outbox relay and the audit seal stop)."""
    if celery_app.conf.task_always_eager:
        return {"status": "ok", "mode": "in-process"}
    last = beat_last_run()
    age = age_seconds(last)
    fresh = age is not None and age <= settings.HEALTHZ_BEAT_MAX_AGE
    return {"status": "ok" if fresh else "fail", "last_run": last.isoformat() if last else None,
            "age_seconds": age}


def queue_lengths() -> dict[str, int]:
    """Messages waiting in each Celery queue (``task_queues``), asked of the broker."""
    lengths = {}
    with celery_app.connection_for_read(settings.CELERY_BROKER_URL or None) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        # kombu's channel (StdChannel in its stubs, which do not name queue_declare).
        channel: Any = conn.default_channel
        for queue in celery_app.conf.task_queues or ():
            try:
                lengths[queue.name] = channel.queue_declare(queue=queue.name,
                                                            passive=True).message_count
            except conn.channel_errors as missing:  # a queue nobody has used yet is empty
                if "NOT_FOUND" not in str(missing):
                    raise
                lengths[queue.name] = 0
    return lengths


def check_queues() -> dict[str, object]:
    if celery_app.conf.task_always_eager:
        return {"status": "ok", "mode": "in-process"}
    try:
        return {"status": "ok", "lengths": queue_lengths()}
    except Exception as exc:
        logger.warning("healthz: queue lengths failed: %s", exc)
        return {"status": "fail", "error": type(exc).__name__}


def outbox_backlog() -> tuple[int, datetime | None]:
    """How many outbox rows are unsent, and when the oldest was queued."""
    pending = OutboxMessage.objects.filter(sent_at__isnull=True)
    return pending.count(), pending.aggregate(oldest=Min("created_at"))["oldest"]


def render_backlog() -> tuple[int, datetime | None]:
    """How many PDF renders are queued (not started), and when the oldest was asked for."""
    queued = RenderRecord.objects.filter(status=RenderRecord.Status.QUEUED)
    return queued.count(), queued.aggregate(oldest=Min("created_at"))["oldest"]


def backlog_check(backlog: tuple[int, datetime | None], max_age: float) -> dict[str, object]:
    count, oldest = backlog
    age = age_seconds(oldest)
    return {"status": "fail" if age is not None and age > max_age else "ok",
            "count": count, "oldest_age_seconds": age}


def may_see_detail(request: HttpRequest) -> bool:
    if token_offered(request):
        return True
    user = request.user
    if not user.is_authenticated or (second_factor_required(user) and not is_verified(request)):
        return False
    return bool(user.has_role(*settings.HEALTHZ_DETAIL_ROLES))


def bearer(request: HttpRequest) -> str:
    return request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()


def token_matches(offered: str, token: str) -> bool:
    """A constant-time comparison; no token configured means no token works."""
    return bool(token and offered) and hmac.compare_digest(offered.encode(), token.encode())


def token_offered(request: HttpRequest) -> bool:
    return token_matches(bearer(request), settings.HEALTHZ_TOKEN)


def detail() -> JsonResponse:
    checks: dict[str, dict[str, object]] = {"database": check_database(),
                                            "broker": check_broker()}
    # A worker cannot answer without a broker: don't wait for it in vain.
    if checks["broker"]["status"] == "ok":
        checks["worker"] = check_worker()
        checks["queues"] = check_queues()
    else:
        checks["worker"] = {"status": "fail", "error": "broker unavailable"}
        checks["queues"] = {"status": "fail", "error": "broker unavailable"}
    if checks["database"]["status"] == "ok":
        checks["beat"] = check_beat()
        checks["outbox"] = backlog_check(outbox_backlog(), settings.HEALTHZ_OUTBOX_MAX_AGE)
        checks["renders"] = backlog_check(render_backlog(), settings.HEALTHZ_RENDER_MAX_AGE)
    failing = [name for name, check in checks.items() if check["status"] != "ok"]
    body = {"status": "fail" if failing else "ok", "failing": failing, "checks": checks}
    return JsonResponse(body, status=503 if failing else 200)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for anyone; the detail for a business manager or the token."""
    if not may_see_detail(request):
        return JsonResponse({"status": "ok"})
    return detail()


@never_cache
@require_GET
def healthz_detail(request: HttpRequest) -> HttpResponse:
    """The detail only, refused as every page refuses: signed out (and no token offered), to
    the sign-in page; a wrong token, or a person without the role, 403."""
    if may_see_detail(request):
        return detail()
    if not request.user.is_authenticated and not bearer(request):
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied
