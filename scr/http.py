"""The types of a signed-in request, for scr, the lowest layer (which may not import agencies).

``User`` is the project's user model (``AUTH_USER_MODEL``, ``agencies.User``) as django-stubs
names it: its mypy plugin resolves ``django.contrib.auth.models._User`` to that model.
``AuthenticatedHttpRequest`` is a request whose ``user`` is one (a view behind
``login_required``), so passing ``request.user`` to a ``for_user`` or a service type-checks;
``agencies.views.http`` re-exports it. Both are for type checking only: at run time the request
is a plain ``HttpRequest`` and ``User`` is not defined (import it under ``TYPE_CHECKING``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

__all__ = ["AuthenticatedHttpRequest"]

if TYPE_CHECKING:
    from django.contrib.auth.models import _User as User

    __all__ += ["User"]

    class AuthenticatedHttpRequest(HttpRequest):
        user: User
else:
    AuthenticatedHttpRequest = HttpRequest
