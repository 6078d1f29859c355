"""The report's journey in a real browser, with axe on every page: the reviewer writes two
findings linked to key practice episodes and a recommendation, drafts sections, shares a
version with the panel; a panel member comments; the reviewer resolves it and submits the
version for sign-off; the business manager returns it once; then every approver approves
and the board's response is recorded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from reviews.models import Episode, Stage
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, Personas
from tests.reporting import ReportWorld, report_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(personas: Personas) -> ReportWorld:
    return report_world(personas, stage=Stage.REPORT)


class Browser:
    """One signed-in person per browser context (their own cookies)."""

    def __init__(self, browser: Any, base: str) -> None:
        self.browser, self.base, self.contexts = browser, base, []

    def sign_in(self, username: str) -> Any:
        context = self.browser.new_context(viewport={"width": 1280, "height": 900})
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{self.base}/sign-in/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{self.base}/")
        return page


@pytest.fixture
def people(browser: Any, live_server: Any) -> Iterator[Browser]:
    signed_in = Browser(browser, live_server.url)
    yield signed_in
    for context in signed_in.contexts:
        context.close()


def visit(page: Any, url: str) -> None:
    page.goto(url)
    assert_accessible(page)


def write_finding(page: Any, base: str, review: int, title: str, episode: str,
                  episode_title: str) -> None:
    visit(page, f"{base}/reviews/{review}/analysis/")
    page.get_by_role("link", name="Add a finding").click()
    assert_accessible(page)
    page.get_by_label("Finding, in one sentence").fill(title)
    page.get_by_label("The finding", exact=True).fill("Bruising on a baby who could not crawl "
                                                      "was accepted as accidental.")
    page.get_by_label("Why it matters beyond this case").fill("First explanations are relied "
                                                              "on across the partnership.")
    page.get_by_label("Risk assessment").check()
    page.get_by_text("No earlier published review has a finding").wait_for()  # htmx answered
    page.get_by_label("Was the risk to the baby recognised?").check()
    page.get_by_role("button", name="Save the finding").click()
    page.get_by_text("Finding saved.").wait_for()
    assert_accessible(page)
    page.get_by_text("This finding has no evidence linked").wait_for()
    page.get_by_role("link", name="Link evidence").click()
    assert_accessible(page)
    page.get_by_label("Key practice episode").check()
    # A key practice episode is named, not only described (the evidence-link rule); its
    # picker is revealed under the radio.
    page.get_by_label("Which episode").select_option(label=episode_title)
    page.get_by_label("Where in the evidence").fill(episode)
    page.get_by_label("What it shows").fill("The explanation was not tested.")
    page.get_by_role("button", name="Link evidence").click()
    page.get_by_text("Evidence linked.").wait_for()
    page.locator(".govuk-inset-text p.govuk-body", has_text=episode).wait_for()  # shown inline
    assert_accessible(page)


def move(page: Any, base: str, review: int, label: str, reason: str = "") -> None:
    visit(page, f"{base}/reviews/{review}/")
    link = page.locator("#moves").get_by_role("link", name=label)
    if link.count():  # a move that needs a reason has its own page; others are a button
        link.click()
        assert_accessible(page)
    if reason:
        page.get_by_label("Reason or note").fill(reason)
    page.get_by_role("button", name=label).click()
    page.get_by_text("Moved to").wait_for()


def submit_version(page: Any, base: str, review: int) -> None:
    visit(page, f"{base}/reviews/{review}/report/versions/")
    page.get_by_role("link", name="Version 1: v1 for panel").click()
    assert_accessible(page)
    page.get_by_role("link", name="Submit this version for sign-off").click()
    assert_accessible(page)
    page.get_by_role("button", name="Submit for sign-off").click()
    page.get_by_text("Submitted for sign-off.").wait_for()


def test_reviewer_panel_manager_and_approvers_take_the_report_to_sign_off(
        world: ReportWorld, people: Browser, live_server: Any) -> None:
    base, pk = live_server.url, world.review.pk
    reviewer = people.sign_in("reviewer")

    # Two findings, each traced to a key practice episode; a recommendation tied to one.
    for episode_title in ("The hospital visit", "The house move"):
        Episode.objects.create(review=world.review, title=episode_title)
    write_finding(reviewer, base, pk, "Bruising was explained away",
                  "Key practice episode 2: the hospital visit", "The hospital visit")
    write_finding(reviewer, base, pk, "Risk was not reassessed after the move",
                  "Key practice episode 4: the house move", "The house move")
    visit(reviewer, f"{base}/reviews/{pk}/analysis/")
    reviewer.get_by_role("link", name="Add a recommendation").click()
    assert_accessible(reviewer)
    reviewer.get_by_label("Recommendation", exact=True).fill(
        "The partnership should revise its bruising protocol for non-mobile babies.")
    reviewer.get_by_label("Finding 1: Bruising was explained away").check()
    reviewer.get_by_label("The safeguarding partnership").check()
    reviewer.get_by_label("Local", exact=True).check()
    reviewer.get_by_label("Outcome expected").fill(
        "By March 2027 an audit shows 90% of non-mobile babies with bruising referred for a "
        "child protection medical.")
    reviewer.get_by_role("button", name="Save the recommendation").click()
    reviewer.get_by_text("Recommendation saved.").wait_for()
    assert_accessible(reviewer)

    # The report: started, the introduction drafted (autosaved while typing, then saved).
    visit(reviewer, f"{base}/reviews/{pk}/report/")
    reviewer.get_by_role("link", name="Start the report").click()
    assert_accessible(reviewer)
    reviewer.get_by_role("button", name="Start the report").click()
    reviewer.get_by_text("Report started.").wait_for()
    assert_accessible(reviewer)
    reviewer.get_by_role("link", name="Edit Introduction", exact=True).click()
    assert_accessible(reviewer)
    reviewer.get_by_label("Text").fill("This review looks at the help given to **Child A**.")
    reviewer.get_by_label("Text").press("End")
    reviewer.get_by_text("Autosaved at").wait_for(timeout=20_000)
    reviewer.get_by_role("button", name="Save as version 1").click()
    reviewer.get_by_text("saved as version 1").wait_for()
    assert reviewer.locator("#main-content strong", has_text="Child A").count() >= 1
    reviewer.get_by_text("Finding 1: Bruising was explained away").first.wait_for()  # pulled in
    assert_accessible(reviewer)

    # A named version, shared with the panel.
    visit(reviewer, f"{base}/reviews/{pk}/report/versions/new/")
    reviewer.get_by_label("Name of this version").fill("v1 for panel")
    reviewer.get_by_label("Share it with the panel now").check()
    reviewer.get_by_role("button", name="Name this version").click()
    reviewer.get_by_text("Version named.").wait_for()
    assert_accessible(reviewer)

    # A panel member reads it and comments on the introduction.
    panel = people.sign_in("panel")
    visit(panel, f"{base}/reviews/{pk}/report/versions/")
    panel.get_by_role("link", name="Version 1: v1 for panel").click()
    assert_accessible(panel)
    panel.get_by_role("link", name="Comment on “Introduction”").click()
    assert_accessible(panel)
    panel.get_by_label("Your comment").fill("Say more about the GP's contact with the family.")
    panel.get_by_role("button", name="Add the comment").click()
    panel.get_by_text("Comment added.").wait_for()
    assert_accessible(panel)

    # The reviewer resolves it, then submits the version for sign-off.
    visit(reviewer, f"{base}/reviews/{pk}/report/versions/")
    reviewer.get_by_role("link", name="Version 1: v1 for panel").click()
    reviewer.get_by_role("link", name="Resolve the comment by").click()
    assert_accessible(reviewer)
    reviewer.get_by_label("What was done about it").fill("The GP's contact is in section 4.")
    reviewer.get_by_role("button", name="Resolve").click()
    reviewer.get_by_text("Comment resolved.").wait_for()
    assert_accessible(reviewer)
    submit_version(reviewer, base, pk)

    # The business manager sends it for sign-off, then returns it once, with reasons.
    manager = people.sign_in("manager")
    move(manager, base, pk, "Send for sign-off")
    visit(manager, f"{base}/reviews/{pk}/sign-off/")
    manager.get_by_role("link", name="Return the draft to the reviewer").click()
    assert_accessible(manager)
    manager.get_by_label("Reason or note").fill("Add the family's view to the conclusions.")
    manager.get_by_role("button", name="Return the draft to the report stage").click()
    manager.get_by_text("Moved to Report").wait_for()
    visit(manager, f"{base}/reviews/{pk}/sign-off/")
    manager.get_by_text("Returned to the reviewer: Add the family's view").wait_for()

    # Resubmitted and sent for sign-off again; every approver approves.
    submit_version(reviewer, base, pk)
    move(manager, base, pk, "Send for sign-off")
    approvers = [(reviewer, "Independent reviewer"), (manager, "Business manager"),
                 (people.sign_in("la_rep"), "Local authority (children's social care)"),
                 (people.sign_in("police_rep"), "Police"),
                 (people.sign_in("health_rep"), "Health (integrated care board)")]
    for page, label in approvers:
        visit(page, f"{base}/reviews/{pk}/sign-off/")
        page.get_by_role("link", name=f"Approve as {label}").click()
        assert_accessible(page)
        page.get_by_label(label).check()
        page.get_by_role("button", name="Approve").click()
        page.get_by_text("Approval recorded.").wait_for()
    visit(manager, f"{base}/reviews/{pk}/sign-off/")
    manager.get_by_text("Version 1: v1 for panel: approved").wait_for()

    # The board's response, recorded by the business manager.
    manager.get_by_role("link", name="Record the board's response").click()
    assert_accessible(manager)
    manager.get_by_label("The board's response").fill("The board accepts the findings.")
    manager.get_by_label("How the board will monitor the actions").fill(
        "Quarterly progress reports to the board.")
    for fieldset in manager.locator("fieldset").all():
        fieldset.get_by_label("Accepted", exact=True).check()
    manager.get_by_role("button", name="Save the response").click()
    manager.get_by_text("Board response recorded.").wait_for()
    assert_accessible(manager)

    # Publication now waits only on the publication dates, not on sign-off.
    visit(manager, f"{base}/reviews/{pk}/move/?to=publication")
    needs = manager.locator("main").inner_text()
    assert "approval" not in needs.lower() and "board" not in needs.lower()
    assert "planned publication date" in needs.lower()
