"""Writes of the learning app: ``yearly`` — the yearly report (create, narrative sections,
its PDF through the publication path, publishing it to the board)."""

from learning.services.yearly import *  # noqa: F403
from learning.services.yearly import __all__ as _yearly

__all__ = [*_yearly]
