"""Headless Debian Chromium driven by Playwright, plus an axe check.

Playwright's sync API runs an event loop in this thread, which makes Django
refuse ORM calls here; the tests do their ORM work in fixtures *before* the
browser opens, and the flag below only lets the live server's setup through.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Every Content-Security-Policy violation a page causes is reported to the console (the
# browser's own message, and ours from the securitypolicyviolation event, which the init
# script registers before any of the page's code runs).
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`
                + ` at ${e.sourceFile || document.location.href}:${e.lineNumber}`);
});
"""


def is_csp_message(text: str) -> bool:
    return "Content Security Policy" in text or text.startswith("CSP violation")


def collect_csp_violations(context: Any, page: Any) -> list[str]:
    """Every CSP violation the context's pages cause, as "url: message" lines."""
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    violations: list[str] = []
    page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
            if is_csp_message(message.text) else None)
    return violations


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page; the test fails if any page it visits violates the Content-Security-Policy
    (issue 9: no inline script or style anywhere, so a violation is a bug to fix)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    violations = collect_csp_violations(context, page)
    page.set_default_timeout(15_000)
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations))


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the current page; return its violations (id, impact, nodes).

    axe is evaluated through the DevTools protocol rather than added as a ``<script>``: the
    pages' Content-Security-Policy rightly refuses an inline script, even a test's."""
    from playwright.sync_api import Error as PlaywrightError

    for attempt in (1, 2):
        try:
            if not page.evaluate("() => typeof window.axe !== 'undefined'"):
                page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
            result = page.evaluate(
                "async () => await axe.run(document, {resultTypes: ['violations']})")
            break
        except PlaywrightError as error:
            # The click that led here navigated while axe ran: judge the page it arrived at.
            if attempt == 2 or "context was destroyed" not in str(error):
                raise
            page.wait_for_load_state("load")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]


def assert_accessible(page: Any) -> None:
    """axe on the page the test is looking at. A click on a link does not wait for the next
    page, so wait until it has loaded and has its main landmark: axe run on a document still
    being parsed reports a blank page (no main, no heading), not the page under test."""
    page.wait_for_load_state("load")
    page.locator("main").first.wait_for(state="attached")
    violations = axe_violations(page)
    assert violations == [], f"axe violations on {page.url}: {violations}"
