"""Session lifetime (30 minutes idle, 12 hours absolute, both from settings), and no
cached copies of pages that show case data."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from scr.accesslog import shows_case_data

STARTED = "_session_started"
SEEN = "_session_seen"
# Idle time is measured in minutes, so "last seen" needs refreshing at most once a minute.
SEEN_RESOLUTION = 60


class SessionTimeoutMiddleware:
    """Signs out idle or too-old sessions.

    Assigning a session key marks the session modified even when the value is
    unchanged, and a modified session is saved (one UPDATE, one dead row in
    PostgreSQL) at the end of the request. So keys are only assigned when their
    value changes: the start time once, "last seen" at most once a minute.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request, int(time.time()))
        return self.get_response(request)

    @staticmethod
    def _check(request: HttpRequest, now: int) -> None:
        session = request.session
        started = session.get(STARTED, now)
        seen = session.get(SEEN, now)
        if (now - seen > settings.SESSION_IDLE_TIMEOUT
                or now - started > settings.SESSION_ABSOLUTE_TIMEOUT):
            logout(request)
            return
        if STARTED not in session:
            session[STARTED] = now
        if SEEN not in session or now - seen >= SEEN_RESOLUTION:
            session[SEEN] = now


@receiver(user_logged_in, dispatch_uid="scr.session_started")
def stamp_session_at_sign_in(request: HttpRequest | None, **_: object) -> None:
    """Record start and last-seen while signing in, which saves the session anyway, so the
    first page after it does not write the session a second time."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[STARTED] = now
        request.session[SEEN] = now


class NoStoreCaseDataMiddleware:
    """``Cache-Control: no-store, private`` on every response whose view logged access to
    case data (``scr.accesslog.record_access``), streamed ones too.

    Case data must not outlive the session in a browser's cache or a shared proxy. Keying
    the header on the access log, not on a list of views, means a new case page cannot
    log its views yet forget the header; pages showing no case data stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if shows_case_data(request):
            patch_cache_control(response, no_store=True, private=True)
        return response
