"""One new review from referral to closure in a real browser (issue 19), switching people as
the process requires and using only links and buttons on the pages: after signing in, the
only address typed is the home page. Every hand-off must therefore be on the next person's
home task list (or their notifications) and every page must lead to the next step; axe runs
on every page loaded. The test prints, per stage, the pages loaded and the clicks made
(docs/hand-offs.md keeps the figures).

Only people are arranged before the browser opens (the demo people, a children's social care
lead); the review itself is made through the pages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from agencies.demo import DEMO_PASSWORD, seed_people
from agencies.models import Agency, User
from agencies.models.roles import Role
from agencies.services import membership_create
from scr.history import save_with_history
from scr.workdays import subtract_working_days
from tests.browser.conftest import ARTIFACTS, assert_accessible, collect_csp_violations
from tests.browser.test_evidence_journey import write_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every trusted click in the page (a person's click, a checkbox ticked, a button pressed) is
# reported to the test, whichever helper made it.
COUNT_CLICKS = """
document.addEventListener("click", (e) => { if (e.isTrusted) window.journeyClick(); }, true);
"""


# The words of the table headers that wrap across lines inside the word ("Refe/renc/e"); a
# break at a hyphen is a break between words.
WORDS_BROKEN_IN_HEADERS = """
() => {
  const broken = [];
  for (const th of document.querySelectorAll("main th")) {
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.data.matchAll(/[^\\s-]+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(word[0]);
      }
    }
  }
  return broken;
}
"""


def typed(day: Any) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass
class Journey:
    """The people's pages (one browser context each, one browser), the stage being walked,
    and the pages loaded and clicks made in each stage."""

    browser: Any
    base: str
    stage: str = "sign in"
    loads: Counter[str] = field(default_factory=Counter)
    clicks: Counter[str] = field(default_factory=Counter)
    order: list[str] = field(default_factory=list)
    pages: dict[str, Any] = field(default_factory=dict)
    contexts: list[Any] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)  # page -> loads seen by axe

    def begin(self, stage: str) -> None:
        self.stage = stage
        self.order.append(stage)

    def _loaded(self, who: str) -> None:
        self.loads[self.stage] += 1
        self.loaded[who] = self.loaded.get(who, 0) + 1

    def person(self, username: str) -> Any:
        """The person's page, signed in (the first time) and on their home page."""
        page = self.pages.get(username)
        if page is None:
            context = self.browser.new_context(viewport={"width": 1280, "height": 900})
            self.contexts.append(context)
            context.expose_binding("journeyClick", lambda _source: self._clicked())
            context.add_init_script(COUNT_CLICKS)
            page = context.new_page()
            self.csp += collect_csp_violations(context, page)
            page.set_default_timeout(15_000)
            page.on("load", lambda _page, who=username: self._loaded(who))
            self.pages[username] = page
            page.goto(f"{self.base}/sign-in/")
            self.axe(username)
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{self.base}/")
        else:
            page.goto(f"{self.base}/")
        self.axe(username)
        return page

    def _clicked(self) -> None:
        self.clicks[self.stage] += 1

    def axe(self, who: str) -> None:
        """axe on the person's page if it loaded a page axe has not seen yet."""
        page = self.pages[who]
        page.wait_for_load_state("load")
        if self.checked.get(who) != self.loaded.get(who):
            assert_accessible(page)
            self.checked[who] = self.loaded.get(who, 0)

    def trust(self, who: str) -> None:
        """A shared helper of the other journeys ran axe on every page it loaded."""
        self.pages[who].wait_for_load_state("load")
        self.checked[who] = self.loaded.get(who, 0)

    def report(self) -> str:
        lines = [f"{'stage':<44} {'pages':>5} {'clicks':>6}"]
        for stage in self.order:
            lines.append(f"{stage:<44} {self.loads[stage]:>5} {self.clicks[stage]:>6}")
        lines.append(f"{'total':<44} {sum(self.loads.values()):>5} "
                     f"{sum(self.clicks.values()):>6}")
        return "\n".join(lines)

    def __post_init__(self) -> None:
        self.loaded: dict[str, int] = {}


class Person:
    """One person's page in the journey: every step clicks a link or a button, waits for
    the page it leads to and runs axe on it."""

    def __init__(self, journey: Journey, username: str) -> None:
        self.j, self.who = journey, username
        self.page = journey.person(username)

    def link(self, name: str, *, within: str = "main", exact: bool = False) -> None:
        self.page.locator(within).get_by_role("link", name=name, exact=exact).first.click()
        self.j.axe(self.who)

    def task(self, text: str) -> None:
        """Follow the task on the home page that contains the text."""
        self.page.locator(".app-tasks li a", has_text=text).first.click()
        self.j.axe(self.who)

    def button(self, name: str, *, then: str | None = None, exact: bool = True) -> None:
        self.page.get_by_role("button", name=name, exact=exact).first.click()
        if then:
            self.page.get_by_text(then).first.wait_for()
        self.j.axe(self.who)

    def review(self, reference: str) -> None:
        """The review, from the list of reviews (the person's own entry to it)."""
        self.link("Reviews", within="#navigation", exact=True)
        self.link(reference)

    def overview(self) -> None:
        """The review's overview (its next steps), unless the page is already there."""
        if not self.page.locator("#moves").count():
            self.nav("Overview")

    def nav(self, name: str) -> None:
        """A section of the review (the review's own navigation)."""
        self.link(name, within="nav[aria-label='Sections of this review']", exact=True)

    def fill(self, label: str, value: str, exact: bool = False) -> None:
        self.page.get_by_label(label, exact=exact).fill(value)

    def check(self, label: str, exact: bool = False) -> None:
        self.page.get_by_label(label, exact=exact).check()

    def select(self, label: str, option: str) -> None:
        self.page.get_by_label(label).select_option(label=option)

    def text(self, selector: str = "main") -> str:
        return str(self.page.locator(selector).first.inner_text())

    def sees(self, text: str) -> None:
        self.page.get_by_text(text).first.wait_for()


@pytest.fixture
def people(transactional_db: None, settings: Any, tmp_path: Path) -> dict[str, User]:
    """The demo people, and a children's social care lead (the demo has none)."""
    settings.DEMO_MODE = True
    settings.MEDIA_ROOT = tmp_path / "media"
    people = seed_people()
    lead = User(username="social", first_name="Casey", last_name="Morgan",
                email="social@demo.invalid", is_demo=True)
    lead.set_password(DEMO_PASSWORD)
    save_with_history(lead, by=None, reason="Demo data")
    membership_create(by=None, user=lead, role=Role.AGENCY_LEAD,
                      agency=Agency.objects.get(name="Northshire Children's Social Care"),
                      reason="Demo data")
    people["social"] = lead
    return people


@pytest.fixture
def journey(browser: Any, live_server: Any, people: dict[str, User],
            request: pytest.FixtureRequest) -> Iterator[Journey]:
    j = Journey(browser, live_server.url)
    yield j
    print("\n" + j.report())
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for who, page in j.pages.items():
            page.screenshot(path=str(ARTIFACTS / f"journey-{who}.png"), full_page=True)
            (ARTIFACTS / f"journey-{who}.html").write_text(page.content())
    for context in j.contexts:
        context.close()
    assert not j.csp, "Content-Security-Policy violations:\n" + "\n".join(j.csp)


def test_one_review_from_referral_to_closure_through_the_pages_alone(journey: Journey,
                                                                     tmp_path: Path) -> None:
    j = journey
    today = timezone.localdate()

    # ------------------------------------------------------------------ referral
    j.begin("1. Referral and notification")
    manager = Person(j, "manager")
    manager.link("Reviews", within="#navigation", exact=True)
    manager.link("Record a referral")
    manager.fill("Date of the incident", typed(today - timedelta(days=45)))
    manager.fill("Date the local authority became aware", typed(today - timedelta(days=44)))
    manager.check("Serious harm")
    manager.check("Suspected")
    manager.fill("What happened", "A baby was taken to hospital with a head injury.")
    manager.check("The criteria for a review appear to be met")
    manager.select("Referring agency", "Northshire Police")
    for agency in ("Northshire Children's Social Care", "Northshire Integrated Care Board"):
        manager.check(agency)
    manager.button("Open the review", then="Review opened from the referral.")
    reference = manager.page.get_by_role("heading", level=1).inner_text().split()[0]
    manager.button("Start notification", then="Moved to")
    manager.link("The date the national Panel and Ofsted were notified", within="#moves")
    manager.fill("Date the national Panel and Ofsted were notified",
                 typed(today - timedelta(days=41)))
    manager.button("Save", then="Notification recorded.")

    j.begin("2. Rapid review")
    manager.button("Start the rapid review", then="Moved to")
    manager.link("Record rapid review")
    manager.fill("Date of the rapid review meeting", typed(today - timedelta(days=34)))
    manager.button("Save", then="Rapid review recorded.")
    manager.button("Move to decision", then="Moved to")

    j.begin("3. Decision")
    manager.link("Record decision")
    manager.check("Carry out a review", exact=True)
    manager.fill("Date of the decision", typed(today - timedelta(days=32)))
    manager.fill("Reasons", "The criteria are met: serious harm, abuse suspected.")
    manager.button("Save", then="Decision recorded.")
    # Commissioning needs the child in the register: the move names it and links to it.
    manager.link("The subject child in the pseudonym register", within="#moves")
    manager.check("Subject child")
    manager.fill("Pseudonym", "Child A")
    manager.fill("Full name", "Kayden Smith")
    manager.button("Add")
    manager.nav("Overview")
    manager.button("Commission the review", then="Moved to")

    j.begin("4. Panel appointed")
    manager.link("Terms of reference", within="#moves")
    manager.fill("Scope period starts", typed(today - timedelta(days=400)))
    manager.fill("Scope period ends", typed(today - timedelta(days=45)))
    manager.check("Systems review (SCIE Learning Together)")
    manager.fill("Key lines of enquiry", "- Was the risk to the baby recognised?")
    manager.button("Save a new version", then="Terms of reference saved.")
    manager.nav("Overview")
    manager.link("An appointed independent reviewer", within="#moves")
    manager.check("Independent reviewer")
    manager.select("Person", "Riley Okafor (Independent reviewer)")
    manager.fill("Independence declaration (reviewer and chair)", "No involvement.")
    manager.button("Appoint", then="Appointment made.")
    manager.link("Appoint to the panel")
    manager.check("Panel member", exact=True)
    manager.select("Person", "Pat Lindqvist (Panel member)")
    manager.select("Agency represented (panel members only)", "Northshire Education Services")
    manager.button("Appoint", then="Appointment made.")
    manager.nav("Overview")
    manager.button("Start gathering evidence", then="Moved to")
    # The hand-off: the reviewer and the panel member find the review on their home pages.
    reviewer = Person(j, "reviewer")
    assert f"{reference}: evidence – you are the independent reviewer" in reviewer.text()
    panel = Person(j, "panel")
    assert f"{reference}: evidence – you sit on the panel" in panel.text()

    leads = {"police": "Northshire Police", "health": "Northshire Integrated Care Board",
             "social": "Northshire Children's Social Care"}
    due = today + timedelta(days=10)

    def request(kind: str, description: str) -> None:
        manager.nav("Evidence")
        manager.link("Request evidence")
        for agency in leads.values():
            manager.check(agency)
        manager.check(kind)
        manager.fill("What is needed", description)
        manager.fill("Due on", typed(due))
        manager.button("Send requests", then="Evidence requested.")

    j.begin("5. Evidence requests answered")
    manager = Person(j, "manager")
    manager.review(reference)
    request("Agency report (IMR)", "Your agency report for the scope period.")
    for username in leads:
        lead = Person(j, username)
        lead.task("to send “Your agency report")
        write_report(lead.page)
        j.trust(username)
        lead.link("Submit your answer")
        lead.button("Submit", then="Submitted.")

    j.begin("6. Chronologies submitted")
    manager = Person(j, "manager")
    manager.review(reference)
    request("Agency chronology", "Your agency's chronology for the scope period.")
    for n, (username, agency) in enumerate(leads.items()):
        lead = Person(j, username)
        lead.task("to send “Your agency's chronology")
        lead.link(f"{agency}'s chronology")
        lead.link("Add an entry")
        lead.fill("Date", typed(today - timedelta(days=200 - 50 * n)), exact=True)
        lead.fill("Source", f"{agency} record")
        lead.fill("What happened", ("Baby seen at home by a practitioner",
                                    "Baby brought to the GP with bruising",
                                    "Referral about the baby's care, no visit")[n])
        lead.fill("Practitioner role", ("PC", "GP", "Social worker")[n])
        lead.check("Yes" if n < 2 else "No", exact=True)
        lead.button("Save as a draft", then="Entry saved as a draft.")
        lead.link("Submit 1 draft entry")
        lead.button("Submit the chronology", then="Chronology submitted, and with it")
    reviewer = Person(j, "reviewer")
    reviewer.task("accept or return the agency chronology")
    reviewer.link("Evidence for", within="nav[aria-label='Back']")
    reviewer.link("Accept submitted evidence")
    for box in reviewer.page.get_by_role("checkbox").all():
        box.check()
    reviewer.button("Accept the selected evidence", then="6 accepted.")

    j.begin("7. Analysis and findings")
    reviewer = Person(j, "reviewer")
    reviewer.task(f"{reference}: evidence – you are the independent reviewer")
    reviewer.button("Start analysis", then="Moved to")
    reviewer.nav("Analysis")
    reviewer.link("Add a finding")
    reviewer.fill("Finding, in one sentence", "Bruising was explained away")
    reviewer.fill("The finding", "Bruising on a baby who could not crawl was accepted as "
                                 "accidental.", exact=True)
    reviewer.fill("Why it matters beyond this case", "First explanations are relied on across "
                                                     "the partnership.")
    reviewer.check("Risk assessment")
    reviewer.check("Was the risk to the baby recognised?")
    reviewer.button("Save the finding", then="Finding saved.")
    reviewer.link("Link evidence")
    reviewer.check("Agency report (IMR)", exact=True)
    reviewer.select("Which agency report version", "Northshire Police, version 1")
    reviewer.fill("Where in the evidence", "Analysis, paragraph 2")
    reviewer.fill("What it shows", "The explanation was not tested.")
    reviewer.button("Link evidence", then="Evidence linked.")
    reviewer.nav("Analysis")
    reviewer.link("Add a recommendation")
    reviewer.fill("Recommendation", "The partnership should revise its bruising protocol for "
                                    "non-mobile babies.", exact=True)
    reviewer.check("Finding 1: Bruising was explained away")
    reviewer.check("The safeguarding partnership")
    reviewer.check("Local", exact=True)
    reviewer.fill("Outcome expected", "By March 2027 an audit shows 90% of non-mobile babies "
                                      "with bruising referred for a child protection medical.")
    reviewer.button("Save the recommendation", then="Recommendation saved.")
    reviewer.nav("Overview")
    reviewer.button("Start the report", then="Moved to")

    j.begin("8. Report drafted and shared with the panel")
    reviewer.nav("Report")
    reviewer.link("Start the report")
    reviewer.button("Start the report", then="Report started.")
    reviewer.link("Edit Introduction", exact=True)
    reviewer.fill("Text", "This review looks at the help given to **Child A**.")
    reviewer.button("Save as version 1", then="saved as version 1")
    reviewer.link("Name a version")
    reviewer.fill("Name of this version", "Draft for the panel")
    reviewer.check("Share it with the panel now")
    reviewer.button("Name this version", then="Version named.")
    panel = Person(j, "panel")
    panel.task("read and comment on version 1 of the report")
    panel.link("Comment on “Introduction”")
    panel.fill("Your comment", "Say more about the GP's contact with the family.")
    panel.button("Add the comment", then="Comment added.")

    j.begin("9. Comments and factual-accuracy checks")
    reviewer = Person(j, "reviewer")
    reviewer.task("answer 1 panel comment on version 1")
    reviewer.link("Resolve the comment by")
    reviewer.fill("What was done about it", "The GP's contact is in the introduction now.")
    reviewer.button("Resolve", then="Comment resolved.")
    reviewer.link("Send this version to agencies for factual-accuracy checking")
    for agency in leads.values():
        reviewer.check(f"Every section for {agency}")
    reviewer.fill("Due on", typed(due))
    reviewer.button("Send for checking", then="Sent for factual-accuracy checking.")
    for username in leads:
        lead = Person(j, username)
        lead.task("to check the facts of")
        lead.check("Accurate", exact=True)
        lead.button("Send your answer")
    reviewer = Person(j, "reviewer")
    reviewer.task("read the factual-accuracy answer")
    reviewer.link("Evidence for", within="nav[aria-label='Back']")
    reviewer.link("Accept submitted evidence")
    for box in reviewer.page.get_by_role("checkbox").all():
        box.check()
    reviewer.button("Accept the selected evidence", then="3 accepted.")

    j.begin("10. Submitted and signed off")
    reviewer.nav("Report")
    reviewer.link("Versions", exact=True)
    reviewer.link("Draft for the panel")
    reviewer.link("Submit this version for sign-off")
    reviewer.button("Submit for sign-off", then="Submitted for sign-off.")
    manager = Person(j, "manager")
    manager.task("is submitted for sign-off: move the review to Sign-off")
    manager.button("Send for sign-off", then="Moved to")
    manager = Person(j, "manager")
    manager.task("awaits sign-off")
    # The sign-off page names each approver and who can give it, with a link to designate
    # a partner's representative where nobody can yet.
    for label, lead_name in (("Local authority (children's social care)", "Casey Morgan"),
                             ("Police", "Jordan Price"),
                             ("Health (integrated care board)", "Sam Ahmed")):
        manager.link(f"designate a representative of {label}")
        manager.check(lead_name)
        manager.button("Designate", then="can now give the approval")
    for username in ("manager", "reviewer", *leads):
        approver = Person(j, username)
        approver.task("give the approval of")
        approver.link("Approve as")
        for box in approver.page.get_by_role("radio").all()[:1]:
            box.check()
        approver.button("Approve", then="Approval recorded.")
    manager = Person(j, "manager")
    manager.task("the report is signed off: record the board's response")
    manager.link("Record the board's response")
    manager.fill("The board's response", "The board accepts the findings.")
    manager.fill("How the board will monitor the actions", "Quarterly reports to the board.")
    for fieldset in manager.page.locator("main fieldset").all():
        fieldset.get_by_label("Accepted", exact=True).check()
    manager.button("Save the response", then="Board response recorded.")

    j.begin("11. Anonymisation check and PDF")
    # The sign-off page names the next step; the home page's task leads straight to it.
    assert "Next: the anonymisation check" in manager.text("#next-step")
    manager = Person(j, "manager")
    manager.task("the board has responded: make the anonymised PDF")
    manager.link("Anonymisation check")
    manager.page.locator("#all-settled").wait_for()
    manager.link("Publication", within="#all-settled")
    manager.check("Anonymised (for publication, leak-checked)")
    manager.button("Make the PDF", then="Download the PDF")
    manager.sees("Clean")

    j.begin("12. Publication")
    manager.overview()
    # The move names what publication still needs, each a link to where it is recorded.
    manager.link("A planned publication date", within="#moves")
    # The journey runs months of a review in minutes: the report was in fact received (and
    # sent to the national Panel) earlier than its submission in the system, so publication
    # today is lawful (7 working days' notice).
    manager.fill("Date the final report was received", typed(subtract_working_days(today, 8)))
    manager.fill("Planned publication date", typed(today))
    manager.fill("Date the final report was sent to the national Panel",
                 typed(subtract_working_days(today, 7)))
    manager.fill("Reason for the change", "The reviewer sent the final report by e-mail first.")
    manager.button("Save")
    manager.overview()
    manager.button("Move to publication", then="Moved to")
    manager.nav("Publication")
    manager.link("Record the notice to the national Panel")
    manager.fill("Date this PDF was sent to the national Panel",
                 typed(subtract_working_days(today, 7)))
    manager.button("Record the notice", then="Recorded: this PDF was sent to the national Panel.")
    manager.link("Publish the report")
    manager.button("Publish", then="Published: the anonymised PDF is in the library.")

    j.begin("13. Action plan: actions assigned, progress")
    manager.link("review's next steps", within="#next-step")  # the Publication page says so
    manager.button("Start action plan monitoring", then="Moved to")
    manager.link("Action plan", exact=True)
    owners = {"police": ("Northshire Police", "Jordan Price (police)"),
              "health": ("Northshire Integrated Care Board", "Sam Ahmed (health)")}
    for agency, owner in owners.values():
        manager.link("Add an action to recommendation 1")
        manager.page.get_by_role("radio", name="Local").check()
        manager.fill("Action to be taken", f"{agency}: audit the response to bruising in babies.")
        manager.select("Lead agency", agency)
        manager.select("Owner", owner)
        manager.fill("Target date", typed(today + timedelta(days=90)))
        manager.fill("Success measure", "Every bruised non-mobile baby has a medical.")
        manager.button("Add the action", then="Action added.")
    evidence = tmp_path / "audit.txt"
    evidence.write_text("Audit of 40 cases: 39 referred for a child protection medical.\n")
    for n, username in enumerate(owners, start=1):
        lead = Person(j, username)
        lead.task(f"{reference} R1.{n}: update the action")
        lead.link("Update progress")
        lead.fill("Progress note", "Audit of 40 cases finished.")
        lead.page.get_by_role("radio", name="Completed").check()
        lead.fill("Date of completion (if completed)", typed(today))
        lead.fill("Outcome (if completed)", "39 of 40 babies referred for a medical.")
        lead.button("Save progress", then="Progress saved.")
        lead.link("Attach evidence of impact")
        lead.fill("What the evidence shows", "Audit of bruising referrals")
        lead.page.get_by_label("Upload a file").set_input_files(str(evidence))
        lead.button("Upload", then="Evidence of impact attached.")

    j.begin("14. Verified; the board closes the plan")
    for n in (1, 2):
        manager = Person(j, "manager")
        manager.task(f"{reference} R1.{n}: verify the evidence of impact")
        manager.link("Verify", exact=True)
        manager.button("Verify the evidence of impact", then="Action verified.")
    board = Person(j, "board")
    board.task(f"{reference}: sign off the action plan's closure")
    board.fill("The board's sign-off", "The learning is embedded in practice.")
    board.button("Sign off closure and close the review",
                 then="Closure signed off: the review is closed.")

    # The review is closed; the pages the people used most, at 1280 px and at 375 px.
    j.begin("Reviews list and pages at 375 px")
    manager = Person(j, "manager")
    manager.link("Reviews", within="#navigation", exact=True)
    manager.page.get_by_label("Stage", exact=True).select_option(label="Closed")
    manager.button("Apply")
    assert manager.page.evaluate(WORDS_BROKEN_IN_HEADERS) == []
    for who in ("manager", "police", "board"):
        person = Person(j, who)
        person.page.set_viewport_size({"width": 375, "height": 800})
        fits_at_375(person.page, who)
        person.button("Menu")  # the service navigation folds behind its toggle
        person.link("Reviews", within="#navigation", exact=True)
        fits_at_375(person.page, who)
    manager = Person(j, "manager")
    manager.button("Menu")
    manager.link("Reviews", within="#navigation", exact=True)
    manager.page.get_by_label("Stage", exact=True).select_option(label="Closed")
    manager.button("Apply")
    manager.link(reference)
    for section in ("Overview", "Evidence", "Sign-off"):
        manager.nav(section)
        fits_at_375(manager.page, "manager")


def fits_at_375(page: Any, who: str) -> None:
    """No sideways scrolling of the page at 375 px, and axe on it at that width."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, (
        f"{page.url} scrolls sideways at 375 px for {who}")
    assert_accessible(page)
