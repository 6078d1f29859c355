"""A learning briefing in a real browser, with axe on every page: the business manager drafts
a 7-minute briefing from a published review, edits it, makes its anonymised PDF (leak-checked,
clean), publishes it and sends it to the police; the police lead finds it in the library and
records how the police shared it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from reviews.models import Briefing, Dissemination
from tests.browser.conftest import assert_accessible
from tests.browser.test_report_journey import Browser
from tests.conftest import Personas
from tests.reporting import ReportWorld
from tests.reviews.publication.test_briefings import published_review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(personas: Personas) -> ReportWorld:
    return published_review(personas)


@pytest.fixture
def people(browser: Any, live_server: Any) -> Iterator[Browser]:
    signed_in = Browser(browser, live_server.url)
    yield signed_in
    for context in signed_in.contexts:
        context.close()


def test_a_manager_publishes_a_briefing_and_an_agency_lead_records_its_dissemination(
        world: ReportWorld, people: Browser, live_server: Any) -> None:
    base = live_server.url
    manager = people.sign_in("manager")
    manager.goto(f"{base}/reviews/{world.review.pk}/")
    assert_accessible(manager)
    manager.get_by_role("link", name="Draft a 7-minute briefing").click()
    assert_accessible(manager)
    manager.get_by_role("button", name="Draft the briefing").click()
    manager.get_by_text("Briefing drafted").wait_for()
    assert_accessible(manager)
    page = manager.content()
    assert "Risk was not reassessed" in page and "Child A" in page
    assert "Kayden" not in manager.locator("main").inner_text()  # the preview is anonymised

    manager.get_by_role("link", name="Edit the briefing").click()
    assert_accessible(manager)
    manager.get_by_label("Questions for teams").fill(
        "- When did your team last ask who else lives in the home?")
    manager.get_by_role("button", name="Save the briefing").click()
    manager.get_by_text("Briefing saved.").wait_for()
    assert_accessible(manager)

    manager.get_by_role("button", name="Make the anonymised PDF").click()
    manager.get_by_text("Clean (").wait_for()  # made in-process, leak-checked
    assert_accessible(manager)
    manager.get_by_role("link", name="Publish and send").click()
    assert_accessible(manager)
    manager.get_by_label("Police").check()
    manager.get_by_role("button", name="Publish and send").click()
    manager.get_by_text("Published and sent").wait_for()
    assert_accessible(manager)
    briefing = Briefing.objects.get()
    assert briefing.status == Briefing.Status.PUBLISHED

    lead = people.sign_in("police_lead")
    lead.goto(f"{base}/library/")
    assert_accessible(lead)
    lead.get_by_role("link", name=briefing.title, exact=True).click()
    assert_accessible(lead)
    with lead.expect_download() as download:
        lead.get_by_role("link", name=f"Download the briefing {briefing.title}").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    lead.get_by_role("link", name="Record how Police shared it").click()
    assert_accessible(lead)
    lead.get_by_label("When was it shared?").fill(f"{date.today():%d/%m/%Y}")
    lead.get_by_label("Team meeting").check()
    lead.get_by_label("How many practitioners did it reach?").fill("18")
    lead.get_by_role("button", name="Record it").click()
    lead.get_by_text("Recorded. Thank you.").wait_for()
    assert_accessible(lead)
    assert "18" in lead.locator("table", has_text="How it was shared").inner_text()
    recorded = Dissemination.objects.get()
    assert (recorded.agency, recorded.practitioners_reached) == (world.p.police, 18)
