"""A timed-out session loses nothing: the editor autosaves (htmx) while the reviewer types;
when the session has ended the status line says so instead of showing the sign-in page;
after signing in again the editor restores the last autosave."""

from __future__ import annotations

from typing import Any

import pytest

from reviews import services
from reviews.models import ReportSection, Stage
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, Personas
from tests.reporting import report_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def section(personas: Personas) -> ReportSection:
    w = report_world(personas, stage=Stage.REPORT)
    return services.report_start(by=personas.reviewer, review=w.review)[0]


def sign_in(page: Any, base: str, next_url: str) -> None:
    page.goto(f"{base}/sign-in/?next={next_url}")
    page.get_by_label("Username").fill("reviewer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}{next_url}")


def test_autosaved_work_survives_the_end_of_the_session(section: ReportSection, page: Any,
                                                        live_server: Any) -> None:
    editor = f"/report-sections/{section.pk}/edit/"
    sign_in(page, live_server.url, editor)
    assert_accessible(page)
    page.get_by_label("Text").fill("The first paragraph, typed before the session ended.")
    page.get_by_label("Text").press("End")
    page.get_by_text("Autosaved at").wait_for(timeout=20_000)

    page.context.clear_cookies(name="sessionid")  # the session ends (timed out)
    page.get_by_label("Text").press("End")
    page.get_by_label("Text").type(" More.")
    page.get_by_text("Not autosaved: you have been signed out").wait_for(timeout=20_000)
    assert page.locator("#autosave-status h1").count() == 0  # not the sign-in page pasted in

    sign_in(page, live_server.url, editor)
    assert "typed before the session ended." in page.get_by_label("Text").input_value()
    page.get_by_text("Your unsaved work from").wait_for()
    assert_accessible(page)
