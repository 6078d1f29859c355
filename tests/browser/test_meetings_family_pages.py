"""Meetings, a learning event's feedback and the family log in a real browser: axe on every
page, and the feedback form gives anonymous feedback by default."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from agencies.demo import DEMO_PASSWORD, seed_people
from agencies.models import User
from reviews import services
from reviews.demo import seed_reviews
from reviews.models import LearningFeedback, Review
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def review(transactional_db: None, settings: Any) -> Review:
    settings.DEMO_MODE = True
    seed_people()
    seed_reviews()
    review = Review.objects.get(stage="evidence")
    manager = User.objects.get(username="manager")
    event = services.meeting_record(by=manager, review=review, kind="learning_event",
                                    held_on=timezone.localdate(), agenda="What got in the way?")
    services.meeting_attendee_add(by=manager, meeting=event, user=User.objects.get(
        username="police"))
    services.meeting_attendee_add(by=manager, meeting=event, role="Health visitor")
    services.meeting_action_add(by=manager, meeting=event, description="Share the briefing",
                                owner="Business manager", due_on=timezone.localdate())
    return review


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_meetings_and_the_family_log_pages_are_accessible_and_feedback_is_anonymous(
        live_server: Any, page: Any, review: Review) -> None:
    base = live_server.url
    sign_in(page, base, "reviewer")
    page.goto(f"{base}/reviews/{review.pk}/")
    nav = page.get_by_role("navigation", name="Sections of this review")
    nav.get_by_role("link", name="Meetings").click()
    assert_accessible(page)
    page.get_by_role("link", name="Record a meeting").click()
    assert_accessible(page)
    page.get_by_label("Panel meeting").check()
    page.get_by_label("Date of the meeting").fill(timezone.localdate().strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Meeting recorded.").wait_for()
    page.get_by_role("link", name="Practitioner learning event").click()
    assert_accessible(page)
    assert "Health visitor" in page.locator("#attendees").inner_text()
    page.get_by_role("link", name="Give feedback on this learning event").click()
    assert_accessible(page)
    assert page.get_by_label("Give this feedback anonymously").is_checked()
    page.get_by_label("What helped your learning?").fill("Hearing each agency's view")
    page.get_by_role("button", name="Send feedback").click()
    page.get_by_text("Thank you: your feedback was saved.").wait_for()
    assert "Anonymous" in page.locator("main").inner_text()
    assert_accessible(page)
    feedback = LearningFeedback.objects.get()
    assert feedback.given_by is None and feedback.history.get().history_user is None

    nav = page.get_by_role("navigation", name="Sections of this review")
    nav.get_by_role("link", name="Family").click()
    assert_accessible(page)
    page.get_by_role("link", name="Add a family member to the log").click()
    page.get_by_label("Family member").select_option(label="Mother (Parent or carer)")
    page.get_by_label("Yes").check()
    page.get_by_label("Why, or why not").fill("Mother of the child; wishes to take part")
    page.get_by_label("Given").check()
    page.get_by_label("Interpreter needed: language (optional)").fill("Polish")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Added to the log.").wait_for()
    assert "Chantelle Smith" in page.locator("main").inner_text()
    assert_accessible(page)
