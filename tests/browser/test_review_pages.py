"""A review's sections in a real browser: usable at 375 px, axe clean, and a move sent
again with Back says it already happened."""

from __future__ import annotations

from typing import Any

import pytest

from agencies.demo import DEMO_PASSWORD, seed_people
from reviews.demo import seed_reviews
from reviews.models import Review
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECTIONS = ("", "people/", "clocks/", "panel/", "evidence/", "history/")


@pytest.fixture
def demo(transactional_db: None, settings: Any) -> dict[str, int]:
    settings.DEMO_MODE = True
    seed_people()
    seed_reviews()
    return {"evidence": Review.objects.get(stage="evidence").pk,
            "referral": Review.objects.filter(stage="referral").order_by("pk").first().pk}


def sign_in(page: Any, base: str, username: str = "manager") -> None:
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def scrolls_sideways(page: Any) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth")


def test_every_section_of_a_review_fits_a_375px_screen_and_has_no_axe_violations(
    live_server: Any, browser: Any, demo: dict[str, int]
) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    sign_in(page, live_server.url)
    for path in [f"/reviews/{demo['evidence']}/{s}" for s in SECTIONS] + ["/reviews/",
                                                                           "/access-log/"]:
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").count() == 1, path
        assert not scrolls_sideways(page), f"{path} scrolls sideways at 375 px"
        assert_accessible(page)
    # The sections link to each other; the current one is marked for screen readers.
    page.goto(f"{live_server.url}/reviews/{demo['evidence']}/")
    nav = page.get_by_role("navigation", name="Sections of this review")
    nav.get_by_role("link", name="Evidence").click()
    page.wait_for_url(f"{live_server.url}/reviews/{demo['evidence']}/evidence/")
    current = nav.locator('[aria-current="page"]')
    assert current.inner_text() == "Evidence"
    context.close()


def test_sending_a_move_again_says_already_moved_with_a_link_back(
    live_server: Any, page: Any, demo: dict[str, int]
) -> None:
    sign_in(page, live_server.url)
    review = f"{live_server.url}/reviews/{demo['referral']}/"
    page.goto(review)
    # The move's button is on the review page (issue 19: no confirmation page per move).
    # The same page, open in a second tab, is sent after the first one moved the review.
    second = page.context.new_page()
    second.goto(page.url)
    page.get_by_role("button", name="Start notification").click()
    page.get_by_text("Moved to Notification.").wait_for()
    second.get_by_role("button", name="Start notification").click()
    assert second.get_by_role("heading", level=1).inner_text() == "Already moved to Notification"
    assert "permission" not in second.content()
    assert_accessible(second)
    second.get_by_role("link", name="Back to").click()
    second.wait_for_url(review)
    # Back to the page the move was made from: the move is not offered as if nothing
    # happened (the page is read again), or, if the browser shows it from its history, sending
    # it again says so.
    page.go_back()
    if page.get_by_role("button", name="Start notification").count():
        page.get_by_role("button", name="Start notification").click()
        assert page.get_by_role("heading", level=1).inner_text() == (
            "Already moved to Notification")


def test_a_blocked_move_shows_what_is_missing_as_links_and_no_button(
    live_server: Any, page: Any, demo: dict[str, int]
) -> None:
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/reviews/{demo['referral']}/")
    page.get_by_role("button", name="Start notification").click()
    page.get_by_text("Moved to Notification.").wait_for()
    assert page.locator("#moves").get_by_role("link", name="Start the rapid review").count() == 0
    page.goto(f"{live_server.url}/reviews/{demo['referral']}/move/?to=rapid_review")
    assert page.get_by_role("button", name="Start the rapid review").count() == 0
    assert_accessible(page)
    page.get_by_role("link", name="The date the national Panel and Ofsted were notified").click()
    page.wait_for_url(f"{live_server.url}/reviews/{demo['referral']}/notification/")
