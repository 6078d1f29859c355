"""Text as it comes in: one normal form for names, pseudonyms and usernames.

Look-alike text defeats every uniqueness rule and every later search for a name
(the pseudonymiser, the leak check): ``Child\u200bA`` is not ``Child A`` to a
database, and ``pоlice`` with a Cyrillic ``о`` is not ``police``. So text that
names someone is normalised before it is validated or stored:

- Unicode NFKC (compatibility forms folded: non-breaking spaces, ligatures,
  full-width letters), then NFC so accents stay composed;
- invisible format characters (zero-width space/joiners, bidi marks) removed;
- control characters removed, runs of spaces and tabs made one space; line
  breaks are kept only where the field holds one entry per line.

Confusable usernames are judged with the maintained ``confusable-homoglyphs``
package (Unicode's confusables data, UTS #39) rather than a hand-made table.
"""

from __future__ import annotations

import re
import unicodedata

from confusable_homoglyphs import confusables

_SPACES = re.compile(r"[^\S\n]+")


def _visible(ch: str) -> bool:
    category = unicodedata.category(ch)
    # Cf: format (zero-width, bidi); Cc: control, except the line break we keep.
    return ch == "\n" or category not in ("Cf", "Cc", "Cs", "Co", "Cn")


def normalise_text(value: str, *, multiline: bool = False) -> str:
    """The one normal form of a name-like text (see the module docstring)."""
    if not value:
        return value
    text = unicodedata.normalize("NFKC", value.replace("\r\n", "\n").replace("\r", "\n"))
    text = "".join(ch if _visible(ch) else (" " if ch == "\t" else "") for ch in text)
    text = unicodedata.normalize("NFC", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    if multiline:
        return "\n".join(line for line in lines if line)
    return " ".join(line for line in lines if line)


def skeleton(value: str) -> str:
    """A comparison key in which look-alike characters are the same letter (Latin where
    one exists): ``pоlice`` (Cyrillic о) and ``police`` share one skeleton."""
    text = normalise_text(value).casefold()
    found = confusables.is_confusable(text, greedy=True, preferred_aliases=["latin"]) or []
    swaps = {item["character"]: item["homoglyphs"][0]["c"] for item in found
             if item.get("homoglyphs")}
    return "".join(swaps.get(ch, ch) for ch in text)


def looks_mixed(value: str) -> bool:
    """True when the text mixes scripts with characters that imitate another script."""
    return bool(confusables.is_dangerous(value))
