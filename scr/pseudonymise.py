"""Real names out, pseudonyms in: the one function every publishable text goes through.

``pseudonymise(text, register)`` is pure (no database, no Django models): reviews turns
its subjects into ``RegisterEntry`` values and calls it for chronology views, history,
e-mails and the report before it is rendered (DESIGN.md, "Anonymisation pipeline").

What it matches, for each entry (DOMAIN.md, "Anonymisation"):

- the full name, every other name (known as, previous surnames, nicknames), and each
  part of a name alone: "Kayden Smith-Jones" also gives "Kayden", "Smith-Jones",
  "Smith" and "Jones";
- in any case ("KAYDEN"), with or without accents ("Kaydén" = "Kayden"), with any run of
  spaces or hyphens between the parts ("Smith Jones" = "Smith-Jones");
- whole words only: "Smithson" and "Jonesborough" are left alone;
- longest match first, so "Kayden Smith-Jones's mother" becomes "Child A's mother",
  not "Child A Child A's mother"; a possessive keeps its apostrophe and "s".

When one name belongs to two people (siblings share a surname) the entry listed first
wins for the ambiguous part; the full names still go to their own pseudonyms. The leak
check that reads the rendered PDF is the second line of defence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .text import normalise_text

# A name part is separated from the next by spaces or hyphens (any dash).
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]+")
# A word character, for the whole-word rule (letters with accents included). The
# underscore is not one: "smith_jones@..." names someone, and a leak is worse than ugly.
_WORD = r"[^\W_]"


@dataclass(frozen=True)
class RegisterEntry:
    """One person in the pseudonym register, as text only."""

    pseudonym: str
    full_name: str
    other_names: Sequence[str] = field(default_factory=tuple)


def _fold(text: str) -> tuple[str, list[int]]:
    """``text`` without accents and case-folded, with the index in ``text`` each folded
    character came from, so a match in the folded text maps back to the original."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", char):
            if unicodedata.combining(part):
                continue
            for letter in part.casefold():
                folded.append(letter)
                origin.append(index)
    return "".join(folded), origin


def name_forms(name: str) -> set[str]:
    """The whole name and each of its parts, as folded word lists joined by one space."""
    words = [w for w in _SEPARATORS.split(_fold(normalise_text(name))[0]) if w]
    if not words:
        return set()
    forms = {" ".join(words)}
    # An initial alone ("J") would replace every "J" and "a" in the text: parts need 2+ letters.
    forms.update(w for w in words if len(w) > 1)
    # Each hyphenated or multi-word part on its own: "Smith-Jones" in "Kayden Smith-Jones".
    for part in normalise_text(name).split():
        folded = [w for w in _SEPARATORS.split(_fold(part)[0]) if w]
        if folded and len("".join(folded)) > 1:
            forms.add(" ".join(folded))
    return forms


def _pattern(form: str) -> str:
    words = [re.escape(w) for w in form.split(" ")]
    return r"[\s\-\u2010-\u2015]+".join(words)


def _compile(register: Iterable[RegisterEntry]) -> tuple[re.Pattern[str], dict[str, str]]:
    pseudonym_of: dict[str, str] = {}
    for entry in register:
        for name in (entry.full_name, *entry.other_names):
            for form in name_forms(name):
                pseudonym_of.setdefault(form, entry.pseudonym)
    longest_first = sorted(pseudonym_of, key=lambda f: (-len(f), f))
    alternatives = "|".join(_pattern(f) for f in longest_first)
    return re.compile(rf"(?<!{_WORD})(?:{alternatives})(?!{_WORD})"), pseudonym_of


def pseudonymise(text: str, register: Iterable[RegisterEntry]) -> str:
    """``text`` with every form of every registered name replaced by its pseudonym."""
    pattern, pseudonym_of = _compile(register)
    if not text or not pseudonym_of:
        return text
    folded, origin = _fold(text)
    pieces: list[str] = []
    cursor = 0
    for match in pattern.finditer(folded):
        start = origin[match.start()]
        end = origin[match.end() - 1] + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1  # a decomposed accent on the last letter belongs to the name
        pieces.append(text[cursor:start])
        key = " ".join(w for w in _SEPARATORS.split(match.group()) if w)
        pieces.append(pseudonym_of[key])
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)
