"""Session lifetime: 30 minutes idle, 12 hours absolute (both from settings)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

STARTED = "_session_started"
SEEN = "_session_seen"


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.get(STARTED, now)
            seen = request.session.get(SEEN, now)
            if (now - seen > settings.SESSION_IDLE_TIMEOUT
                    or now - started > settings.SESSION_ABSOLUTE_TIMEOUT):
                logout(request)
            else:
                request.session[STARTED] = started
                # Write at most once a minute: idle time is measured in minutes.
                if now - seen >= 60 or SEEN not in request.session:
                    request.session[SEEN] = now
        return self.get_response(request)
