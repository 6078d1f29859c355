"""GET /healthz: the database, the broker and a worker, as JSON.

200 when every part is healthy; 503 naming each failing part otherwise. With the
embedded default (no broker) the broker and worker are reported as in-process.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from scr.celery import app as celery_app

logger = logging.getLogger(__name__)


def check_database() -> dict[str, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means unhealthy; the reason is reported
        logger.warning("healthz: database failed: %s", exc)
        return {"status": "fail", "error": type(exc).__name__}
    return {"status": "ok", "vendor": connection.vendor}


def check_broker() -> dict[str, str]:
    if celery_app.conf.task_always_eager:
        return {"status": "ok", "mode": "in-process"}
    try:
        with celery_app.connection_for_write(settings.CELERY_BROKER_URL or None) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as exc:
        logger.warning("healthz: broker failed: %s", exc)
        return {"status": "fail", "error": type(exc).__name__}
    return {"status": "ok", "mode": "redis"}


def check_worker() -> dict[str, str]:
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


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": check_database(), "broker": check_broker()}
    # A worker cannot answer without a broker: don't wait for it in vain.
    if checks["broker"]["status"] == "ok":
        checks["worker"] = check_worker()
    else:
        checks["worker"] = {"status": "fail", "error": "broker unavailable"}
    failing = [name for name, check in checks.items() if check["status"] != "ok"]
    body = {"status": "fail" if failing else "ok", "failing": failing, "checks": checks}
    return JsonResponse(body, status=503 if failing else 200)
