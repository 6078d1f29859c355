"""Reads for the reviews app, already narrowed to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agencies.models import User


@dataclass(frozen=True)
class Task:
    text: str
    url: str
    due: date | None = None


def tasks_for(user: User) -> list[Task]:
    """What this person must do next, across the reviews they can see."""
    return []
