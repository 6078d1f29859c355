"""Text folded for searching, with a map back to the original.

Every search for a name or an identifier runs on a *folded* copy of the text, in which
what a reader sees as the same is the same string:

- letters lose their accents and case ("Zoë", "ZOE" → "zoe"); letters with no
  decomposition and letters of other scripts are transliterated by ``anyascii``
  ("Ø" → "o", "ł" → "l", a Cyrillic "а" that imitates a Latin one → "a");
- every apostrophe (' ’ ‘ ʼ ` ´ ′) is ``'`` and every dash (‐ ‑ ‒ – — ― −) is ``-``;
- every kind of space and line break (non-breaking, thin, U+2028) is one space;
- invisible format characters (soft hyphen, zero-width space and joiners, bidi marks)
  and lone combining marks disappear;
- an HTML character reference is the character it stands for ("&nbsp;" a space,
  "&rsquo;" an apostrophe), so HTML can be searched as it is.

``origin[i]`` is the index in the original text that folded character ``i`` came
from, so a match in the folded text maps back to the exact original span.
``join_hyphenation`` also drops a hyphen that ends a line between two letters, with
the line break ("Kay-\\nden" → "kayden"): a PDF's layout hyphenates words, names too.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

__all__ = ["APOSTROPHES", "DASHES", "Folded", "fold", "fold_key", "fold_words"]

APOSTROPHES = "'\u2019\u2018\u02bc\u02bb\u0060\u00b4\u2032\uff07\u02b9"
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d\u00ad"
_LINE_END_HYPHEN = re.compile(
    r"(?<=[^\W\d_])[-\u2010\u2011\u00ad][ \t\u00a0]*(?:\r\n|\n|\r|\f|\u2028)[\s]*(?=[^\W\d_])")


@dataclass(frozen=True)
class Folded:
    text: str
    origin: Sequence[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the folded span ``[start, end)``."""
        return self.origin[start], self.origin[end - 1] + 1


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    if char in APOSTROPHES:
        return "'"
    if char == "\u00ad":  # soft hyphen: invisible unless a line breaks there
        return ""
    if char in DASHES:
        return "-"
    if char.isspace():
        return " "
    category = unicodedata.category(char)
    if category in ("Cf", "Cc", "Mn", "Me", "Cs", "Co", "Cn"):
        return ""
    out = []
    for part in unicodedata.normalize("NFKD", char):
        if unicodedata.combining(part):
            continue
        for letter in part.casefold():
            if letter.isascii():
                out.append(letter)
            else:
                out.append(anyascii(letter).lower() or letter)
    return "".join(out)


def fold(text: str, *, join_hyphenation: bool = False) -> Folded:
    """``text`` folded (see the module docstring), with the origin of each character."""
    parts = [_FOLDED[c] if c in _FOLDED else _remember(c) for c in text]
    if "&" in text:
        # HTML character references count as the character they stand for:
        # "Amelia&nbsp;Marsh" is one name, "O&rsquo;Neill" an Irish surname.
        for match in _ENTITY.finditer(text):
            char = html.unescape(match.group())
            if len(char) == 1 and char != match.group():
                parts[match.start()] = _FOLDED[char] if char in _FOLDED else _remember(char)
                parts[match.start() + 1:match.end()] = [""] * (match.end() - match.start() - 1)
    if join_hyphenation:
        for match in _LINE_END_HYPHEN.finditer(text):
            parts[match.start():match.end()] = [""] * (match.end() - match.start())
    folded = "".join(parts)
    if len(folded) == len(text) and "" not in parts:
        return Folded(folded, range(len(text)))  # the common case: one letter for one
    origin: list[int] = []
    for index, part in enumerate(parts):
        if len(part) == 1:
            origin.append(index)
        elif part:
            origin.extend([index] * len(part))
    return Folded(folded, origin)


_FOLDED: dict[str, str] = {}


def _remember(char: str) -> str:
    _FOLDED[char] = folded = _fold_char(char)
    return folded


_SEPARATORS = re.compile(r"[\s\-]+")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")


def fold_words(text: str) -> list[str]:
    """The folded words of a name: split at spaces and dashes, an initial's full stop
    dropped ("J. Smith" and "J Smith" are one name)."""
    words = (w.rstrip(".") if len(w.rstrip(".")) == 1 else w
             for w in _SEPARATORS.split(fold(text).text))
    return [w for w in words if w]


def fold_key(text: str) -> str:
    """One key per name however it is written: folded words joined by one space."""
    return " ".join(fold_words(text))
