"""Growing delays on sign-in, per username and per address, on top of django-axes.

django-axes locks one username *from one address* after ``AXES_FAILURE_LIMIT`` failures
(``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]``), so guesses from an
attacker's address never lock the real person out from theirs, and a good sign-in resets
only that pair's failures (issue 9, defects 1 and 2).

What the pair lock does not stop — many addresses guessing one account, one address
trying many accounts — is slowed down here, without a hard lock that anyone could use to
keep someone out:

- **per username**: after ``SIGN_IN_DELAY_AFTER`` failures for one username within
  ``SIGN_IN_WINDOW_HOURS``, the next attempt must wait 1 second after the last failure, the
  one after 2, then 4... up to ``SIGN_IN_DELAY_MAX_SECONDS``. An address the person signed in
  from within ``SIGN_IN_KNOWN_ADDRESS_DAYS`` (their usual address) is not delayed: the real
  user keeps signing in while their account is under attack elsewhere.
- **per address**: after ``SIGN_IN_ADDRESS_DELAY_AFTER`` failures from one address (any
  usernames) the same growing delay applies to that address (password spraying).

A delayed attempt never reaches the password check, so it is no guess; it is logged as
``login_delayed``. The counts come from the access log's failed sign-ins (indexed by
username and by address), so no sign-in of any account can reset them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from scr.models import AccessEvent


def now() -> datetime:
    """The clock (a function, so tests can move it)."""
    return timezone.now()


def _delay(failures: int, after: int) -> int:
    """Seconds to wait after the last failure: 0 below the limit, then 1, 2, 4... capped."""
    if failures < after:
        return 0
    return min(2 ** min(failures - after, 30), settings.SIGN_IN_DELAY_MAX_SECONDS)


def _wait(events: QuerySet[AccessEvent], after: int, at: datetime) -> int:
    stats = events.aggregate(n=Count("id"), last=Max("at"))
    delay = _delay(stats["n"], after)
    if not delay or stats["last"] is None:
        return 0
    remaining = (stats["last"] + timedelta(seconds=delay) - at).total_seconds()
    return max(0, int(remaining + 0.999))


def is_known_address(username: str, address: str | None, at: datetime | None = None) -> bool:
    """Has this person signed in from this address recently (their usual address)?"""
    if not address:
        return False
    since = (at or now()) - timedelta(days=settings.SIGN_IN_KNOWN_ADDRESS_DAYS)
    return AccessEvent.objects.filter(action=AccessEvent.Action.LOGIN, username=username,
                                      ip_address=address, at__gte=since).exists()


def seconds_to_wait(username: str, address: str | None) -> int:
    """How long this attempt must wait (0: go ahead and check the password)."""
    at = now()
    since = at - timedelta(hours=settings.SIGN_IN_WINDOW_HOURS)
    failed = AccessEvent.objects.filter(action=AccessEvent.Action.LOGIN_FAILED, at__gte=since)
    waits = [0]
    if address:
        waits.append(_wait(failed.filter(ip_address=address),
                           settings.SIGN_IN_ADDRESS_DELAY_AFTER, at))
    if username and not is_known_address(username, address, at):
        waits.append(_wait(failed.filter(username=username), settings.SIGN_IN_DELAY_AFTER, at))
    return max(waits)


def wait_message(seconds: int) -> str:
    if seconds >= 120:
        amount = f"{(seconds + 59) // 60} minutes"
    else:
        amount = f"{seconds} second{'s' if seconds != 1 else ''}"
    return (f"There have been too many failed attempts to sign in to this account. "
            f"Wait {amount}, then try again")
