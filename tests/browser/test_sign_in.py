"""Signing in, in a real browser, with axe on every page visited."""

from __future__ import annotations

from typing import Any

import pytest

from agencies.demo import DEMO_PASSWORD, seed_people
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_people(transactional_db: None, settings: Any) -> None:
    settings.DEMO_MODE = True  # the test runner forces DEBUG off; demo logins need one of them
    seed_people()


def test_business_manager_signs_in_and_lands_on_home(live_server: Any, page: Any,
                                                      demo_people: None) -> None:
    page.goto(f"{live_server.url}/")
    assert "/sign-in/" in page.url
    assert_accessible(page)
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Morgan Bennett"
    assert "Business manager" in page.locator("main").inner_text()
    assert_accessible(page)


def test_wrong_password_shows_the_error_summary_not_a_stack_trace(
    live_server: Any, page: Any, demo_people: None
) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "There is a problem" in summary.inner_text()
    assert "Enter a correct username and password" in summary.inner_text()
    assert page.title().startswith("Error: ")
    assert page.get_by_label("Username").input_value() == "manager"
    assert_accessible(page)
