"""The anonymisation check in a real browser, with axe on every page (issue 17): the review's
independent reviewer registers the grandmother the report names (with an NHS number whose
check digit fails: kept, with its warning shown), reads the check page, decides whose a
shared surname is, finds the anonymised PDF refused until then and made clean after; the
business manager records the notice to the national Panel; a name added to the names
printed on purpose after that makes the PDF out of date (never published): the new PDF gets
its own notice and is the one published."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from reviews.models import FormDecision, LeakHit, Publication, Stage
from scr.workdays import subtract_working_days
from tests.browser.conftest import assert_accessible
from tests.browser.test_report_journey import Browser
from tests.conftest import Personas
from tests.reporting import ReportWorld
from tests.reviews.publication.test_publication import approved, ready_to_publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAMILY = ("Kayden Smith was three months old. His mother, Leanne Smith, cared for him.\n\n"
          "Smith did not attend the appointment at the clinic.\n\n"
          "His grandmother Sophie Turner visited every week.\n")


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(personas: Personas) -> ReportWorld:
    w = approved(personas, family=FAMILY)
    ready_to_publish(w)
    return w


@pytest.fixture
def people(browser: Any, live_server: Any) -> Iterator[Browser]:
    signed_in = Browser(browser, live_server.url)
    yield signed_in
    for context in signed_in.contexts:
        context.close()


def go(page: Any, url: str) -> None:
    page.goto(url)
    assert_accessible(page)


def click(page: Any, role: str, name: str, **options: Any) -> None:
    page.get_by_role(role, name=name, **options).first.click()
    assert_accessible(page)


def publishable_render_id(world: ReportWorld) -> int:
    """The PDF the Panel notice was recorded against."""
    from reviews.selectors.publication import publishable_render

    record = publishable_render(world.review)
    assert record is not None
    return record.pk


def test_the_reviewer_settles_the_check_and_the_manager_publishes(
        world: ReportWorld, people: Browser, live_server: Any) -> None:
    base, pk = live_server.url, world.review.pk
    reviewer = people.sign_in("reviewer")

    # The check lists the shared surname and the grandmother nobody registered.
    go(reviewer, f"{base}/reviews/{pk}/publication/")
    assert "2 items to settle" in reviewer.content()
    reviewer.get_by_label("Anonymised (for publication, leak-checked)").check()
    reviewer.get_by_role("button", name="Make the PDF").click()
    reviewer.get_by_text("2 items of the anonymisation check are not settled").wait_for()
    assert_accessible(reviewer)
    click(reviewer, "link", "Anonymisation check")
    items = reviewer.locator("#check-items")
    assert "Smith" in items.inner_text() and "Sophie Turner" in items.inner_text()

    # The reviewer registers the grandmother, with identifiers typed as lines.
    click(reviewer, "link", "Register this person")
    reviewer.get_by_label("Other family member").check()
    reviewer.get_by_label("Pseudonym").fill("Grandmother")
    reviewer.get_by_label("Full name").fill("Sophie Turner")
    reviewer.get_by_label("Female").check()
    reviewer.get_by_label("Other names, addresses and numbers (optional)").fill(
        "Postcode: nt1 2ab\nNHS number: 943 476 5918")
    click(reviewer, "button", "Add")
    assert "last digit does not check the other nine" in reviewer.content()
    grandmother = world.review.subjects.get(pseudonym="Grandmother")
    go(reviewer, f"{base}/people-in-case/{grandmother.pk}/")
    assert "943 476 5918" in reviewer.content() and "Warning" in reviewer.content()

    # One item is left: whose "Smith" is. The reviewer decides it is the mother's.
    go(reviewer, f"{base}/reviews/{pk}/publication/check/")
    assert "1 item to settle" in reviewer.content()
    assert "was “Sophie Turner”" not in reviewer.content()  # "His grandmother" reads as English
    click(reviewer, "link", "Decide whose it is")
    reviewer.get_by_label("Mother (Leanne Smith)").check()
    reviewer.get_by_label("Only here (this sentence)").check()
    click(reviewer, "button", "Save the decision")
    reviewer.locator("#all-settled").wait_for()
    assert FormDecision.objects.get().subject.pseudonym == "Mother"
    assert "<mark>Mother</mark>" in reviewer.content()

    # The anonymised PDF is made (in-process here) and is clean.
    click(reviewer, "link", "Publication")
    reviewer.get_by_label("Anonymised (for publication, leak-checked)").check()
    reviewer.get_by_role("button", name="Make the PDF").click()
    reviewer.get_by_text("Download the PDF").first.wait_for()
    reviewer.get_by_text("Clean").first.wait_for()
    assert_accessible(reviewer)
    assert not LeakHit.objects.exists()

    # The business manager moves the review on, records the notice and publishes.
    manager = people.sign_in("manager")
    go(manager, f"{base}/reviews/{pk}/move/?to=publication")
    manager.get_by_role("button", name="Move to publication").click()
    go(manager, f"{base}/reviews/{pk}/publication/")
    click(manager, "link", "Record the notice to the national Panel")
    sent = subtract_working_days(date.today(), 7)
    manager.get_by_label("Date this PDF was sent to the national Panel").fill(f"{sent:%d/%m/%Y}")
    click(manager, "button", "Record the notice")
    first_pdf = publishable_render_id(world)

    # The report's author is added to the names printed on purpose after that PDF was made:
    # its leak check read another list, so it is out of date and never published. The
    # change makes the PDF again; the new PDF needs its own notice to the Panel.
    go(manager, f"{base}/reviews/{pk}/publication/check/")
    click(manager, "link", "Add a name the report prints on purpose")
    manager.get_by_label("Name, as the report prints it").fill("Ann Author")
    manager.get_by_label("Why the report names them").fill("Author of the report")
    click(manager, "button", "Add")
    go(manager, f"{base}/reviews/{pk}/publication/")
    page_text = manager.content()
    assert "Publish the report" not in page_text
    assert ("was made before the register" in page_text
            or "Record the notice to the national Panel" in page_text)
    for _ in range(30):  # until the new PDF is made and leak-checked (a few seconds)
        if manager.get_by_role("link", name="Record the notice to the national Panel").count():
            break
        manager.wait_for_timeout(1000)
        manager.reload()
    assert_accessible(manager)
    click(manager, "link", "Record the notice to the national Panel")
    manager.get_by_label("Date this PDF was sent to the national Panel").fill(f"{sent:%d/%m/%Y}")
    click(manager, "button", "Record the notice")
    go(manager, f"{base}/reviews/{pk}/publication/")
    click(manager, "link", "Publish the report")
    click(manager, "button", "Publish", exact=True)
    manager.get_by_text("Published: the anonymised PDF is in the library.").wait_for()
    publication = Publication.objects.get()
    assert publication.render_id != first_pdf  # the PDF made after the change, never the first
    assert "Smith" not in publication.text and "Sophie" not in publication.text
    assert "Mother did not attend the appointment" in " ".join(publication.text.split())
    world.review.refresh_from_db()
    assert world.review.stage == Stage.PUBLICATION
