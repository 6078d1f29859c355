"""A real SMTP server for tests (aiosmtpd), counting what it accepts per recipient.

``on_message(n)`` runs for the n-th message before it is answered; returning a string
answers with it instead of accepting (e.g. ``"451 4.3.0 Try again later"``), and such a
message is not counted as delivered.
"""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    on_message: Callable[[int], str | None] | None = None
    delivered: Counter[str] = field(default_factory=Counter)
    subjects: list[str] = field(default_factory=list)
    seen: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.seen += 1
            n = self.seen
        if self.on_message is not None:
            answer = self.on_message(n)
            if answer:
                return answer
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.delivered[rcpt] += 1
        return "250 Message accepted for delivery"

    def total(self) -> int:
        with self.lock:
            return sum(self.delivered.values())


@contextmanager
def smtp_server(mailbox: Mailbox) -> Iterator[int]:
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
