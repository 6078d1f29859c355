"""The board member's learning journey, in a real browser with axe on every page: the themes
across reviews, the board's figures for the reporting period (each a link to its records),
the yearly report, and its published PDF downloaded and read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from actionplans.selectors import reporting_year
from learning import services
from learning.models import YearlyLeakCheck
from reviews.models import Theme
from scr.anonymise import pdf_pages
from scr.renders import render_run
from tests.actionplans.helpers import an_action, monitoring_review
from tests.browser.conftest import assert_accessible
from tests.personas import PASSWORD, make_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def arranged(live_server: Any) -> dict[str, Any]:
    """ORM work before the browser opens: a published review whose finding has a theme, an
    action, and a yearly report for this reporting year, its PDF made and published."""
    p = make_personas()
    review = monitoring_review(p)
    review.findings.get().themes.add(Theme.objects.get(name="Information sharing"))
    an_action(p, review.recommendations.get())
    start, end = reporting_year(timezone.localdate())
    report = services.yearly_report_create(by=p.manager, title="Annual report", start=start,
                                           end=end)
    services.yearly_section_save(by=p.manager, report=report, section="learning",
                                 text="Kayden Smith's review showed information was not shared.")
    record = services.yearly_report_render(by=p.manager, report=report)
    render_run(record.pk)
    assert YearlyLeakCheck.objects.get(render=record).is_clean
    services.yearly_report_publish(by=p.manager, report=report)
    return {"url": live_server.url, "reference": review.reference, "report": report.pk}


def test_the_board_reads_the_learning_pages_and_downloads_the_yearly_report(
        arranged: dict[str, Any], page: Any) -> None:
    base = arranged["url"]
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill("board")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/learning/themes/")
    assert_accessible(page)
    assert "Information sharing" in page.locator("#themes-by-year").inner_text()
    assert arranged["reference"] in page.locator("#themes-by-review").inner_text()

    page.goto(f"{base}/board/actions/")
    assert_accessible(page)
    page.locator("#figure-published").click()
    assert_accessible(page)
    assert arranged["reference"] in page.locator("#records").inner_text()

    page.goto(f"{base}/learning/yearly/")
    assert_accessible(page)
    page.get_by_role("link", name="Annual report").click()
    assert_accessible(page)
    assert "Kayden" not in page.content()
    with page.expect_download() as download:
        page.locator("#download-pdf").click()
    text = " ".join(pdf_pages(Path(download.value.path()).read_bytes()))
    assert "Child A's review showed information was not shared" in " ".join(text.split())
    assert "Reviews published" in text and "Kayden" not in text
