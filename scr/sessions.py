"""A person's signed-in sessions: listed on their account page, ended everywhere at once,
and given a new key at every privilege change (``rotate_session``).

Django's session table cannot be searched by user (the data is encoded), so each sign-in
also writes a ``SignedInSession`` row (session key, when, address, browser); signing out
removes it. Ending a session goes through the session engine (``SessionStore.delete``), so
it works whatever ``SESSION_ENGINE`` is configured.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from scr.accesslog import client_ip
from scr.models import SignedInSession

if TYPE_CHECKING:
    from scr.http import User


def _store(session_key: str) -> Any:
    engine = import_module(settings.SESSION_ENGINE)
    return engine.SessionStore(session_key=session_key)


@receiver(user_logged_in, dispatch_uid="scr.sessions.signed_in")
def remember_session(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    key = request.session.session_key
    assert key is not None
    SignedInSession.objects.update_or_create(session_key=key, defaults={
        "user": user, "ip_address": client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300]})


@receiver(user_logged_out, dispatch_uid="scr.sessions.signed_out")
def forget_session(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        SignedInSession.objects.filter(session_key=key).delete()


def follow_session(request: HttpRequest, previous_key: str | None) -> None:
    """The session was given a new key (its data kept): its signed-in row follows, so the
    account page still knows it as "this session" and "sign out everywhere else" keeps it."""
    key = request.session.session_key
    if previous_key and key and key != previous_key:
        row = SignedInSession.objects.filter(session_key=previous_key).first()
        if row is not None:
            row.session_key = key
            row.save(update_fields=["session_key"])


def rotate_session(request: HttpRequest) -> None:
    """A privilege change (second factor verified, identity confirmed, password changed):
    the same session under a new key, the old key dead, so a key learnt before the change
    (fixed by an attacker, or read over a shoulder) is worthless after it. Signing in is
    Django's own ``login``, which already gives a new key."""
    previous = request.session.session_key
    request.session.cycle_key()
    follow_session(request, previous)


def active_sessions(user: User) -> list[SignedInSession]:
    """The person's sessions that are still alive, newest first (dead rows are dropped)."""
    alive = []
    for row in SignedInSession.objects.for_user(user):
        if _store(row.session_key).exists(row.session_key):
            alive.append(row)
        else:
            row.delete()
    return alive


def end_other_sessions(user: User, keep: str | None) -> int:
    """Sign the person out of every session but ``keep`` (the one they are using)."""
    ended = 0
    for row in SignedInSession.objects.for_user(user, "change").exclude(session_key=keep or ""):
        _store(row.session_key).delete(row.session_key)
        row.delete()
        ended += 1
    return ended
