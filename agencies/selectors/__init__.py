"""Reads about people that other layers ask for by name (settings wiring)."""

from agencies.selectors.people import *  # noqa: F403
from agencies.selectors.people import __all__ as _people

__all__ = [*_people]
