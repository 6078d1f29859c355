"""The anonymiser: text with real identities in, publishable text out, with its working.

``anonymise(text, register, reference_date)`` replaces, in one pass over the original
text (a replacement is never searched again):

- every form of every registered name with the person's pseudonym (scr.anonymise.variants,
  .register): any case, accents, apostrophes, hyphens, spacing and line breaks between
  the parts, possessives ("James'" → "Child A's");
- a date of birth, in any common format, with the person's age at ``reference_date``
  ("aged 4"), taking "born on", "date of birth:" or "DOB" before it along;
- registered addresses, postcodes, schools, NHS and National Insurance numbers,
  references, phone numbers and e-mail addresses with a neutral phrase in square
  brackets ("[address removed]", identifiers.REPLACEMENTS);
- NHS numbers (valid check digit), National Insurance numbers, postcodes, phone numbers
  and e-mail addresses that nobody registered, with the same phrases.

Whole words only: "Marsh" never touches "marshland". A name form whose every word is
also a common English word ("Rose", "Hope", "Mark Brown") is replaced only where it is
capitalised; a lower-case one ("hope") is left and listed in ``skipped`` for the
reviewer, and a capitalised one at the start of a sentence is replaced but flagged
``uncertain`` ("Hope was..." may be the word). A form two people share goes to the
stronger claim and is flagged too. Other full dates are left as they are (a report may
need them) and listed in ``findings``: the leak check will stop them in the PDF.

Overlaps are settled longest first ("12 Marsh Lane" is an address, not a surname).

This module is the entry point and the settling; each concern is its own module:
``results`` (what comes back), ``spans`` (where things are in the text), ``roles`` (the
words around a name), ``owners`` (whose a name is), ``names`` (names and their English
replacement), ``details`` (dates of birth and identifiers).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from scr.anonymise.details import age_phrase, date_of_birth_candidates, identifier_candidates
from scr.anonymise.fold import fold
from scr.anonymise.names import drop_asides, name_candidates
from scr.anonymise.register import CompiledRegister, RegisterEntry, compile_register
from scr.anonymise.results import (
    AnonymisedText,
    Candidate,
    Finding,
    Replacement,
    Skipped,
    Uncertain,
)
from scr.anonymise.spans import at_sentence_start, context_of, only_spaces

__all__ = [
    "AnonymisedText",
    "Finding",
    "Replacement",
    "Skipped",
    "Uncertain",
    "age_phrase",
    "anonymise",
    "at_sentence_start",
    "compiled",
    "context_of",
]

Register = Iterable[RegisterEntry] | CompiledRegister


def _signature(entry: RegisterEntry) -> tuple:
    return (entry.pseudonym, entry.full_name, tuple(entry.other_names), entry.date_of_birth,
            tuple(entry.identifiers), tuple(entry.variants_added), tuple(entry.variants_removed),
            entry.kind, entry.sex, entry.role, tuple(tuple(d) for d in entry.decided))


@lru_cache(maxsize=64)
def _compiled(signature: tuple) -> CompiledRegister:
    return compile_register(RegisterEntry(*fields) for fields in signature)


def compiled(register: Register) -> CompiledRegister:
    """The register compiled (cached by its content, so a page that pseudonymises many
    texts with one register compiles it once)."""
    if isinstance(register, CompiledRegister):
        return register
    return _compiled(tuple(_signature(e) for e in register))


def _settle(text: str, candidates: list[Candidate]) -> list[Candidate]:
    """Longest first, then the stronger kind; an overlapping shorter span is dropped. Two
    parts of one person's name side by side ("Amelia Marsh", where the register has
    "Amelia Rose Marsh-O'Neill") become one replacement."""
    accepted: list[Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (c.start - c.end, c.priority, c.start)):
        if all(candidate.end <= a.start or a.end <= candidate.start for a in accepted):
            accepted.append(candidate)
    merged: list[Candidate] = []
    for candidate in sorted(accepted, key=lambda c: c.start):
        last = merged[-1] if merged else None
        if (last is not None and last.kind == candidate.kind == "name"
                and last.pseudonym == candidate.pseudonym and last.replacement == last.pseudonym
                and only_spaces(text[last.end:candidate.start])):
            merged[-1] = Candidate(last.start, candidate.end, candidate.replacement, "name",
                                    last.pseudonym, 2, last.uncertain and candidate.uncertain,
                                    "; ".join(filter(None, {last.note: 0, candidate.note: 0})))
            continue
        merged.append(candidate)
    return merged


def anonymise(text: str, register: Register, reference_date: date | None = None, *,
              generic: bool = True, guess: bool = False) -> AnonymisedText:
    """``text`` made publishable (see the module docstring). ``reference_date`` is when
    ages are counted (the date of the incident, usually) and who is an adult; without it a
    date of birth is removed rather than turned into an age. ``generic=False`` leaves
    unregistered numbers and addresses alone. ``guess=True`` is the display
    pseudonymiser's rule (scr.pseudonymise), for a reader who may not see identities: a
    form two people share goes to the strongest claim, then the person listed first, and a
    common word at a sentence start is replaced (both flagged), never left as a name; the
    text is otherwise left as written."""
    register = compiled(register)
    if not text:
        return AnonymisedText(text or "", (), (), ())
    folded = fold(text)
    skipped: list[Skipped] = []
    uncertain: list[Uncertain] = []
    births, findings = date_of_birth_candidates(text, folded, register, reference_date)
    candidates = [*identifier_candidates(text, folded, register, generic), *births,
                  *name_candidates(text, folded, register, skipped, uncertain,
                          reference_date or date.today(), guess)]
    accepted = _settle(text, candidates)
    if not guess:
        accepted = drop_asides(text, accepted, register)
    pieces, replacements, cursor = [], [], 0
    for c in accepted:
        pieces.append(text[cursor:c.start])
        pieces.append(c.replacement)
        replacements.append(Replacement(c.start, c.end, text[c.start:c.end], c.replacement,
                                        c.kind, c.pseudonym, c.uncertain, c.note))
        cursor = c.end
    pieces.append(text[cursor:])

    def outside(start: int, end: int) -> bool:
        return all(end <= c.start or c.end <= start for c in accepted)

    return AnonymisedText(
        "".join(pieces), tuple(replacements),
        tuple(s for s in skipped if outside(s.start, s.end)),
        tuple(f for f in findings if outside(f.start, f.end)),
        tuple(u for u in sorted(uncertain, key=lambda u: u.start) if outside(u.start, u.end)))
