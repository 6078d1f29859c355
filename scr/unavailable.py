"""The database unreachable (restarting, failing over, down): every request answers with
one clear page, 503 "Sorry, the service is unavailable", saying that a change was not
saved and to try again, never the generic 500 (nor, with DEBUG on, the debug page).

Django turns an exception raised anywhere in the middleware stack into a response where it
is raised (each middleware is wrapped), so an outer middleware never sees the exception
itself; but Django sends ``got_request_exception`` with the request while it handles it.
The receiver below marks the request when the exception is the database's
``OperationalError`` or ``InterfaceError`` (connection refused, terminated by a restart,
closed), and ``DatabaseUnavailableMiddleware``, placed outside every middleware that reads
the database (sessions, the signed-in user, axes, history), answers a marked request with
the 503 page. The page is rendered without the request's context processors: they read the
signed-in user, from the database.

Nothing half-done is left behind: every service's writes are one transaction, so a
connection lost before the commit rolls the whole change back. Later requests need no
restart of the app: ``CONN_HEALTH_CHECKS`` (settings) tests a kept connection before a
request uses it and opens a new one when the server has gone away in between.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from scr.context_processors import partnership

__all__ = ["DatabaseUnavailableMiddleware", "unavailable_response"]

logger = logging.getLogger(__name__)
DATABASE_DOWN = (OperationalError, InterfaceError)
MARK = "_scr_database_unavailable"
RETRY_AFTER_SECONDS = 30


@receiver(got_request_exception, dispatch_uid="scr.unavailable")
def _mark_database_errors(sender: object, request: HttpRequest | None = None,
                          **kwargs: Any) -> None:
    import sys

    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_DOWN):
        setattr(request, MARK, True)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 page, rendered from settings alone (no database)."""
    context = {**partnership(request),
               "change_lost": request.method not in ("GET", "HEAD", "OPTIONS", "TRACE")}
    response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answer a request the database failed with the 503 page (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except DATABASE_DOWN:  # raised past Django's own handling (DEBUG_PROPAGATE_EXCEPTIONS)
            logger.warning("Database unavailable: %s %s answered 503", request.method,
                           request.path, exc_info=True)
            return unavailable_response(request)
        if getattr(request, MARK, False):
            logger.warning("Database unavailable: %s %s answered 503", request.method,
                           request.path)
            return unavailable_response(request)
        return response
