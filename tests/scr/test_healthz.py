"""GET /healthz: a bare liveness answer in public; the checks for managers or a token."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from scr.celery import app as celery_app
from tests.conftest import Personas, client_for

TOKEN = "healthz-test-token-0123456789"


@pytest.mark.django_db
def test_the_public_answer_is_bare_liveness_and_reveals_nothing(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    body = response.content.decode()
    for revealing in ("postgresql", "sqlite", "vendor", "broker", "redis", "worker"):
        assert revealing not in body


def test_people_without_a_manager_role_get_the_bare_answer(personas: Personas) -> None:
    for user in (personas.reviewer, personas.police_lead, personas.board):
        assert client_for(user).get("/healthz").json() == {"status": "ok"}


def test_a_signed_in_business_manager_gets_the_detail(personas: Personas) -> None:
    body = client_for(personas.manager).get("/healthz").json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"


@pytest.mark.django_db
def test_the_token_from_settings_gets_the_detail(client: Client, settings: Any) -> None:
    settings.HEALTHZ_TOKEN = TOKEN
    body = client.get("/healthz", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").json()
    assert body["checks"]["database"]["status"] == "ok"
    assert client.get("/healthz", HTTP_AUTHORIZATION="Bearer wrong").json() == {"status": "ok"}


@pytest.mark.django_db
def test_no_token_configured_means_no_token_works(client: Client, settings: Any) -> None:
    settings.HEALTHZ_TOKEN = ""
    assert client.get("/healthz", HTTP_AUTHORIZATION="Bearer ").json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_broker_when_redis_is_unreachable(
    client: Client, settings: Any,
) -> None:
    settings.HEALTHZ_TOKEN = TOKEN
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        # Nothing listens on port 1 of loopback: the connection is refused at once.
        with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
            response = client.get("/healthz", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    finally:
        celery_app.conf.task_always_eager = saved
    assert response.status_code == 503
    body = response.json()
    assert "broker" in body["failing"]
    assert body["checks"]["broker"]["status"] == "fail"
    assert body["checks"]["database"]["status"] == "ok"


def test_healthz_is_public_and_only_answers_get(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
