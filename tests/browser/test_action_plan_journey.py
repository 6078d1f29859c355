"""The action-plan journey, in a real browser, with axe on every page: recommendations become
actions, the police lead updates progress with evidence of impact, the business manager
verifies it, the board sees its dashboard change and signs off the plan's closure, and the
review closes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.actionplans.helpers import monitoring_review
from tests.browser.conftest import assert_accessible
from tests.personas import PASSWORD, make_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def typed(day: Any) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def arranged(live_server: Any) -> dict[str, Any]:
    """ORM work before the browser opens: the personas and a review at Monitoring with one
    recommendation that names the child."""
    p = make_personas()
    review = monitoring_review(p)
    owner = f"{p.police_lead.get_full_name()} ({p.police_lead.username})"
    return {"url": live_server.url, "review": review.pk, "reference": review.reference,
            "owner": owner}


def sign_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    assert_accessible(page)


def by_status(page: Any, status: str) -> list[str]:
    row = page.locator("#by-status tbody tr", has=page.get_by_role("rowheader", name=status))
    return row.locator("td").all_inner_texts()


def test_recommendations_become_actions_that_are_verified_and_the_board_closes_the_plan(
        arranged: dict[str, Any], page: Any, tmp_path: Path) -> None:
    base, today = arranged["url"], timezone.localdate()

    # The business manager turns the recommendation into an action.
    sign_in(page, base, "manager")
    page.goto(f"{base}/reviews/{arranged['review']}/")
    page.get_by_role("link", name="Action plan", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Add an action to recommendation 1").click()
    assert_accessible(page)
    page.get_by_role("radio", name="Local").check()
    page.get_by_label("Action to be taken").fill("Audit police attendance at strategy meetings.")
    page.get_by_label("Lead agency").select_option(label="Police")
    page.get_by_label("Owner").select_option(label=arranged["owner"])
    page.get_by_label("Target date").fill(typed(today + timedelta(days=90)))
    page.get_by_label("Success measure").fill("Police attend 95% of strategy meetings.")
    page.get_by_role("button", name="Add the action").click()
    page.get_by_text("Action added.").wait_for()
    assert "1.1" in page.locator("#actions").inner_text()
    assert_accessible(page)

    # The police lead finds it on their home page, completes it and attaches the evidence.
    sign_in(page, base, "police_lead")
    page.get_by_role("link", name=f"{arranged['reference']} R1.1: update the action").click()
    assert_accessible(page)
    page.get_by_role("link", name="Update progress").click()
    assert_accessible(page)
    page.get_by_label("Progress note").fill("Audit of 40 meetings finished.")
    page.get_by_role("radio", name="Completed").check()
    page.get_by_label("Date of completion (if completed)").fill(typed(today))
    page.get_by_label("Outcome (if completed)").fill("Police attended 39 of 40 meetings.")
    page.get_by_role("button", name="Save progress").click()
    page.get_by_text("Progress saved.").wait_for()
    assert page.locator("#status").inner_text().startswith("Completed")
    page.get_by_role("link", name="Attach evidence of impact").click()
    assert_accessible(page)
    evidence = tmp_path / "audit.txt"
    evidence.write_text("Strategy meetings audit: police attended 39 of 40.\n")
    page.get_by_label("What the evidence shows").fill("Audit of strategy meetings")
    page.get_by_label("Upload a file").set_input_files(str(evidence))
    page.get_by_role("button", name="Upload", exact=True).click()
    page.get_by_text("Evidence of impact attached.").wait_for()
    assert "Audit of strategy meetings (version 1)" in page.locator("#evidence").inner_text()
    assert_accessible(page)

    # The board's dashboard: one completed action, none verified yet.
    sign_in(page, base, "board")
    page.get_by_role("link", name="Action plans").click()
    assert_accessible(page)
    assert by_status(page, "Completed")[-1] == "1"
    assert by_status(page, "Verified")[-1] == "0"

    # The business manager verifies the evidence of impact.
    sign_in(page, base, "manager")
    page.get_by_role("link", name=f"{arranged['reference']} R1.1: verify the evidence of "
                                  "impact").click()
    assert_accessible(page)
    page.get_by_role("link", name="Verify", exact=True).click()
    assert_accessible(page)
    page.get_by_role("button", name="Verify the evidence of impact").click()
    page.get_by_text("Action verified.").wait_for()
    assert page.locator("#status").inner_text().startswith("Verified")

    # The board sees the change and signs off the plan's closure; the review closes.
    sign_in(page, base, "board")
    page.get_by_role("link", name="Action plans").click()
    assert by_status(page, "Verified")[-1] == "1"
    assert by_status(page, "Completed")[-1] == "0"
    assert page.locator("#on-time-overall").inner_text() == "100%"
    page.get_by_role("link", name="Home").click()
    page.get_by_role("link", name=f"{arranged['reference']}: sign off the action plan's "
                                  "closure").click()
    assert_accessible(page)
    page.get_by_label("The board's sign-off").fill("The learning is embedded in practice.")
    page.get_by_role("button", name="Sign off closure and close the review").click()
    page.get_by_text("Closure signed off: the review is closed.").wait_for()
    assert_accessible(page)
    page.goto(f"{base}/reviews/{arranged['review']}/")
    assert "Closed" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)
