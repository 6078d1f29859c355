"""The business manager's journey, in a real browser, with axe on every page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from agencies.demo import DEMO_PASSWORD, seed_people
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def typed(day: Any) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def signed_in_manager(live_server: Any, page: Any, settings: Any) -> Any:
    settings.DEMO_MODE = True
    seed_people()
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def move(page: Any, label: str) -> None:
    """Make a stage move from the review page: its button (a move that needs a reason: its
    link, then the confirmation button on the move's page)."""
    link = page.locator("#moves").get_by_role("link", name=label)
    if link.count():
        link.click()
        assert_accessible(page)
    page.get_by_role("button", name=label).click()
    page.get_by_text("Moved to").wait_for()


def test_manager_opens_a_review_records_its_steps_appoints_a_reviewer_and_sees_the_clocks(
    live_server: Any, signed_in_manager: Any
) -> None:
    page = signed_in_manager
    today = timezone.localdate()

    # A referral opens the review.
    page.get_by_role("link", name="Reviews", exact=True).click()
    page.get_by_role("link", name="Record a referral").click()
    assert_accessible(page)
    page.get_by_label("Date of the incident").fill(typed(today - timedelta(days=3)))
    page.get_by_label("Date the local authority became aware").fill(typed(today - timedelta(days=2)))
    page.get_by_label("Serious harm").check()
    page.get_by_label("Suspected").check()
    page.get_by_label("What happened").fill("A baby was taken to hospital with a head injury.")
    page.get_by_label("The criteria for a review appear to be met").check()
    page.get_by_label("Referring agency").select_option(label="Northshire Police")
    page.get_by_label("Northshire Children's Social Care").check()
    page.get_by_role("button", name="Open the review").click()
    page.get_by_text("Review opened from the referral.").wait_for()
    heading = page.get_by_role("heading", level=1).inner_text()
    reference = heading.split()[0]
    assert reference.startswith("LCSPR-")
    assert_accessible(page)

    # Notification: the stage moves on; the next move names the date it needs and links
    # straight to the form that records it.
    move(page, "Start notification")
    page.locator("#moves").get_by_role("link", name="The date the national Panel and Ofsted "
                                                    "were notified").click()
    page.get_by_label("Date the national Panel and Ofsted were notified").fill(
        typed(today - timedelta(days=1)))
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Notification recorded.").wait_for()

    # The rapid review: it cannot start before the notification is recorded (it now is).
    move(page, "Start the rapid review")
    page.get_by_role("link", name="Record rapid review").click()
    page.get_by_label("Date of the rapid review meeting").fill(typed(today))
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Rapid review recorded.").wait_for()

    # The decision: a future date is refused with the error summary, nothing saved.
    page.get_by_role("link", name="Record decision").click()
    page.get_by_label("Carry out a review", exact=True).check()
    page.get_by_label("Date of the decision").fill(typed(today + timedelta(days=3)))
    page.get_by_label("Reasons").fill("The criteria are met: serious harm, neglect suspected.")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "cannot be in the future" in summary.inner_text()
    assert_accessible(page)
    page.get_by_label("Date of the decision").fill(typed(today))
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Decision recorded.").wait_for()

    # The terms of reference, on the review's Panel section.
    page.get_by_role("link", name="Panel", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Record the terms of reference").click()
    page.get_by_label("Scope period starts").fill(typed(today - timedelta(days=400)))
    page.get_by_label("Scope period ends").fill(typed(today - timedelta(days=2)))
    page.get_by_label("Systems review (SCIE Learning Together)").check()
    page.get_by_label("Key lines of enquiry").fill("How was information shared at discharge?")
    assert page.get_by_label("Northshire Police").is_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Save a new version").click()
    page.get_by_text("Terms of reference saved.").wait_for()

    # Appointing a reviewer: only people holding a panel role are offered; a panel member
    # without the reviewer role is refused with the reason.
    page.get_by_role("link", name="Appoint to the panel").click()
    options = page.get_by_label("Person").locator("option").all_inner_texts()
    assert "Jordan Price" not in " ".join(options)  # an agency lead, no panel role
    page.get_by_label("Independent reviewer").check()
    page.get_by_label("Person").select_option(label="Pat Lindqvist (Panel member)")
    page.get_by_label("Independence declaration (reviewer and chair)").fill("No involvement.")
    page.get_by_role("button", name="Appoint").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "does not hold the independent reviewer role" in summary.inner_text()
    assert_accessible(page)
    page.get_by_label("Person").select_option(label="Riley Okafor (Independent reviewer)")
    page.get_by_role("button", name="Appoint").click()
    page.get_by_text("Appointment made.").wait_for()
    assert "Independent reviewer: Riley Okafor" in page.locator("#panel").inner_text()

    # The clocks on the review's Clocks section and on the dashboard.
    page.get_by_role("link", name="Clocks", exact=True).click()
    assert_accessible(page)
    clocks = page.locator("#clocks").inner_text()
    assert "Notify the national Panel" in clocks and "Met" in clocks
    assert "Final report" in clocks
    page.get_by_role("link", name="Reviews", exact=True).first.click()
    row = page.locator("#dashboard tr", has_text=reference)
    row.wait_for()
    text = row.inner_text()
    assert "Rapid review" in text  # the stage
    # Notification and rapid review are met (the decision was taken): the 6-month clock runs.
    assert "Final report" in text
    due = today + relativedelta(months=6)
    assert f"{due.day} {due:%b %Y}" in text
    assert any(rag in text for rag in ("Green", "Amber", "Red"))
    assert_accessible(page)
