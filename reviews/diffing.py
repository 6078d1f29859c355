"""Two texts side by side with the changed words marked (difflib on words).

The texts are split into words and the spaces between them, compared with
``difflib.SequenceMatcher`` (autojunk off: in a long report "the" is not noise), and
returned as segments the template escapes itself: nothing here is HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

__all__ = ["Segment", "WordDiff", "word_diff"]

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool


@dataclass(frozen=True)
class WordDiff:
    before: list[Segment]  # the old text: removed words marked
    after: list[Segment]  # the new text: added words marked
    words_removed: int
    words_added: int

    @property
    def unchanged(self) -> bool:
        return not (self.words_removed or self.words_added)


def _merge(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for seg in segments:
        if merged and merged[-1].changed == seg.changed:
            merged[-1] = Segment(merged[-1].text + seg.text, seg.changed)
        else:
            merged.append(seg)
    return merged


def word_diff(old: str, new: str) -> WordDiff:
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    before: list[Segment] = []
    after: list[Segment] = []
    removed = added = 0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            before.append(Segment("".join(a[i1:i2]), False))
            after.append(Segment("".join(b[j1:j2]), False))
            continue
        if i2 > i1:
            before.append(Segment("".join(a[i1:i2]), True))
            removed += sum(1 for t in a[i1:i2] if not t.isspace())
        if j2 > j1:
            after.append(Segment("".join(b[j1:j2]), True))
            added += sum(1 for t in b[j1:j2] if not t.isspace())
    return WordDiff(_merge(before), _merge(after), removed, added)
