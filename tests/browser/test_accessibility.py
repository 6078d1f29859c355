"""axe on the pages each role reaches, seeded with the demo data."""

from __future__ import annotations

from typing import Any

import pytest

from agencies.demo import DEMO_PASSWORD, seed_people
from reviews.demo import seed_reviews
from reviews.models import Review
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db: None, settings: Any) -> dict[str, int]:
    settings.DEMO_MODE = True
    people = seed_people()
    seed_reviews()
    review = Review.objects.get(stage="evidence")
    return {"review": review.pk, "subject": review.subjects.first().pk,
            "police": people["police"].pk}


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_business_manager_pages_have_no_axe_violations(live_server: Any, page: Any,
                                                       demo: dict[str, int]) -> None:
    sign_in(page, live_server.url, "manager")
    pages = ["/", "/reviews/", "/board/", "/people/", f"/people/{demo['police']}/",
             "/people/invite/", "/agencies/", "/access-log/",
             f"/reviews/{demo['review']}/", f"/reviews/{demo['review']}/history/",
             f"/reviews/{demo['review']}/people/", f"/reviews/{demo['review']}/clocks/",
             f"/reviews/{demo['review']}/panel/", f"/reviews/{demo['review']}/evidence/",
             "/reviews/?stage=all&sort=stage", f"/reviews/{demo['review']}/people/add/",
             f"/reviews/{demo['review']}/panel/appoint/", f"/reviews/{demo['review']}/terms/",
             f"/people-in-case/{demo['subject']}/edit/", f"/reviews/{demo['review']}/move/?to=analysis",
             f"/people-in-case/{demo['subject']}/", f"/people-in-case/{demo['subject']}/identifiers/add/",
             f"/people-in-case/{demo['subject']}/variants/add/",
             f"/history/agencies.user/{demo['police']}/",
             # Issue 19: who must approve, designating a partner's representative, the
             # sign-off page naming each approver, accepting several answers at once.
             "/sign-off-approvers/", "/sign-off-approvers/add/",
             "/sign-off-approvers/partner_police/designate/",
             f"/reviews/{demo['review']}/sign-off/",
             f"/reviews/{demo['review']}/evidence/accept/",
             # Issue 21: search across reviews, a person across reviews (with its reason
             # asked), and the log of those searches.
             "/search/", "/search/?q=chronology", "/search/?q=zzzznothing",
             f"/search/people/?subject={demo['subject']}", "/search/people/log/"]
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)
    # A form sent empty shows the error summary, which must be accessible too.
    page.goto(f"{live_server.url}/people/invite/")
    page.get_by_role("button", name="Send invitation").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page)


def test_agency_lead_and_board_member_pages_have_no_axe_violations(
    live_server: Any, browser: Any, demo: dict[str, int]
) -> None:
    review = f"/reviews/{demo['review']}/"
    for username, paths in (("police", ["/", "/reviews/", review, f"{review}people/",
                                        f"{review}clocks/", f"{review}panel/",
                                        f"{review}evidence/", f"{review}history/",
                                        "/notifications/", "/notifications/preferences/",
                                        "/search/?q=chronology"]),
                            ("board", ["/", "/reviews/", "/board/", "/search/?q=review"])):
        context = browser.new_context()
        page = context.new_page()
        sign_in(page, live_server.url, username)
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            assert_accessible(page)
        if username == "police":  # told of the demo's evidence requests: the unread count
            assert page.locator(".app-unread-count").count() == 1
        context.close()
