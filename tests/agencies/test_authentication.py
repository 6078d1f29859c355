"""Signing in and out: throttling, the access log, session lifetime, demo accounts."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from agencies import services
from agencies.models import User
from scr import middleware
from scr.models import AccessEvent
from tests.conftest import PASSWORD, Personas, client_for
from tests.factories import MembershipFactory, UserFactory

# Its tests count sessions and sign-in events: no persona is signed in beforehand.
pytestmark = pytest.mark.fresh_sessions

SIGN_IN = "/sign-in/"
WRONG = "not-the-right-password"


def sign_in(client: Client, username: str, password: str) -> Any:
    return client.post(SIGN_IN, {"username": username, "password": password})


def assert_signed_in(response: Any) -> None:
    assert response.status_code == 302, response.content[:500]
    assert response.url == "/"


def assert_locked_out(response: Any) -> None:
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert "Too many attempts to sign in" in response.content.decode()


def assert_sent_to_sign_in(response: Any) -> None:
    assert response.status_code == 302
    assert response.url.startswith(SIGN_IN)


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """The session middleware's clock, moved by hand."""
    clock = SimpleNamespace(now=time.time())
    monkeypatch.setattr(middleware, "time", SimpleNamespace(time=lambda: clock.now))
    return clock


# ---------------------------------------------------------------- signing in


def test_right_password_signs_in_and_lands_on_home(personas: Personas) -> None:
    client = Client()
    assert_signed_in(sign_in(client, "manager", PASSWORD))
    assert client.get("/").status_code == 200


def test_wrong_password_shows_the_error_summary_and_keeps_the_username(
    personas: Personas,
) -> None:
    response = sign_in(Client(), "manager", WRONG)
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "There is a problem" in html
    assert "Enter a correct username and password" in html
    assert 'value="manager"' in html
    assert "<title>Error: " in html


def test_empty_sign_in_form_asks_for_username_and_password(db: None) -> None:
    html = sign_in(Client(), "", "").content.decode()
    assert "There is a problem" in html
    assert "Enter your username" in html
    assert "Enter your password" in html


def test_session_key_rotates_at_sign_in(personas: Personas) -> None:
    client = Client()
    before = client.session.session_key
    assert before
    assert_signed_in(sign_in(client, "manager", PASSWORD))
    after = client.session.session_key
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_signed_in_user_visiting_sign_in_goes_home(personas: Personas) -> None:
    response = client_for(personas.manager).get(SIGN_IN)
    assert response.status_code == 302
    assert response.url == "/"


def test_anonymous_visitor_is_sent_to_sign_in(db: None) -> None:
    assert_sent_to_sign_in(Client().get("/"))


# ---------------------------------------------------------------- throttling (django-axes)


def test_sixth_attempt_after_five_wrong_passwords_is_locked_out_even_with_the_right_password(
    personas: Personas, settings: Any,
) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    client = Client()
    for _ in range(4):
        response = sign_in(client, "manager", WRONG)
        assert response.status_code == 200
        assert "Enter a correct username and password" in response.content.decode()
    # The fifth failure reaches the limit: that response is already the lockout page.
    assert_locked_out(sign_in(client, "manager", WRONG))
    response = sign_in(client, "manager", PASSWORD)
    assert_locked_out(response)
    assert "_auth_user_id" not in client.session


# Lock-out per (username, address) pair, growing delays per username and per address, and
# the pen test's attack scenarios: tests/test_sign_in_attacks.py.


def test_fewer_wrong_passwords_than_the_limit_do_not_lock_out(personas: Personas) -> None:
    client = Client()
    for _ in range(4):
        sign_in(client, "manager", WRONG)
    assert_signed_in(sign_in(client, "manager", PASSWORD))


def test_locked_out_attempts_are_still_logged_as_failed_sign_ins(personas: Personas) -> None:
    client = Client()
    for _ in range(6):
        sign_in(client, "manager", WRONG)
    assert AccessEvent.objects.filter(action=AccessEvent.Action.LOGIN_FAILED,
                                      username="manager").count() == 6


# ---------------------------------------------------------------- the access log


def test_sign_in_is_logged_with_user_and_address(personas: Personas) -> None:
    assert_signed_in(sign_in(Client(REMOTE_ADDR="198.51.100.23"), "manager", PASSWORD))
    event = AccessEvent.objects.get(action=AccessEvent.Action.LOGIN)
    assert event.user == personas.manager
    assert event.username == "manager"
    assert event.ip_address == "198.51.100.23"
    assert event.path == SIGN_IN


def test_sign_out_is_logged_with_user_and_address(personas: Personas) -> None:
    client = Client(REMOTE_ADDR="198.51.100.24")
    sign_in(client, "manager", PASSWORD)
    response = client.post("/sign-out/")
    assert_sent_to_sign_in(response)
    event = AccessEvent.objects.get(action=AccessEvent.Action.LOGOUT)
    assert event.user == personas.manager
    assert event.ip_address == "198.51.100.24"
    assert "_auth_user_id" not in client.session


def test_failed_sign_in_is_logged_with_the_username_as_typed_and_address(
    personas: Personas,
) -> None:
    sign_in(Client(REMOTE_ADDR="198.51.100.25"), "no-such-person", WRONG)
    event = AccessEvent.objects.get(action=AccessEvent.Action.LOGIN_FAILED)
    assert event.user is None
    assert event.username == "no-such-person"
    assert event.ip_address == "198.51.100.25"
    assert event.path == SIGN_IN
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.LOGIN).exists()


def test_forwarded_for_header_is_ignored_unless_a_proxy_is_trusted(
    personas: Personas, settings: Any,
) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    sign_in(Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6"), "manager", PASSWORD)
    assert AccessEvent.objects.get(action=AccessEvent.Action.LOGIN).ip_address == "10.0.0.1"


def test_forwarded_for_header_gives_the_client_address_behind_one_trusted_proxy(
    personas: Personas, settings: Any,
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    sign_in(Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.30"),
            "manager", PASSWORD)
    assert AccessEvent.objects.get(action=AccessEvent.Action.LOGIN).ip_address == "198.51.100.30"


# ---------------------------------------------------------------- session lifetime


def test_session_survives_activity_within_the_idle_timeout(
    personas: Personas, settings: Any, frozen_clock: SimpleNamespace,
) -> None:
    client = client_for(personas.manager)
    assert client.get("/").status_code == 200
    frozen_clock.now += settings.SESSION_IDLE_TIMEOUT - 60
    assert client.get("/").status_code == 200
    frozen_clock.now += settings.SESSION_IDLE_TIMEOUT - 60
    assert client.get("/").status_code == 200


def test_session_ends_after_the_idle_timeout(
    personas: Personas, settings: Any, frozen_clock: SimpleNamespace,
) -> None:
    client = client_for(personas.manager)
    assert client.get("/").status_code == 200
    frozen_clock.now += settings.SESSION_IDLE_TIMEOUT + 1
    assert_sent_to_sign_in(client.get("/"))
    # Coming back does not revive it.
    frozen_clock.now += 1
    assert_sent_to_sign_in(client.get("/"))
    assert AccessEvent.objects.filter(action=AccessEvent.Action.LOGOUT,
                                      user=personas.manager).exists()


def test_session_ends_after_the_absolute_timeout_however_active(
    personas: Personas, settings: Any, frozen_clock: SimpleNamespace,
) -> None:
    settings.SESSION_IDLE_TIMEOUT = 600
    settings.SESSION_ABSOLUTE_TIMEOUT = 3600
    client = client_for(personas.manager)
    assert client.get("/").status_code == 200
    started = frozen_clock.now
    # Busy all the time: a request every five minutes, never idle.
    while frozen_clock.now + 300 - started <= 3600:
        frozen_clock.now += 300
        assert client.get("/").status_code == 200
    frozen_clock.now += 300
    assert frozen_clock.now - started > 3600
    assert_sent_to_sign_in(client.get("/"))


def test_session_with_an_old_last_seen_time_is_ended(personas: Personas, settings: Any) -> None:
    client = client_for(personas.manager)
    assert client.get("/").status_code == 200
    session = client.session
    session[middleware.SEEN] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    assert_sent_to_sign_in(client.get("/"))


def test_session_started_too_long_ago_is_ended_even_if_just_seen(
    personas: Personas, settings: Any,
) -> None:
    client = client_for(personas.manager)
    assert client.get("/").status_code == 200
    now = int(time.time())
    session = client.session
    session[middleware.STARTED] = now - settings.SESSION_ABSOLUTE_TIMEOUT - 5
    session[middleware.SEEN] = now
    session.save()
    assert_sent_to_sign_in(client.get("/"))


def test_session_timeouts_default_to_thirty_minutes_idle_and_twelve_hours_absolute(
    settings: Any,
) -> None:
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_ABSOLUTE_TIMEOUT == 12 * 60 * 60


def test_deactivated_user_is_signed_out_at_once(personas: Personas) -> None:
    client = client_for(personas.police_lead)
    assert client.get("/").status_code == 200
    services.user_deactivate(by=personas.manager, user=personas.police_lead,
                             reason="Left the police")
    assert_sent_to_sign_in(client.get("/"))
    assert_sent_to_sign_in(client.get("/reviews/"))


def test_deactivated_user_cannot_sign_in_again(personas: Personas) -> None:
    services.user_deactivate(by=personas.manager, user=personas.police_lead,
                             reason="Left the police")
    response = sign_in(Client(), "police_lead", PASSWORD)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_deactivated_user_signed_in_by_password_is_signed_out_at_once(personas: Personas) -> None:
    client = Client()
    assert_signed_in(sign_in(client, "police_lead", PASSWORD))
    services.user_deactivate(by=personas.manager, user=personas.police_lead,
                             reason="Left the police")
    assert_sent_to_sign_in(client.get("/"))


# ---------------------------------------------------------------- demo accounts


@pytest.fixture
def demo_user(db: None) -> User:
    user = UserFactory(username="demo_manager", is_demo=True)
    MembershipFactory(user=user, role="business_manager", agency=None)
    return user


def test_demo_account_cannot_sign_in_when_debug_and_demo_mode_are_off(
    demo_user: User, settings: Any,
) -> None:
    settings.DEBUG = False
    settings.DEMO_MODE = False
    client = Client()
    response = sign_in(client, "demo_manager", PASSWORD)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_demo_account_signs_in_when_demo_mode_is_on(demo_user: User, settings: Any) -> None:
    settings.DEBUG = False
    settings.DEMO_MODE = True
    assert_signed_in(sign_in(Client(), "demo_manager", PASSWORD))


def test_demo_account_signs_in_when_debug_is_on(demo_user: User, settings: Any) -> None:
    settings.DEBUG = True
    settings.DEMO_MODE = False
    assert_signed_in(sign_in(Client(), "demo_manager", PASSWORD))


def test_demo_account_session_stops_working_once_demo_logins_are_switched_off(
    demo_user: User, settings: Any,
) -> None:
    settings.DEBUG = False
    settings.DEMO_MODE = True
    client = Client()
    assert_signed_in(sign_in(client, "demo_manager", PASSWORD))
    assert client.get("/").status_code == 200
    settings.DEMO_MODE = False
    assert_sent_to_sign_in(client.get("/"))


def test_real_account_signs_in_with_debug_and_demo_mode_off(
    personas: Personas, settings: Any,
) -> None:
    settings.DEBUG = False
    settings.DEMO_MODE = False
    assert_signed_in(sign_in(Client(), "manager", PASSWORD))


def test_behind_a_trusted_proxy_failures_from_other_clients_do_not_lock_out_everyone(
    personas: Personas, settings: Any,
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(1, settings.AXES_FAILURE_LIMIT + 1):
        client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
        sign_in(client, f"someone-{i}", "wrong-password")
    manager = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9")
    response = sign_in(manager, "manager", PASSWORD)
    assert response.status_code == 302
