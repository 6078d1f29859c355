"""Evidence in a real browser, with axe on every page: the manager asks police and health
from one form; police acknowledge, write their agency report and submit it with a document;
health submit late (overdue shown); the reviewer returns police's for more, police
resubmit, the reviewer compares the versions and accepts both."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from agencies.demo import DEMO_PASSWORD, seed_people
from reviews import services
from reviews.models import EvidenceRequest, PanelAppointment, Review, Stage
from scr.pdf import html_to_pdf
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def review(transactional_db: None, settings: Any) -> Review:
    settings.DEMO_MODE = True
    people = seed_people()
    manager = people["manager"]
    from agencies.models import Agency

    police = Agency.objects.get(name="Northshire Police")
    health = Agency.objects.get(name="Northshire Integrated Care Board")
    today = timezone.localdate()
    review = services.review_create(
        by=manager, incident_date=today - timedelta(days=60),
        aware_date=today - timedelta(days=59), what_happened="An infant was injured.",
        harm=Review.Harm.SERIOUS_HARM, abuse_or_neglect=Review.AbuseNeglect.SUSPECTED,
        criteria_met=True, referring_agency=police, agencies_involved=[police, health])
    services.panel_appoint(by=manager, review=review, user=people["reviewer"],
                           panel_role=PanelAppointment.PanelRole.REVIEWER,
                           independence_declaration="No prior involvement.")
    Review.objects.filter(pk=review.pk).update(stage=Stage.EVIDENCE)  # arrange only
    return review


@pytest.fixture
def chronology_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "police-contacts.pdf"
    path.write_bytes(html_to_pdf("<h1>Police contacts</h1><p>Two call-outs in 2025.</p>"))
    return path


@pytest.fixture
def contexts(browser: Any) -> Any:
    """One browser context per person (their own session), closed at the end."""
    opened: list[Any] = []
    yield opened
    for context in opened:
        context.close()


def signed_in(contexts: list[Any], browser: Any, base: str, username: str) -> Any:
    """A page in a fresh browser context (a person's own session), signed in."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    contexts.append(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    assert_accessible(page)
    return page


def click(page: Any, name: str, done: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.get_by_text(done).first.wait_for()
    assert_accessible(page)


def open_link(page: Any, name: str) -> None:
    page.get_by_role("link", name=name).first.click()
    page.wait_for_load_state()
    assert_accessible(page)


def write_report(page: Any, **extra: str) -> None:
    open_link(page, "agency report")
    fields = {"Author and role": "DS Demo, review officer",
              "The author's involvement in the case and line management": "None.",
              "Date the agency's records were secured":
                  (timezone.localdate() - timedelta(days=3)).strftime("%d/%m/%Y"),
              "Analysis of the agency's involvement": "Referrals were never followed up.",
              "Lessons": "Check referrals are acknowledged.", **extra}
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    click(page, "Save draft", "Draft saved.")


def test_evidence_from_two_agencies_is_requested_answered_returned_and_accepted(
        live_server: Any, browser: Any, contexts: list[Any], review: Review,
        chronology_pdf: Path) -> None:
    base = live_server.url
    due = timezone.localdate() + timedelta(days=7)

    # The manager sends both requests from one form.
    manager = signed_in(contexts, browser, base, "manager")
    manager.goto(f"{base}/reviews/{review.pk}/evidence/")
    assert_accessible(manager)
    open_link(manager, "Request evidence")
    manager.get_by_label("Northshire Police").check()
    manager.get_by_label("Northshire Integrated Care Board").check()
    manager.get_by_label("Agency report (IMR)").check()
    manager.get_by_label("What is needed").fill("Your agency report for the scope period.")
    manager.get_by_label("Due on").fill(due.strftime("%d/%m/%Y"))
    click(manager, "Send requests", "Evidence requested.")
    grid = manager.locator("#evidence-grid").inner_text()
    assert grid.count("Sent") == 2

    # Police: the request is on the lead's home page, with its due date.
    police = signed_in(contexts, browser, base, "police")
    tasks = police.locator("main").inner_text()
    assert f"due {due.day} {due:%B %Y}" in tasks and "Northshire Integrated Care" not in tasks
    open_link(police, "Northshire Police to send")
    assert "Your agency report for the scope period." in police.locator("main").inner_text()
    open_link(police, "Acknowledge the request")
    click(police, "Acknowledge", "Request acknowledged.")
    write_report(police)
    open_link(police, "Upload a document")
    police.get_by_label("Upload a file").set_input_files(str(chronology_pdf))
    click(police, "Upload", "Document uploaded.")
    assert "Not yet submitted" in police.locator("#documents").inner_text()
    open_link(police, "Submit your answer")
    click(police, "Submit", "Submitted.")
    assert police.locator("#request-state").inner_text() == "Submitted"

    # Health is late: the due date passes (arranged), overdue shows, the answer is late.
    EvidenceRequest.objects.filter(review=review, agency__name__contains="Care Board").update(
        requested_on=timezone.localdate() - timedelta(days=20),
        due_on=timezone.localdate() - timedelta(days=1))
    health = signed_in(contexts, browser, base, "health")
    # The home page marks the overdue request: a red "Overdue" tag to see, and "Overdue:"
    # in the link's name for a screen reader (the tag itself is hidden from one).
    late = health.locator(".app-tasks li", has_text="Northshire Integrated Care Board to send"
                          ).first
    assert late.locator(".govuk-tag").inner_text().strip().lower() == "overdue"
    assert "was due" in late.inner_text()
    assert late.get_by_role("link", name=re.compile(r"^Overdue: .*Northshire Integrated Care "
                                                    r"Board to send")).count() == 1
    open_link(health, "Northshire Integrated Care Board to send")
    assert health.locator("#overdue").is_visible()
    write_report(health)
    open_link(health, "Submit your answer")
    click(health, "Submit", "Submitted.")
    assert "Late" in health.locator("#versions").inner_text()

    # The reviewer returns police's report for more.
    reviewer = signed_in(contexts, browser, base, "reviewer")
    reviewer.goto(f"{base}/reviews/{review.pk}/evidence/")
    assert_accessible(reviewer)
    reviewer.locator("#evidence").get_by_role("link", name="Agency report (IMR) from "
                                                           "Northshire Police").click()
    assert_accessible(reviewer)
    open_link(reviewer, "Version 1")
    assert "Referrals were never followed up." in reviewer.locator("#report").inner_text()
    reviewer.go_back()
    open_link(reviewer, "Return for more")
    reviewer.get_by_label("What is missing").fill("Say who supervised the officers involved.")
    click(reviewer, "Return", "Returned.")

    # Police see what is missing and resubmit.
    police.goto(f"{base}/")
    open_link(police, "Northshire Police to send more")
    assert "Say who supervised" in police.locator("#missing").inner_text()
    write_report(police, Context="Supervised monthly by DI Two.")
    open_link(police, "Submit your answer")
    click(police, "Submit", "Submitted.")
    assert police.locator("#request-state").inner_text() == "Resubmitted"

    # The reviewer compares the two versions and accepts both answers.
    reviewer.reload()
    open_link(reviewer, "Compare the last two versions")
    inserted = " ".join(reviewer.locator(".app-diff ins").all_inner_texts())
    assert "Supervised monthly by DI Two." in inserted
    reviewer.go_back()
    open_link(reviewer, "Accept the evidence")
    click(reviewer, "Accept", "Accepted.")
    reviewer.goto(f"{base}/reviews/{review.pk}/evidence/")
    reviewer.locator("#evidence").get_by_role(
        "link", name="Agency report (IMR) from Northshire Integrated Care Board").click()
    open_link(reviewer, "Accept the evidence")
    click(reviewer, "Accept", "Accepted.")
    reviewer.goto(f"{base}/reviews/{review.pk}/evidence/")
    assert reviewer.locator("#evidence-grid").inner_text().count("Accepted") == 2
    assert_accessible(reviewer)

    # At 375 px the evidence page still reads without the page scrolling sideways.
    reviewer.set_viewport_size({"width": 375, "height": 800})
    assert reviewer.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(reviewer)
