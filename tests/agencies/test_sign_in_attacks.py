"""The penetration test's attacks on sign-in (issue 9, defects 1 and 2), replayed.

django-axes locks one username *from one address*; a good sign-in resets only that pair;
scr/throttle.py adds growing delays per username (not for the person's usual address) and
per address. Each test below failed on the configuration before the fix
(``AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]`` with reset on success).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from scr import throttle
from scr.models import AccessEvent
from tests.agencies.test_authentication import WRONG, assert_locked_out, assert_signed_in, sign_in
from tests.conftest import PASSWORD, Personas

ATTACKER = "203.0.113.66"
USUAL = "198.51.100.5"
ELSEWHERE = "192.0.2.77"


def client_from(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The throttle's clock, moved by hand (``clock.move(seconds)``)."""
    state = {"offset": timedelta()}

    class Clock:
        def move(self, seconds: float) -> None:
            state["offset"] += timedelta(seconds=seconds)

        def set(self, seconds: float) -> None:
            state["offset"] = timedelta(seconds=seconds)

    monkeypatch.setattr(throttle, "now", lambda: timezone.now() + state["offset"])
    return Clock()


def assert_delayed(response: Any, wait: str = "") -> None:
    assert response.status_code == 200
    html = response.content.decode()
    assert "There have been too many failed attempts to sign in to this account" in html
    assert not wait or f"Wait {wait}" in html


# ---------------------------------------------------------------- defect 1: reset on success


def test_a_good_sign_in_as_another_account_does_not_reset_the_failures_against_this_one(
    personas: Personas,
) -> None:
    """The pen test: 4 wrong guesses at `panel`, one good sign-in as `health`, repeat. Before
    the fix, 24 guesses went through without a lock-out; now the fifth locks the pair."""
    guesses = 0
    for _round in range(2):
        for _ in range(4):
            response = sign_in(client_from(ATTACKER), "panel", WRONG)
            guesses += 1
            if response.status_code == 429:
                break
        else:
            assert_signed_in(sign_in(client_from(ATTACKER), "health_lead", PASSWORD))
            continue
        break
    assert guesses == 5
    assert_locked_out(response)
    assert_locked_out(sign_in(client_from(ATTACKER), "panel", PASSWORD))


def test_a_good_sign_in_resets_only_its_own_failures(personas: Personas) -> None:
    for _ in range(4):
        sign_in(client_from(USUAL), "manager", WRONG)
    assert_signed_in(sign_in(client_from(USUAL), "manager", PASSWORD))
    # The person's own counter starts again after a good sign-in...
    for _ in range(4):
        assert sign_in(client_from(USUAL), "manager", WRONG).status_code == 200
    assert_signed_in(sign_in(client_from(USUAL), "manager", PASSWORD))


# ---------------------------------------------------------------- defect 2: lock-out of others


def test_wrong_passwords_from_an_attacker_do_not_lock_the_real_user_out_of_their_usual_address(
    personas: Personas,
) -> None:
    assert_signed_in(sign_in(client_from(USUAL), "board", PASSWORD))  # their usual address
    for _ in range(5):
        sign_in(client_from(ATTACKER), "board", WRONG)
    assert_locked_out(sign_in(client_from(ATTACKER), "board", PASSWORD))
    assert_signed_in(sign_in(client_from(USUAL), "board", PASSWORD))


def test_from_a_new_address_the_real_user_waits_seconds_not_a_lock_out(
    personas: Personas, clock: Any,
) -> None:
    for _ in range(5):
        sign_in(client_from(ATTACKER), "board", WRONG)
    assert_delayed(sign_in(client_from(ELSEWHERE), "board", PASSWORD), "1 second")
    clock.move(2)
    assert_signed_in(sign_in(client_from(ELSEWHERE), "board", PASSWORD))


def test_the_delay_per_username_doubles_with_each_failure_up_to_the_maximum(
    personas: Personas, clock: Any, settings: Any,
) -> None:
    settings.SIGN_IN_DELAY_MAX_SECONDS = 30
    for i in range(5):  # from five addresses: no pair reaches the axes limit
        sign_in(client_from(f"192.0.2.{i + 1}"), "manager", WRONG)
    waits = []
    for i in range(7):
        clock.set(0)  # just after the last failure
        wait = throttle.seconds_to_wait("manager", f"198.18.0.{i + 1}")
        waits.append(wait)
        clock.set(wait)
        assert sign_in(client_from(f"198.18.0.{i + 1}"), "manager", WRONG).status_code == 200
    assert waits == [1, 2, 4, 8, 16, 30, 30]


def test_an_attempt_during_the_delay_is_refused_unchecked_and_logged_as_delayed(
    personas: Personas,
) -> None:
    for i in range(5):
        sign_in(client_from(f"192.0.2.{i + 1}"), "manager", WRONG)
    failed_before = AccessEvent.objects.filter(action=AccessEvent.Action.LOGIN_FAILED).count()
    assert_delayed(sign_in(client_from(ELSEWHERE), "manager", PASSWORD))
    assert AccessEvent.objects.filter(action=AccessEvent.Action.LOGIN_FAILED).count() == (
        failed_before)
    delayed = AccessEvent.objects.get(action=AccessEvent.Action.LOGIN_DELAYED)
    assert (delayed.username, delayed.ip_address) == ("manager", ELSEWHERE)


def test_the_business_manager_cannot_be_kept_out_for_ever(personas: Personas, clock: Any) -> None:
    """Repeating the attack every 15 minutes used to lock the manager out for good."""
    assert_signed_in(sign_in(client_from(USUAL), "manager", PASSWORD))
    for _hour in range(4):
        for _ in range(5):
            sign_in(client_from(ATTACKER), "manager", WRONG)
        assert_signed_in(sign_in(client_from(USUAL), "manager", PASSWORD))
        clock.move(15 * 60)


def test_an_address_trying_many_usernames_is_slowed_down(
    personas: Personas, settings: Any,
) -> None:
    settings.SIGN_IN_ADDRESS_DELAY_AFTER = 10
    for i in range(10):
        sign_in(client_from(ATTACKER), f"someone-{i}", WRONG)
    assert_delayed(sign_in(client_from(ATTACKER), "manager", PASSWORD))
    # The same person from their own address is unaffected.
    assert_signed_in(sign_in(client_from(USUAL), "manager", PASSWORD))


def test_failures_older_than_the_window_are_forgotten(personas: Personas, clock: Any) -> None:
    for i in range(8):
        sign_in(client_from(f"192.0.2.{i + 1}"), "manager", WRONG)
    assert throttle.seconds_to_wait("manager", ELSEWHERE) > 0
    clock.move(25 * 3600)
    assert throttle.seconds_to_wait("manager", ELSEWHERE) == 0
