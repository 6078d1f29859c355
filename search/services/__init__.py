"""Writes of search: the logged search for a person across reviews (``people``)."""

from search.services.people import *  # noqa: F403
from search.services.people import __all__ as _people

__all__ = [*_people]
