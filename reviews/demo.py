"""Demo reviews for seed_demo."""

from __future__ import annotations


def seed_reviews() -> None:
    """Filled in with the review lifecycle."""
