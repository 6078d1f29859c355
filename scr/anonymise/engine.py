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
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from scr.anonymise.fold import Folded, fold
from scr.anonymise.identifiers import REPLACEMENTS
from scr.anonymise.patterns import find_dates, find_generic
from scr.anonymise.register import CompiledRegister, RegisterEntry, compile_register

__all__ = [
    "AnonymisedText",
    "Finding",
    "Replacement",
    "Skipped",
    "age_phrase",
    "anonymise",
    "compiled",
    "context_of",
]

Register = Iterable[RegisterEntry] | CompiledRegister

_BLOCK_TAGS = re.compile(r"^</?(?:p|li|ul|ol|td|th|tr|h[1-6]|div|br|blockquote|caption|dt|dd|"
                         r"section|article|header|footer|table|body)\b", re.IGNORECASE)
_OPENERS = set(" \t\r\n\u00a0\"'“‘«([{*•·–—-\u2019\u201d")
_LEAD_IN = re.compile(r"(?:\b(?:born(?:\s+on)?|date\s+of\s+birth|dob|d\.o\.b\.?)\s*[:\-]?\s*)$")


@dataclass(frozen=True)
class Replacement:
    """One span of the original text and what it became."""

    start: int
    end: int
    original: str
    replacement: str
    kind: str  # "name", "date_of_birth" or an identifier kind (identifiers.IDENTIFIER_KINDS)
    pseudonym: str | None  # whose it was; None for unregistered numbers and addresses
    uncertain: bool = False
    note: str = ""


@dataclass(frozen=True)
class Skipped:
    """A lower-case word that is also a registered name, left as it was."""

    start: int
    end: int
    text: str
    pseudonym: str
    context: str
    reason: str


@dataclass(frozen=True)
class Finding:
    """Something left in the text that the leak check will stop (a full date)."""

    start: int
    end: int
    text: str
    kind: str
    context: str


@dataclass(frozen=True)
class AnonymisedText:
    text: str
    replacements: tuple[Replacement, ...]
    skipped: tuple[Skipped, ...]
    findings: tuple[Finding, ...]

    def __str__(self) -> str:
        return self.text

    @property
    def uncertain(self) -> tuple[Replacement, ...]:
        return tuple(r for r in self.replacements if r.uncertain)


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    replacement: str
    kind: str
    pseudonym: str | None
    priority: int
    uncertain: bool = False
    note: str = ""


def _signature(entry: RegisterEntry) -> tuple:
    return (entry.pseudonym, entry.full_name, tuple(entry.other_names), entry.date_of_birth,
            tuple(entry.identifiers), tuple(entry.variants_added), tuple(entry.variants_removed))


@lru_cache(maxsize=64)
def _compiled(signature: tuple) -> CompiledRegister:
    return compile_register(RegisterEntry(*fields) for fields in signature)


def compiled(register: Register) -> CompiledRegister:
    """The register compiled (cached by its content, so a page that pseudonymises many
    texts with one register compiles it once)."""
    if isinstance(register, CompiledRegister):
        return register
    return _compiled(tuple(_signature(e) for e in register))


def context_of(text: str, start: int, end: int, width: int = 40) -> str:
    before = text[max(0, start - width):start]
    after = text[end:end + width]
    return re.sub(r"\s+", " ", f"{before}{text[start:end]}{after}").strip()


def age_phrase(born: date, on: date | None) -> str:
    if on is None or on < born:
        return "[date of birth removed]"
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if years >= 1:
        return f"aged {years}"
    months = (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)
    if months >= 1:
        return f"aged {months} month{'s' if months != 1 else ''}"
    return "aged under 1 month"


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


def _in_address_token(text: str, start: int, end: int) -> bool:
    """Inside an e-mail address, a user name or a web address ("kayden_brown@..."), where
    a lower-case name is no word of prose."""
    left = start
    while left > 0 and not text[left - 1].isspace():
        left -= 1
    right = end
    while right < len(text) and not text[right].isspace():
        right += 1
    token = text[left:right]
    return "@" in token or "_" in token or "://" in token


def _original_span(text: str, folded: Folded, start: int, end: int) -> tuple[int, int]:
    ostart, oend = folded.span(start, end)
    while oend < len(text) and unicodedata.combining(text[oend]):
        oend += 1  # a decomposed accent on the last letter
    return ostart, oend


def _names(text: str, folded: Folded, register: CompiledRegister,
           skipped: list[Skipped]) -> list[_Candidate]:
    found = []
    for match in register.find_names(folded.text):
        form = register.form(match.group())
        start, end = _original_span(text, folded, match.start(), match.end())
        replacement, note, uncertain = form.pseudonym, "", False
        after = folded.text[match.end():match.end() + 2]
        if match.group().endswith("s") and after[:1] == "'" and not after[1:2].isalnum():
            apostrophe_at = folded.origin[match.end()]
            end = (folded.origin[match.end() + 1] if match.end() + 1 < len(folded.text)
                   else len(text))  # the apostrophe as written ("'", "’" or "&rsquo;")
            apostrophe = text[apostrophe_at:end].rstrip()
            end = apostrophe_at + len(apostrophe)
            replacement = f"{form.pseudonym}{apostrophe}s"  # "James' coat" → "Child A's coat"
        original = text[start:end]
        first_letter = next((c for c in original if c.isalpha()), "")
        if form.common and not _in_address_token(text, start, end):
            if not first_letter.isupper():
                skipped.append(Skipped(start, end, original, form.pseudonym,
                                       context_of(text, start, end),
                                       "a common word in lower case, left as it is"))
                continue
            if " " not in form.key and at_sentence_start(text, start):
                uncertain, note = True, "a common word at the start of a sentence"
        if form.others:
            uncertain = True
            note = "; ".join(filter(None, [note, f"also a name of {', '.join(form.others)}"]))
        if form.tier == 2:
            note = "; ".join(filter(None, [note, form.source]))
        found.append(_Candidate(start, end, replacement, "name", form.pseudonym, 2, uncertain,
                                note))
    return found


def _dates_of_birth(text: str, folded: Folded, register: CompiledRegister,
                    reference_date: date | None) -> tuple[list[_Candidate], list[Finding]]:
    found, findings = [], []
    for match in find_dates(folded.text):
        start, end = _original_span(text, folded, match.start, match.end)
        owners = [(d, p) for d in match.dates for p in register.dates_of_birth.get(d, ())]
        if not owners:
            findings.append(Finding(start, end, text[start:end], "date",
                                    context_of(text, start, end)))
            continue
        born, pseudonym = owners[0]
        lead_in = _LEAD_IN.search(folded.text[max(0, match.start - 30):match.start])
        phrase = age_phrase(born, reference_date)
        if lead_in and lead_in.group():
            start = folded.origin[match.start - len(lead_in.group())]
        elif reference_date is not None and born <= reference_date:
            phrase = f"[date of birth, {phrase}]"  # "On [date of birth, aged 4] she..."
        note = f"also the date of birth of {', '.join(p for _, p in owners[1:])}" \
            if len(owners) > 1 else ""
        found.append(_Candidate(start, end, phrase, "date_of_birth",
                                pseudonym, 0, len(owners) > 1, note))
    return found, findings


def _identifiers(text: str, folded: Folded, register: CompiledRegister,
                 generic: bool) -> list[_Candidate]:
    found = []
    for identifier, match in register.identifier_matches(folded.text):
        start, end = _original_span(text, folded, match.start(), match.end())
        found.append(_Candidate(start, end, REPLACEMENTS[identifier.kind], identifier.kind,
                                identifier.pseudonym, 0))
    if generic:
        for generic_match in find_generic(folded.text, dates=False):
            start, end = _original_span(text, folded, generic_match.start, generic_match.end)
            found.append(_Candidate(start, end, REPLACEMENTS[generic_match.kind],
                                    generic_match.kind, None, 1))
    return found


def _only_spaces(gap: str) -> bool:
    """Spaces, dashes or invisible characters only ("&nbsp;" counts as a space)."""
    return bool(gap) and not fold(gap).text.strip(" -")


def _settle(text: str, candidates: list[_Candidate]) -> list[_Candidate]:
    """Longest first, then the stronger kind; an overlapping shorter span is dropped. Two
    parts of one person's name side by side ("Amelia Marsh", where the register has
    "Amelia Rose Marsh-O'Neill") become one replacement."""
    accepted: list[_Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (c.start - c.end, c.priority, c.start)):
        if all(candidate.end <= a.start or a.end <= candidate.start for a in accepted):
            accepted.append(candidate)
    merged: list[_Candidate] = []
    for candidate in sorted(accepted, key=lambda c: c.start):
        last = merged[-1] if merged else None
        if (last is not None and last.kind == candidate.kind == "name"
                and last.pseudonym == candidate.pseudonym and last.replacement == last.pseudonym
                and _only_spaces(text[last.end:candidate.start])):
            merged[-1] = _Candidate(last.start, candidate.end, candidate.replacement, "name",
                                    last.pseudonym, 2, last.uncertain and candidate.uncertain,
                                    "; ".join(filter(None, {last.note: 0, candidate.note: 0})))
            continue
        merged.append(candidate)
    return merged


def anonymise(text: str, register: Register, reference_date: date | None = None, *,
              generic: bool = True) -> AnonymisedText:
    """``text`` made publishable (see the module docstring). ``reference_date`` is when
    ages are counted (the date of the incident, usually); without it a date of birth is
    removed rather than turned into an age. ``generic=False`` leaves unregistered numbers
    and addresses alone (the display pseudonymiser)."""
    register = compiled(register)
    if not text:
        return AnonymisedText(text or "", (), (), ())
    folded = fold(text)
    skipped: list[Skipped] = []
    births, findings = _dates_of_birth(text, folded, register, reference_date)
    candidates = [*_identifiers(text, folded, register, generic), *births,
                  *_names(text, folded, register, skipped)]
    accepted = _settle(text, candidates)
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
        tuple(f for f in findings if outside(f.start, f.end)))
