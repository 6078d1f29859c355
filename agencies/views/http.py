"""``AuthenticatedHttpRequest`` with the project's ``User`` (see scr/http.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from agencies.models import User

    class AuthenticatedHttpRequest(HttpRequest):
        user: User
else:
    AuthenticatedHttpRequest = HttpRequest
