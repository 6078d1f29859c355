"""A request id on every log record of a request, and of the tasks that request queued.

``RequestIdMiddleware`` (first in ``MIDDLEWARE``) takes the ``X-Request-ID`` a proxy or load
balancer sent, if it looks like an id (letters, digits and ``._:-``, 8 to 128 characters:
anything else could forge or break a log line, and is replaced), or makes one (a UUID4 in
hex); it holds it in a ``contextvars.ContextVar`` and returns it on the response's
``X-Request-ID``. The id is cleared when the request starts and when it has finished
(Django's ``request_started`` / ``request_finished`` signals), not when the middleware
returns: Django logs a 4xx/5xx response ("Not Found: /…") after the middleware chain, and
that record belongs to the request too. ``RequestIdFilter``, on the log handler (settings ``LOGGING``),
puts it on every record as ``request_id`` (``-`` outside a request), whichever logger wrote
it: Django's, a library's or ours.

Tasks: ``scr.outbox.enqueue`` stores the id on the outbox row and the relay sends it as the
message header ``scr_request_id`` (so a task relayed later by beat still carries the id of
the request that asked for it); ``task_prerun`` adopts it in the worker and ``task_postrun``
clears it. A task run in-process (the embedded default) already runs in the request's
context, which is left alone.

Why not a library: django-guid does the same with a middleware, a filter and Celery
signals, but its signals replace the request's id with a new one, and then clear it, when a
task runs in-process (its ``task_prerun`` reads only the message header, and its
``task_postrun`` clears the context), which is what the embedded default and the outbox's
relay-on-commit do; django-structlog brings structlog's whole logging pipeline for one field.
This is a context variable, a filter and three signal handlers.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from celery.signals import task_postrun, task_prerun
from django.core.signals import request_finished, request_started
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
TASK_HEADER = "scr_request_id"
NONE = "-"
ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{8,128}")

request_id: ContextVar[str] = ContextVar("request_id", default=NONE)


def current() -> str:
    """The id of the request (or task) being handled, or ``""`` outside one."""
    found = request_id.get()
    return "" if found == NONE else found


def accepted(offered: str) -> str | None:
    return offered if ACCEPTED.fullmatch(offered) else None


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = accepted(request.headers.get(HEADER, "")) or uuid.uuid4().hex
        request_id.set(rid)
        response = self.get_response(request)
        response[HEADER] = rid
        return response


@receiver(request_started)
@receiver(request_finished)
def _clear_between_requests(**_kwargs: Any) -> None:
    request_id.set(NONE)


class RequestIdFilter(logging.Filter):
    """Every record gets ``request_id``: the current request's or task's, or ``-``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


@task_prerun.connect
def _adopt_request_id(task: Any = None, **_kwargs: Any) -> None:
    """In a worker, the task's logs carry the id of the request that queued it (or none)."""
    if task is None or getattr(task.request, "is_eager", False):
        return  # in-process: the request's own context is already current
    offered = task.request.get(TASK_HEADER) or (task.request.headers or {}).get(TASK_HEADER)
    request_id.set(accepted(offered or "") or NONE)


@task_postrun.connect
def _clear_request_id(task: Any = None, **_kwargs: Any) -> None:
    if task is not None and not getattr(task.request, "is_eager", False):
        request_id.set(NONE)
