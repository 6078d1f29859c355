"""GET /healthz: a bare liveness answer for anyone; the detail for those allowed.

Anyone (the container's health check, a load balancer) gets ``{"status": "ok"}``: the
process is up and answering. Nothing else is revealed and nothing is checked, so the public
answer cannot be used to probe or load the database, the broker or the workers.

A signed-in person holding one of ``HEALTHZ_DETAIL_ROLES`` (business managers), or a
request carrying ``Authorization: Bearer <HEALTHZ_TOKEN>``, gets the checks: the database,
the broker and a worker, 200 when every part is healthy, 503 naming each failing part
otherwise. With the embedded default (no broker) the broker and worker are reported as
in-process.
"""

from __future__ import annotations

import hmac
import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from scr.celery import app as celery_app
from scr.twofactor import is_verified, second_factor_required

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


def may_see_detail(request: HttpRequest) -> bool:
    token = settings.HEALTHZ_TOKEN
    offered = request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
    if token and offered and hmac.compare_digest(offered.encode(), token.encode()):
        return True
    user = request.user
    if not user.is_authenticated or (second_factor_required(user) and not is_verified(request)):
        return False
    return bool(user.has_role(*settings.HEALTHZ_DETAIL_ROLES))


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    if not may_see_detail(request):
        return JsonResponse({"status": "ok"})
    checks = {"database": check_database(), "broker": check_broker()}
    # A worker cannot answer without a broker: don't wait for it in vain.
    if checks["broker"]["status"] == "ok":
        checks["worker"] = check_worker()
    else:
        checks["worker"] = {"status": "fail", "error": "broker unavailable"}
    failing = [name for name, check in checks.items() if check["status"] != "ok"]
    body = {"status": "fail" if failing else "ok", "failing": failing, "checks": checks}
    return JsonResponse(body, status=503 if failing else 200)
