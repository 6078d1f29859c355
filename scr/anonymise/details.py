"""The identifying details that are not names: a date of birth (in any common format, with
"born on" or "DOB" before it) becomes an age at the reference date; registered identifiers,
and unregistered numbers and addresses found by pattern, become a neutral phrase."""

from __future__ import annotations

import re
from datetime import date

from scr.anonymise.fold import Folded
from scr.anonymise.identifiers import REPLACEMENTS
from scr.anonymise.patterns import find_dates, find_generic
from scr.anonymise.register import CompiledRegister
from scr.anonymise.results import Candidate, Finding
from scr.anonymise.spans import context_of, original_span

__all__ = ["age_phrase", "date_of_birth_candidates", "identifier_candidates"]


_LEAD_IN = re.compile(r"(?:\b(?:born(?:\s+on)?|date\s+of\s+birth|dob|d\.o\.b\.?)\s*[:\-]?\s*)$")


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


def date_of_birth_candidates(text: str, folded: Folded, register: CompiledRegister,
                    reference_date: date | None) -> tuple[list[Candidate], list[Finding]]:
    found, findings = [], []
    for match in find_dates(folded.text, loose=True):
        start, end = original_span(text, folded, match.start, match.end)
        owners = [(d, p) for d in match.dates for p in register.dates_of_birth.get(d, ())]
        if not owners:
            if match.kind == "date":  # "3.4.15" is a paragraph unless it is a birthday
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
        found.append(Candidate(start, end, phrase, "date_of_birth",
                                pseudonym, 0, len(owners) > 1, note))
    return found, findings


def identifier_candidates(text: str, folded: Folded, register: CompiledRegister,
                 generic: bool) -> list[Candidate]:
    found = []
    for identifier, match in register.identifier_matches(folded.text):
        start, end = original_span(text, folded, match.start(), match.end())
        found.append(Candidate(start, end, REPLACEMENTS[identifier.kind], identifier.kind,
                                identifier.pseudonym, 0))
    if generic:
        for generic_match in find_generic(folded.text, dates=False):
            start, end = original_span(text, folded, generic_match.start, generic_match.end)
            found.append(Candidate(start, end, REPLACEMENTS[generic_match.kind],
                                    generic_match.kind, None, 1))
    return found
