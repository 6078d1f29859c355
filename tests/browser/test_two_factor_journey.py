"""Invitation → set a password → set up two-factor sign-in → sign in with a code, in a real
browser, with axe on every page and the Content-Security-Policy watched (the ``page``
fixture fails the test on any violation)."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.core import mail
from django_otp.oath import TOTP

from agencies import services
from agencies.models import Agency
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Kx9-wiggle-harbour-lantern"


def app_code(secret: str, step: int = 0) -> str:
    """What an authenticator app shows for the typed key (base32, spaces allowed)."""
    key = secret.replace(" ", "")
    key += "=" * (-len(key) % 8)
    totp = TOTP(base64.b32decode(key))
    totp.drift = step
    return f"{totp.token():06d}"


@pytest.fixture
def invitation(transactional_db: None, live_server: Any, settings: Any) -> str:
    """The production rule on, and the link of a real invitation e-mail."""
    settings.TWO_FACTOR_REQUIRED = True
    settings.DEMO_MODE = False
    settings.SITE_URL = live_server.url
    agency = Agency.objects.create(name="Northshire Police", kind=Agency.Kind.POLICE)
    services.user_invite(by=None, username="jordan.price", email="jordan@police.example",
                         first_name="Jordan", last_name="Price", role="agency_lead",
                         agency=agency)
    links = re.findall(r"https?://\S+", mail.outbox[-1].body)
    assert len(links) == 1
    return links[0]


def sign_in(page: Any, url: str) -> None:
    page.goto(f"{url}/sign-in/")
    page.get_by_label("Username").fill("jordan.price")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_invited_person_sets_a_password_sets_up_two_factor_and_signs_in_with_a_code(
    live_server: Any, page: Any, invitation: str,
) -> None:
    page.goto(invitation)
    page.get_by_role("heading", name="Set your password").wait_for()
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.get_by_role("heading", name="Your password has been set").wait_for()

    # First sign-in: the password alone leads to setting up the second factor.
    sign_in(page, live_server.url)
    page.get_by_role("heading", name="Set up two-factor sign-in").wait_for()
    assert page.locator(".app-qr-code svg").is_visible()
    assert_accessible(page)
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Code", exact=True).fill("000000")
    page.get_by_role("button", name="Continue").click()
    assert "The code is not right" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.wait_for_timeout(1100)  # django-otp makes the next try wait a second after a miss
    page.get_by_label("Code", exact=True).fill(app_code(secret))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Two-factor sign-in is set up").wait_for()
    codes = page.get_by_test_id("backup-codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    page.get_by_role("button", name="I have kept my backup codes").click()
    page.get_by_role("heading", level=1, name="Jordan Price").wait_for()

    # Signing out and in again asks for a code from the app.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/sign-in/"))
    sign_in(page, live_server.url)
    page.get_by_role("heading", name="Enter your code").wait_for()
    assert_accessible(page)
    page.get_by_label("Code", exact=True).fill(app_code(secret, step=1))  # a code is accepted once
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", level=1, name="Jordan Price").wait_for()
    page.get_by_role("link", name="Your account").click()
    page.get_by_role("heading", name="Your account").wait_for()
    assert "Authenticator app" in page.locator("main").inner_text()
    assert_accessible(page)


def test_the_csp_watch_catches_an_inline_script(live_server: Any, browser: Any,
                                                db: None) -> None:
    """The ``page`` fixture's watch is real: an inline script, refused by the policy, is
    reported (this test uses its own page, so the violation does not fail it)."""
    from tests.browser.conftest import collect_csp_violations

    context = browser.new_context()
    page = context.new_page()
    violations = collect_csp_violations(context, page)
    page.goto(f"{live_server.url}/sign-in/")
    page.evaluate("""() => { const s = document.createElement("script");
                             s.textContent = "window.injected = true";
                             document.body.append(s); }""")
    page.wait_for_timeout(200)
    injected = page.evaluate("() => window.injected === true")
    context.close()
    assert not injected
    assert any("script-src" in v for v in violations), violations
