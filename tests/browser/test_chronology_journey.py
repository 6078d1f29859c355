"""The chronology in a real browser: the police lead imports a chronology from a file (a
first file with bad rows is refused, every bad line named) and submits it; health adds an
entry by form and submits; the reviewer opens the merged chronology, marks a key practice
episode, groups an episode and sees the timeline with a period when no professional saw
the child. axe on every page."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from agencies.demo import DEMO_PASSWORD, seed_people
from reviews.demo import seed_reviews
from reviews.models import ChronologyEntry, Review
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ["Date", "Time", "Source", "What happened", "Practitioner role", "Child seen",
          "Significance"]


@pytest.fixture
def review(transactional_db: None, settings: Any) -> Review:
    settings.DEMO_MODE = True
    seed_people()
    seed_reviews()
    return Review.objects.get(stage="evidence")


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def sign_in(browser: Any, base: str, username: str) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    return page


def open_chronology(page: Any, base: str, review: Review) -> None:
    page.goto(f"{base}/reviews/{review.pk}/")
    page.get_by_role("navigation", name="Sections of this review").get_by_role(
        "link", name="Chronology").click()
    page.get_by_role("heading", name="Chronology").wait_for()
    assert_accessible(page)


def test_agencies_submit_chronologies_and_the_reviewer_analyses_the_merged_one(
        live_server: Any, browser: Any, review: Review, tmp_path: Path) -> None:
    base = live_server.url
    aware = review.aware_date

    def day(n: int) -> str:
        return (aware - timedelta(days=n)).strftime("%d/%m/%Y")

    # The police lead: a file with bad rows first, refused with every bad line named.
    police = sign_in(browser, base, "police")
    open_chronology(police, base, review)
    police.get_by_role("link", name="Import from a file").click()
    assert_accessible(police)
    bad = write_csv(tmp_path / "bad.csv", [
        [day(300), "", "Custody record", "Father arrested at home", "Custody sergeant", "yes", ""],
        ["12/31/2025", "", "PNC", "Check", "Analyst", "no", ""],
        [day(250), "", "Log", "Visit", "PCSO", "perhaps", ""],
    ])
    police.get_by_label("Chronology file (CSV or Excel .xlsx)").set_input_files(str(bad))
    police.get_by_role("button", name="Import").click()
    summary = police.locator(".govuk-error-summary")
    summary.wait_for()
    text = summary.inner_text()
    assert "Line 3:" in text and "Line 4:" in text and "Line 2:" not in text
    assert_accessible(police)
    good = write_csv(tmp_path / "police.csv", [
        [day(300), "10:15", "Custody record", "Father arrested at home; baby seen", "Custody sergeant",
         "yes", ""],
        [day(290), "", "Command and control log", "Welfare check, baby seen", "PC", "yes", ""],
        [day(200), "", "Domestic abuse log", "Call from neighbour, no visit", "Call handler",
         "no", "significant"],
    ])
    police.get_by_label("Chronology file (CSV or Excel .xlsx)").set_input_files(str(good))
    police.get_by_role("button", name="Import").click()
    police.get_by_text("Imported 3 entries as drafts.").wait_for()
    assert_accessible(police)
    police.get_by_role("link", name="Submit 3 draft entries").click()
    assert_accessible(police)
    police.get_by_role("button", name="Submit the chronology").click()
    police.get_by_text("Chronology submitted.").wait_for()
    assert_accessible(police)
    assert police.locator("#agency-chronology").inner_text().count("Submitted") == 3

    # Health adds one entry by the form and submits.
    health = sign_in(browser, base, "health")
    open_chronology(health, base, review)
    health.get_by_role("link", name="Add an entry").click()
    health.get_by_label("Date", exact=True).fill(day(100))
    health.get_by_label("Time (optional)").fill("09:30")
    health.get_by_label("Source").fill("GP record")
    health.get_by_label("What happened").fill("Baby brought to the GP with bruising")
    health.get_by_label("Practitioner role").fill("GP")
    health.get_by_label("Yes").check()
    health.get_by_label("Key practice episode").check()
    assert_accessible(health)
    health.get_by_role("button", name="Save as a draft").click()
    health.get_by_text("Entry saved as a draft.").wait_for()
    assert_accessible(health)
    health.get_by_role("link", name="Submit 1 draft entry").click()
    assert_accessible(health)
    health.get_by_role("button", name="Submit the chronology").click()
    # Health has a chronology request awaiting its answer: one step submits it too.
    health.get_by_text("Chronology submitted, and with it the request due").wait_for()
    assert_accessible(health)

    # The reviewer: the merged chronology, in date order across both agencies.
    reviewer = sign_in(browser, base, "reviewer")
    open_chronology(reviewer, base, review)
    table = reviewer.locator("#chronology")
    rows = table.locator("tbody tr").all_inner_texts()
    assert len(rows) == 4
    assert "Father arrested" in rows[0] and "GP with bruising" in rows[3]
    # The timeline shows the period no professional saw the child (after day 290 until 100).
    assert reviewer.locator("svg.app-timeline__svg rect.app-timeline__gap").count() >= 1
    periods = reviewer.locator("#not-seen-periods").inner_text()
    # "Not seen" cannot begin before the child's birth (an unborn baby is not "not seen"),
    # so the period runs from the later of the day after day 290 and the birth.
    born = min(child.date_of_birth for child in review.subjects.filter(
        kind="child", withdrawn=False, date_of_birth__isnull=False))
    first_unseen = max(aware - timedelta(days=289), born)
    last_unseen = aware - timedelta(days=101)
    assert f"{first_unseen:%-d %B %Y} to {last_unseen:%-d %B %Y}" in periods

    # Mark the neighbour's call as a key practice episode.
    table.locator("tbody tr", has_text="Call from neighbour").get_by_role("link",
                                                                          name="Mark").click()
    assert_accessible(reviewer)
    reviewer.get_by_label("Key practice episode").check()
    reviewer.get_by_label("Why (optional)").fill("No visit after a report of abuse")
    reviewer.get_by_role("button", name="Save").click()
    reviewer.get_by_text("Entry marked.").wait_for()
    assert_accessible(reviewer)
    assert "Key practice episode" in reviewer.locator("#chronology tbody tr",
                                                      has_text="Call from neighbour").inner_text()

    # Group the neighbour's call and the GP visit into an episode.
    for text in ("Call from neighbour", "GP with bruising"):
        reviewer.locator("#chronology tbody tr", has_text=text).get_by_role("checkbox").check()
    reviewer.get_by_role("button", name="Group the selected entries into an episode").click()
    assert_accessible(reviewer)
    reviewer.get_by_label("Title of the episode").fill("Bruising not linked to the call")
    reviewer.get_by_role("button", name="Create the episode").click()
    reviewer.get_by_text("Episode created.").wait_for()
    assert "Bruising not linked to the call" in reviewer.locator("#episodes").inner_text()
    assert reviewer.locator("svg.app-timeline__svg rect.app-timeline__episode").count() == 1
    assert reviewer.locator("svg.app-timeline__svg rect.app-timeline__mark--key").count() >= 1
    assert_accessible(reviewer)
    assert ChronologyEntry.objects.filter(episode__isnull=False).count() == 2

    # At 375 px the page does not scroll sideways: the table and timeline scroll in place.
    reviewer.set_viewport_size({"width": 375, "height": 800})
    assert not reviewer.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth")
    assert_accessible(reviewer)
