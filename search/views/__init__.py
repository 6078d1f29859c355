"""The search pages: ``search`` (the search box and its results) and ``people`` (a person
across reviews, business managers only)."""

from search.views.people import *  # noqa: F403
from search.views.people import __all__ as _people
from search.views.search import *  # noqa: F403
from search.views.search import __all__ as _search

__all__ = [*_people, *_search]
