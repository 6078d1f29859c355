"""Publication in a real browser, with axe on every page: the business manager makes the
anonymised PDF of the approved version; the leak check finds a date on its page; the
register is fixed (the child's date of birth, so the date becomes an age; through the
service: the register's form has its own tests); a new PDF, made while the page polls
(htmx), is clean; the review moves to Publication and the manager publishes; a board member
finds the report in the library by theme, downloads it, and reaches nothing else of the
review's publication."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from reviews import services
from reviews.models import LeakHit, Publication, Stage
from reviews.models.publication import PUBLISHED_KIND
from reviews.selectors.publication import approved_snapshot
from scr.history import save_with_history
from scr.models import RenderRecord
from scr.renders import render_run
from scr.workdays import subtract_working_days
from tests.browser.conftest import assert_accessible
from tests.browser.test_report_journey import Browser
from tests.conftest import Personas
from tests.reporting import ReportWorld
from tests.reviews.publication.test_publication import FAMILY, approved, ready_to_publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(personas: Personas) -> ReportWorld:
    w = approved(personas, family=FAMILY + "\n\nKayden was born on 3 March 2015.\n")
    ready_to_publish(w)
    return w


@pytest.fixture
def people(browser: Any, live_server: Any) -> Iterator[Browser]:
    signed_in = Browser(browser, live_server.url)
    yield signed_in
    for context in signed_in.contexts:
        context.close()


def make_pdf(page: Any) -> None:
    """Ask for the anonymised PDF (tests run tasks in-process: it is made at once)."""
    done = page.get_by_text("Download the PDF").count()
    page.get_by_label("Anonymised (for publication, leak-checked)").check()
    page.get_by_role("button", name="Make the PDF").click()
    page.get_by_text("Download the PDF").nth(done).wait_for()
    assert_accessible(page)


def make_pdf_while_the_worker_is_busy(page: Any, world: ReportWorld) -> None:
    """A render still queued (as if the pdf worker were busy): the page says so and polls;
    once the worker has made it, the page shows the outcome without a reload."""
    snapshot = approved_snapshot(world.review)
    assert snapshot is not None
    queued = save_with_history(RenderRecord(
        content_type=ContentType.objects.get_for_model(snapshot), object_id=snapshot.pk,
        kind=PUBLISHED_KIND, created_by=world.p.manager), by=world.p.manager, reason="queued")
    page.reload()
    page.get_by_text("this page updates itself").wait_for()
    assert_accessible(page)
    render_run(queued.pk)
    page.get_by_text("this page updates itself").wait_for(state="detached")
    page.get_by_text("Clean").first.wait_for()
    assert_accessible(page)


def test_render_leak_fix_publish_and_find_in_the_library(
        world: ReportWorld, people: Browser, live_server: Any) -> None:
    base, pk = live_server.url, world.review.pk
    manager = people.sign_in("manager")
    manager.goto(f"{base}/reviews/{pk}/publication/")
    assert_accessible(manager)
    make_pdf(manager)
    found = manager.locator("table", has_text="What the leak check found")
    found.wait_for()
    hit = LeakHit.objects.get()
    assert "3 March 2015" in found.inner_text() and str(hit.page) in found.inner_text()
    assert "open leak-check hit" in manager.content()

    # The fix: the child's date of birth in the register, so the date is printed as an age.
    services.subject_update(by=world.p.manager, subject=world.review.subjects.get(kind="child"),
                            date_of_birth=date(2015, 3, 3), reason="From the health records")
    make_pdf_while_the_worker_is_busy(manager, world)

    manager.goto(f"{base}/reviews/{pk}/move/?to=publication")
    assert_accessible(manager)
    manager.get_by_role("button", name="Move to publication").click()
    manager.goto(f"{base}/reviews/{pk}/publication/")
    manager.get_by_role("link", name="Record the notice to the national Panel").click()
    assert_accessible(manager)
    sent = subtract_working_days(date.today(), 7)
    manager.get_by_label("Date this PDF was sent to the national Panel").fill(
        f"{sent:%d/%m/%Y}")
    manager.get_by_role("button", name="Record the notice").click()
    manager.get_by_text("Recorded: this PDF was sent to the national Panel.").wait_for()
    assert_accessible(manager)
    manager.goto(f"{base}/reviews/{pk}/publication/")
    manager.get_by_role("link", name="Publish the report").click()
    assert_accessible(manager)
    manager.get_by_role("button", name="Publish", exact=True).click()
    manager.get_by_text("Published: the anonymised PDF is in the library.").wait_for()
    assert_accessible(manager)
    publication = Publication.objects.get()
    world.review.refresh_from_db()
    assert world.review.stage == Stage.PUBLICATION

    board = people.sign_in("board")
    board.get_by_role("link", name="Published reports").click()
    assert_accessible(board)
    board.get_by_label("Theme").select_option(label="Information sharing")
    board.get_by_role("button", name="Search").click()
    assert_accessible(board)
    assert publication.title in board.content()
    with board.expect_download() as download:
        board.get_by_role("link", name=f"Download {publication.title}").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    for url, status in ((f"/reviews/{pk}/publication/", 403),
                        (f"/report-pdfs/{publication.render_id}/", 404)):
        assert board.goto(f"{base}{url}").status == status
