"""Reads of the learning app: ``yearly`` — a yearly report's page; ``themes`` — themes across
reviews (by year, by review, repeated findings, what answered each theme)."""

from learning.selectors.themes import *  # noqa: F403
from learning.selectors.themes import __all__ as _themes
from learning.selectors.yearly import *  # noqa: F403
from learning.selectors.yearly import __all__ as _yearly

__all__ = [*_themes, *_yearly]
