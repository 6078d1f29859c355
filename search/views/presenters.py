"""HTML of a search result's snippet: the text escaped, then the words found marked."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from search.selectors.records import MARK_END, MARK_START

__all__ = ["highlighted"]


def highlighted(snippet: str) -> SafeString:
    """``snippet`` (plain text from the database, which may hold anything a document held:
    ``<script>``, quotes, ampersands) as safe HTML: every character escaped first, and only
    then the search's own marks turned into ``<mark>``."""
    html = escape(snippet)
    return mark_safe(html.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S308 (escaped above)
