"""Where things are in the text: a stretch of context around a span, the start of a sentence,
a folded span back in the original text (scr.anonymise.fold), gaps that are only spaces."""

from __future__ import annotations

import re
import unicodedata

from scr.anonymise.fold import Folded, fold

__all__ = ["at_sentence_start", "context_of", "only_spaces", "original_span"]


_BLOCK_TAGS = re.compile(r"^</?(?:p|li|ul|ol|td|th|tr|h[1-6]|div|br|blockquote|caption|dt|dd|"
                         r"section|article|header|footer|table|body)\b", re.IGNORECASE)


_OPENERS = set(" \t\r\n\u00a0\"'“‘«([{*•·–—-\u2019\u201d")


def context_of(text: str, start: int, end: int, width: int = 40) -> str:
    before = text[max(0, start - width):start]
    after = text[end:end + width]
    return re.sub(r"\s+", " ", f"{before}{text[start:end]}{after}").strip()


def at_sentence_start(text: str, start: int) -> bool:
    """Nothing but opening punctuation, spaces and tags between ``start`` and the start of
    the text, a line, a block element or the end of a sentence."""
    index = start - 1
    while index >= 0:
        char = text[index]
        if char in "\n\r\u2028\u2029":
            return True
        if char == ">":
            opening = text.rfind("<", 0, index)
            if opening < 0:
                return False
            if _BLOCK_TAGS.match(text[opening:index + 1]):
                return True
            index = opening - 1
            continue
        if char in _OPENERS:
            index -= 1
            continue
        return char in ".!?:"
    return True


def original_span(text: str, folded: Folded, start: int, end: int) -> tuple[int, int]:
    ostart, oend = folded.span(start, end)
    while oend < len(text) and unicodedata.combining(text[oend]):
        oend += 1  # a decomposed accent on the last letter
    return ostart, oend


def only_spaces(gap: str) -> bool:
    """Spaces, dashes or invisible characters only ("&nbsp;" counts as a space)."""
    return bool(gap) and not fold(gap).text.strip(" -")
