"""The search app's models: the log of searches for a person across reviews (``people``)."""

from search.models.people import *  # noqa: F403
from search.models.people import __all__ as _people

__all__ = [*_people]
