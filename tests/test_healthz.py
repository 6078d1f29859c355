"""GET /healthz names the failing part."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from scr.celery import app as celery_app


@pytest.mark.django_db
def test_healthz_is_ok_on_the_embedded_default(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_broker_when_redis_is_unreachable(client: Client) -> None:
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        # Nothing listens on port 1 of loopback: the connection is refused at once.
        with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
            response = client.get("/healthz")
    finally:
        celery_app.conf.task_always_eager = saved
    assert response.status_code == 503
    body = response.json()
    assert "broker" in body["failing"]
    assert body["checks"]["broker"]["status"] == "fail"
    assert body["checks"]["database"]["status"] == "ok"


def test_healthz_is_public_and_only_answers_get(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
