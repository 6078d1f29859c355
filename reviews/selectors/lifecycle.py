"""Reads about one review's place in its lifecycle: days in stage, the moves a page offers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone

from reviews.models import Review, Stage

if TYPE_CHECKING:
    pass


__all__ = [
    "MoveOption",
    "Need",
    "days_in_stage",
    "move_options",
]


def days_in_stage(review: Review) -> int:
    return (timezone.now() - review.stage_entered_at).days


@dataclass(frozen=True)
class Need:
    """One thing a move still needs, and the form that records it (url is '' if none)."""

    text: str
    url: str


@dataclass(frozen=True)
class MoveOption:
    """A move as a page shows it: a link when it can be made, what is missing otherwise."""

    to: str
    label: str
    needs: tuple[Need, ...]
    allowed_role: bool
    needs_reason: bool
    reason_because: tuple[str, ...] = ()

    @property
    def possible(self) -> bool:
        return self.allowed_role and not self.needs

    @property
    def stage_label(self) -> str:
        return str(Stage(self.to).label)


def move_options(review: Review, moves: list[Any]) -> list[MoveOption]:
    """``available_moves`` made linkable: each missing item that names the form recording it
    (``Missing.record``) links there; plain strings stay text."""
    def need(item: str) -> Need:
        record = getattr(item, "record", "")
        return Need(str(item), reverse(record, args=[review.pk]) if record else "")

    return [MoveOption(m.to, m.label, tuple(need(i) for i in m.missing), m.allowed_role,
                       m.needs_reason, tuple(getattr(m, "reason_because", ()))) for m in moves]
