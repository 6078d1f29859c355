"""The register as the anonymiser sees it, compiled once into what finds each person.

``RegisterEntry`` is the pure, text-only view of one subject (reviews builds them from
its ``Subject`` rows: ``reviews.selectors.review_register``). ``compile_register`` turns
a register into a ``CompiledRegister``: for each first word of a name form, one regular
expression of the forms that start with it, longest first (the text is read word by
word, not tried at every character), and one expression per identifier.

Who wins a form two people share (siblings' surname, a nickname that is also another
person's name): the stronger claim (a typed name beats a part of a name, which beats a
generated nickname), then the person listed first. The other claimants are kept so a
replacement can say it was ambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from scr.anonymise.fold import fold_key
from scr.anonymise.identifiers import Identifier, identifier_patterns
from scr.anonymise.variants import Variant, name_variants
from scr.anonymise.words import is_common_word

__all__ = ["CompiledRegister", "NameForm", "RegisterEntry", "compile_register"]

_WORD = r"[^\W_]"


@dataclass(frozen=True)
class RegisterEntry:
    """One person in the pseudonym register, as text only.

    The first three fields are the original pseudonymiser's (``scr.pseudonymise``);
    the rest are optional, so ``RegisterEntry("Child A", "Kayden Smith")`` still works.
    ``variants_added`` and ``variants_removed`` are a reviewer's corrections to the
    generated name variants (scr.anonymise.variants)."""

    pseudonym: str
    full_name: str
    other_names: Sequence[str] = field(default_factory=tuple)
    date_of_birth: date | None = None
    identifiers: Sequence[Identifier] = field(default_factory=tuple)
    variants_added: Sequence[str] = field(default_factory=tuple)
    variants_removed: Sequence[str] = field(default_factory=tuple)

    def variants(self) -> list[Variant]:
        return _variants(self.full_name, tuple(self.other_names), tuple(self.variants_added),
                         tuple(self.variants_removed))


@lru_cache(maxsize=512)
def _variants(full_name: str, other_names: tuple[str, ...], added: tuple[str, ...],
              removed: tuple[str, ...]) -> list[Variant]:
    return name_variants(full_name, other_names, added, removed)


@dataclass(frozen=True)
class NameForm:
    """One folded name form and who it belongs to."""

    key: str
    pseudonym: str
    tier: int
    source: str
    common: bool  # every word of it is also a common English word ("Rose", "Mark Brown")
    others: tuple[str, ...] = ()  # other people with a (weaker or later) claim to it


@dataclass(frozen=True)
class IdentifierForm:
    kind: str
    value: str
    pseudonym: str
    pattern: re.Pattern[str]
    needle: str  # letters and digits any match contains (identifiers.needle)


_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class CompiledRegister:
    forms: dict[str, NameForm]
    identifiers: tuple[IdentifierForm, ...]
    dates_of_birth: dict[date, tuple[str, ...]]
    pseudonym_words: frozenset[str]
    # First token of a name form (folded letters and digits) → the forms that start with it,
    # as one pattern: the text is read token by token, not tried at every character.
    by_first_token: dict[str, re.Pattern[str]] = field(default_factory=dict)

    def form(self, matched_folded: str) -> NameForm:
        return self.forms[loose_key(matched_folded)]

    def find_names(self, folded: str) -> Iterator[re.Match[str]]:
        """Every name form in folded text, leftmost first, longest form first at a place,
        never overlapping: what ``names.finditer`` finds, read token by token."""
        resume = 0
        for token in _TOKEN.finditer(folded):
            if token.start() < resume:
                continue
            pattern = self.by_first_token.get(token.group())
            if pattern is None:
                continue
            match = pattern.match(folded, token.start())
            if match:
                resume = match.end()
                yield match

    def identifier_matches(self, folded: str) -> Iterator[tuple[IdentifierForm, re.Match[str]]]:
        """Every match of every identifier in folded text. Each identifier's letters and
        digits (its needle) are looked for in the text's letters and digits with a plain
        substring search; the identifier's pattern is tried only where they occur."""
        letters: list[str] = []
        positions: list[int] = []
        for token in _TOKEN.finditer(folded):
            letters.append(token.group())
            positions.extend(range(token.start(), token.end()))
        alnum = "".join(letters)
        for identifier in self.identifiers:
            if not identifier.needle:
                continue
            seen: set[tuple[int, int]] = set()
            at = alnum.find(identifier.needle)
            while at >= 0:
                first = positions[at]
                # A match may start a little before its needle ("+44 (0)" before a number).
                for start in range(max(0, first - 8), first + 1):
                    match = identifier.pattern.match(folded, start)
                    if match and match.end() > first:
                        if match.span() not in seen:
                            seen.add(match.span())
                            yield identifier, match
                        break
                at = alnum.find(identifier.needle, at + 1)


def loose_key(folded: str) -> str:
    """A name form with nothing but its letters: "O'Neill", "O Neill" and "ONeill", or
    "Smith-Jones" and "SmithJones", are one form."""
    return re.sub(r"[^a-z0-9]", "", folded)


def _word_pattern(word: str) -> str:
    if len(word) == 1:  # an initial, with or without its full stop
        return re.escape(word) + r"\.?"
    # An apostrophe inside a name may be left out or typed as a space ("O Neill", "ONeill").
    return r"(?:'|\s)?".join(re.escape(part) for part in word.split("'"))


def _pattern(key: str) -> str:
    return r"[\s\-]+".join(_word_pattern(w) for w in key.split(" "))


def compile_register(register: Iterable[RegisterEntry]) -> CompiledRegister:
    entries = list(register)
    claims: dict[str, list[tuple[int, int, NameForm]]] = {}
    spellings: set[str] = set()
    for order, entry in enumerate(entries):
        for variant in entry.variants():
            key = fold_key(variant.text)
            words = [w for w in key.split(" ") if w]
            if not words or all(len(w) == 1 for w in words):
                continue
            spellings.add(key)
            common = all(is_common_word(w.replace("'", "")) or len(w) == 1 for w in words)
            claims.setdefault(loose_key(key), []).append((variant.tier, order, NameForm(
                key, entry.pseudonym, variant.tier, variant.source, common)))
    forms: dict[str, NameForm] = {}
    for key, found in claims.items():
        found.sort(key=lambda c: (c[0], c[1]))
        best = found[0][2]
        others = tuple(dict.fromkeys(c[2].pseudonym for c in found[1:]
                                     if c[2].pseudonym != best.pseudonym))
        forms[key] = NameForm(best.key, best.pseudonym, best.tier, best.source, best.common,
                              others)
    by_first: dict[str, list[str]] = {}
    if forms:
        for key in sorted(spellings, key=lambda k: (-len(k), k)):  # longest first
            first = key.split(" ")[0].rstrip(".")
            for token in {first.split("'")[0], first.replace("'", "")}:
                by_first.setdefault(token, []).append(key)
    by_first_token = {
        token: re.compile(rf"(?<!{_WORD})(?:{'|'.join(_pattern(k) for k in keys)})(?!{_WORD})")
        for token, keys in by_first.items() if token}
    identifiers = []
    dates: dict[date, list[str]] = {}
    for entry in entries:
        for identifier in entry.identifiers:
            for kind, pattern, needle in identifier_patterns(identifier.kind, identifier.value):
                identifiers.append(IdentifierForm(kind, identifier.value, entry.pseudonym,
                                                  re.compile(pattern), needle))
        if entry.date_of_birth:
            dates.setdefault(entry.date_of_birth, []).append(entry.pseudonym)
    pseudonym_words = frozenset(w for e in entries for w in fold_key(e.pseudonym).split())
    return CompiledRegister(forms, tuple(identifiers),
                            {d: tuple(p) for d, p in dates.items()}, pseudonym_words,
                            by_first_token)
