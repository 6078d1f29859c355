"""Re-authentication for sensitive actions: one helper for every view that needs it.

A sensitive action (giving a role, deactivating a person or an agency, resetting someone's
second factor, changing someone's e-mail address; later: waiving a leak-check hit) must
be done by someone who proved who they are within the last ``REAUTH_MAX_AGE`` seconds
(15 minutes). Signing in counts; otherwise the person is sent to "Confirm it's you"
(``confirm_identity``: their password, and a code when they have a second factor) and
then back to the page they asked for.

Use it on a view::

    from scr.reauth import recent_authentication_required

    @login_required
    @recent_authentication_required
    def leak_waive(request, pk): ...

or, inside a view that is only sometimes sensitive, ``if not recently_authenticated(
request): return ask_to_reauthenticate(request)``. A POST that arrives too late is not
carried out: the person confirms and submits the form again (nothing is half-done).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse

from scr.sessions import rotate_session

AUTHENTICATED_AT = "_authenticated_at"
View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def mark_authenticated(request: HttpRequest, *, rotate: bool = True) -> None:
    """The person has just proved who they are (signed in, verified their second factor,
    confirmed it's them, changed their password): a privilege change, so the session gets a
    new key (``scr.sessions.rotate_session``) unless the caller already gave it one (Django's
    ``login`` and ``update_session_auth_hash`` do: ``rotate=False``)."""
    if rotate:
        rotate_session(request)
    request.session[AUTHENTICATED_AT] = int(time.time())


def recently_authenticated(request: HttpRequest, max_age: int | None = None) -> bool:
    limit = settings.REAUTH_MAX_AGE if max_age is None else max_age
    at = request.session.get(AUTHENTICATED_AT)
    return at is not None and time.time() - at <= limit


def ask_to_reauthenticate(request: HttpRequest) -> HttpResponseRedirect:
    # The page to come back to: the form itself (a late POST is shown again, not replayed).
    messages.info(request, "For your security, confirm it's you before you do this.")
    query = urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(f"{reverse('confirm_identity')}?{query}")


def recent_authentication_required(view: View) -> View:
    """Decorator: the view runs only for someone who authenticated within the limit."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not recently_authenticated(request):
            return ask_to_reauthenticate(request)
        return view(request, *args, **kwargs)

    vars(wrapper)["requires_recent_authentication"] = True  # a mark tests look for
    return cast(View, wrapper)  # same signature: wraps keeps the view's own


@receiver(user_logged_in, dispatch_uid="scr.reauth.signed_in")
def _signed_in(sender: Any, request: HttpRequest | None, **_: Any) -> None:
    if request is not None and hasattr(request, "session"):
        mark_authenticated(request, rotate=False)  # Django's login gave the session a new key
