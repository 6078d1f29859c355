"""Two texts side by side with the changed words marked (difflib).

Two levels, as line-based diff tools do: the texts are first compared line by line
(paragraphs in Markdown), which is fast because lines rarely repeat; only the lines that
changed are then compared word by word (``difflib.SequenceMatcher`` on words, each with the
spaces after it, autojunk off: in a report "the" is not noise). A 20,000-word report with a
few edited paragraphs therefore costs a few small word comparisons, not one huge one. A
changed block too large to compare word by word in reasonable time is marked whole.

The result is segments the template escapes itself: nothing here is HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

__all__ = ["Segment", "WordDiff", "word_diff"]

# A word with the white space after it (or white space alone at the start).
_TOKENS = re.compile(r"\s+|\S+\s*")
# Above this many token pairs a changed block is marked whole rather than word by word.
MAX_WORD_PAIRS = 2_000_000


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


class _Builder:
    def __init__(self) -> None:
        self.before: list[Segment] = []
        self.after: list[Segment] = []
        self.removed = self.added = 0

    @staticmethod
    def _push(side: list[Segment], text: str, changed: bool) -> None:
        if not text:
            return
        if side and side[-1].changed == changed:
            side[-1] = Segment(side[-1].text + text, changed)
        else:
            side.append(Segment(text, changed))

    def same(self, old: str, new: str) -> None:
        self._push(self.before, old, False)
        self._push(self.after, new, False)

    def changed(self, old: str, new: str) -> None:
        self._push(self.before, old, True)
        self._push(self.after, new, True)
        self.removed += len(old.split())
        self.added += len(new.split())

    def words(self, old: str, new: str) -> None:
        a, b = _TOKENS.findall(old), _TOKENS.findall(new)
        if len(a) * len(b) > MAX_WORD_PAIRS:
            self.changed(old, new)
            return
        for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if op == "equal":
                self.same("".join(a[i1:i2]), "".join(b[j1:j2]))
            else:
                self.changed("".join(a[i1:i2]), "".join(b[j1:j2]))


def word_diff(old: str, new: str) -> WordDiff:
    a, b = (old or "").splitlines(keepends=True), (new or "").splitlines(keepends=True)
    out = _Builder()
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        before, after = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            out.same(before, after)
        elif op == "replace":
            out.words(before, after)
        else:
            out.changed(before, after)
    return WordDiff(out.before, out.after, out.removed, out.added)
