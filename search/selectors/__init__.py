"""Reads for search, already narrowed to what the person may see:

- ``records`` — search across reviews: every kind of record, ranked and highlighted
- ``people`` — does a registered person appear in another review (business managers)
"""

from search.selectors.people import *  # noqa: F403
from search.selectors.people import __all__ as _people
from search.selectors.records import *  # noqa: F403
from search.selectors.records import __all__ as _records

__all__ = [*_people, *_records]
