"""Helpers for tests that sign in with a second factor (django-otp devices, real codes)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def code_for(device: TOTPDevice, step: int = 0) -> str:
    """The code the authenticator app shows now (``step`` 1: the next one, which the device
    still accepts within its tolerance; a code is accepted only once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.drift = step
    return f"{totp.token():0{device.digits}d}"


def enrolled_device(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def verified_client(user: Any, device: TOTPDevice | None = None) -> Client:
    """A client signed in with password and a code, as production requires."""
    from tests.conftest import client_for

    device = device or enrolled_device(user)
    client = client_for(user)
    response = client.post("/account/two-factor/", {"code": code_for(device)})
    assert response.status_code == 302, response.content[:300]
    return client
