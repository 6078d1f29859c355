"""Two-factor sign-in: who needs it, and the middleware that holds everyone else back.

django-otp keeps the devices (``TOTPDevice``: an authenticator app;
``agencies.BackupCodeDevice``: ten one-time backup codes, stored hashed) and marks a session
verified once a code matched (``django_otp.login``; ``request.user.is_verified()``).

``TWO_FACTOR_REQUIRED`` is on whenever ``DEBUG`` is off (scr/settings.py). Then a signed-in
person whose session is not verified reaches nothing but the two-factor pages and signing
out: with no device yet they are sent to set one up (the first sign-in after an invitation),
otherwise to enter a code. The Django admin is behind the same check (it is one more URL).
Demo accounts, which can sign in only while ``DEBUG`` or ``DEMO_MODE`` is on, are exempt;
every page then says it is a demonstration (``demo_mode`` in the context processor).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django_otp import devices_for_user

if TYPE_CHECKING:
    from scr.http import User

# The pages an unverified person may reach.
OPEN_URL_NAMES = frozenset({
    "login", "logout", "two_factor_setup", "two_factor_verify", "password_reset_confirm",
    "password_reset_complete", "healthz",
})


def demo_logins_enabled() -> bool:
    return bool(settings.DEBUG or settings.DEMO_MODE)


def second_factor_required(user: User) -> bool:
    """Must this person prove a second factor before using the service?"""
    if not settings.TWO_FACTOR_REQUIRED:
        return False
    return not (getattr(user, "is_demo", False) and demo_logins_enabled())


def has_device(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def is_verified(request: HttpRequest) -> bool:
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


class SecondFactorRequiredMiddleware:
    """After ``OTPMiddleware``: an unverified session that needs a second factor is sent to
    the two-factor pages, with the page it asked for as ``next``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (user.is_authenticated and not is_verified(request)
                and second_factor_required(user) and not self._open(request)):
            target = "two_factor_verify" if has_device(user) else "two_factor_setup"
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse(target)}?{query}")
        return self.get_response(request)

    @staticmethod
    def _open(request: HttpRequest) -> bool:
        if request.path_info.startswith(settings.STATIC_URL):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.url_name in OPEN_URL_NAMES and not match.namespaces
