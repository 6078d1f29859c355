"""A database that fails mid-request (scr/unavailable.py): the 503 page, from wherever in
the request the failure came, with DEBUG on or off. The real thing (a PostgreSQL cluster
restarted under gunicorn) is tests/test_faults.py; here every query of one request fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client
from django.urls import reverse

from tests.personas import Personas

pytestmark = pytest.mark.django_db


def failing(error: Exception) -> Callable[..., Any]:
    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool,
                context: Any) -> Any:
        raise error

    return wrapper


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("error", [
    OperationalError("terminating connection due to administrator command"),
    InterfaceError("connection already closed")])
def test_a_lost_database_is_the_503_page_wherever_it_fails(
        personas: Personas, settings: Any, debug: bool, error: Exception) -> None:
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    client.force_login(personas.manager,
                       backend="agencies.services.account.DemoAwareModelBackend")
    with connection.execute_wrapper(failing(error)):
        page = client.get("/")  # fails in the middleware, reading the session
        change = client.post(reverse("agency_add"), {"name": "Lost", "kind": "police"})
    for response in (page, change):
        assert response.status_code == 503
        html = response.content.decode()
        assert "Sorry, the service is unavailable" in html and "govuk-heading-l" in html
        assert response["Retry-After"] == "30" and "no-store" in response["Cache-Control"]
        assert "Traceback" not in html and type(error).__name__ not in html
    assert "Your change was not saved" in change.content.decode()
    assert "Your change was not saved" not in page.content.decode()
    assert client.get("/").status_code == 200  # the next request, the database back


def test_other_errors_are_still_the_500_page(personas: Personas, settings: Any) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(personas.manager,
                       backend="agencies.services.account.DemoAwareModelBackend")
    with connection.execute_wrapper(failing(ValueError("a bug"))):
        response = client.get("/")
    assert response.status_code == 500
