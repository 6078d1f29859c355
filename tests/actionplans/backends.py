"""A test e-mail backend whose first attempt to one address fails like a dropped SMTP
connection, then delivers to Django's outbox like the locmem backend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.mail.backends.locmem import EmailBackend

FAIL_ONCE_FOR: set[str] = set()


class FlakyBackend(EmailBackend):
    def send_messages(self, messages: Sequence[Any]) -> int:
        for message in messages:
            for address in message.to:
                if address in FAIL_ONCE_FOR:
                    FAIL_ONCE_FOR.discard(address)
                    raise ConnectionResetError(f"connection dropped sending to {address}")
        return super().send_messages(messages)
