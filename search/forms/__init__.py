"""The search forms: the search box and the search for a person across reviews."""

from search.forms.search import *  # noqa: F403
from search.forms.search import __all__ as _search

__all__ = [*_search]
