"""Report text: Markdown rendered by markdown-it-py, then sanitised by nh3.

Two maintained libraries, two lines of defence. markdown-it-py (CommonMark) runs with raw
HTML off, so ``<script>`` in the text comes out as text, and its link validator refuses
``javascript:``, ``vbscript:``, ``file:`` and ``data:`` links. nh3 (the Rust ``ammonia``
sanitiser) then keeps only the tags and attributes a report needs and only ``http``,
``https`` and ``mailto`` links, whatever the parser let through.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

__all__ = ["render_markdown", "sanitise"]

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"},
                      "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


@lru_cache(maxsize=512)
def render_markdown(text: str) -> str:
    """Safe HTML for ``text`` (cached per text: a report page renders the same versions
    again and again). Headings start at ``h2``: the page owns ``h1``."""
    html = _parser.render(text or "")
    return sanitise(html.replace("<h1>", "<h2>").replace("</h1>", "</h2>"))


def sanitise(html: str) -> str:
    """Only the tags, attributes and link schemes a report needs (nh3)."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow",
                     strip_comments=True)
