"""The leak check: read the rendered PDF's own text and find anything that identifies.

The second line of defence after the anonymiser (DOMAIN.md): whatever went into the
PDF — a name typed in a table cell, a header, a caption — is read back out of the PDF
itself, page by page, by poppler's ``pdftotext`` (Debian ``poppler-utils``, installed by
scripts/test-machine.sh and the Dockerfile). A separate process, with a time limit,
because the PDF is input we produced but do not trust, and a crash or hang of a PDF
parser must not take the worker with it; pdftotext keeps the reading order and writes
a form feed between pages, which gives each hit its page.

What counts as a hit (``Hit.kind``):

- every form of every registered name (scr.anonymise.variants, the reviewer's removals
  respected), case-, accent-, apostrophe- and hyphen-insensitive, across line breaks,
  across the layout's hyphenation ("Kay‐\\nden") and across a page break (running
  headers and footers between the two halves are skipped); a name form that is also a
  common word counts only where capitalised ("Rose" is a hit, "a rose" is not);
- every registered identifier (address lines, postcodes, school, numbers, phone, e-mail)
  and a date of birth in any format;
- generic personal data whoever it belongs to (scr.anonymise.patterns): NHS numbers with
  a valid check digit, National Insurance numbers, postcodes, phone numbers, e-mail
  addresses, full dates. ``allow`` (public contact details printed on purpose) and
  ``allowed_dates`` (the publication date) are not hits.

Pseudonyms, role words, towns, reviewers' and board members' names are none of these,
so a clean report has no hit.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from scr.anonymise.engine import Register, compiled, context_of
from scr.anonymise.fold import fold
from scr.anonymise.patterns import find_dates, find_generic
from scr.anonymise.register import CompiledRegister

__all__ = ["Hit", "LeakCheckError", "leak_check", "leak_check_pages", "pdf_pages"]

PDFTOTEXT = "pdftotext"
_DIGITS = re.compile(r"\d+")


class LeakCheckError(RuntimeError):
    """The PDF's text could not be read: the check has not run, so nothing is clean."""


@dataclass(frozen=True)
class Hit:
    page: int  # 1-based, where the hit starts
    end_page: int  # where it ends (a name split across a page break)
    kind: str  # "name", "date_of_birth", an identifier kind, or "date"
    text: str
    pseudonym: str | None  # whose identifier it is; None for generic personal data
    context: str


def pdf_pages(pdf: bytes, *, timeout: float = 60) -> list[str]:
    """The text of each page of ``pdf``, in reading order (poppler's pdftotext)."""
    try:
        done = subprocess.run([PDFTOTEXT, "-enc", "UTF-8", "-eol", "unix", "-", "-"],  # noqa: S603
                              input=pdf, capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as failed:
        raise LeakCheckError(f"could not read the PDF's text: {failed}") from failed
    if done.returncode != 0:
        raise LeakCheckError("could not read the PDF's text: "
                             f"{done.stderr.decode(errors='replace')[:300]}")
    pages = done.stdout.decode("utf-8", errors="replace").split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return pages


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    kind: str
    pseudonym: str | None
    priority: int


def _boilerplate(pages: Sequence[str]) -> set[str]:
    """Lines repeated on at least half the pages (numbers aside): running headers and
    footers, which sit between the two halves of a name split across a page break."""
    if len(pages) < 2:
        return set()
    seen: dict[str, int] = {}
    for page in pages:
        for line in {_DIGITS.sub("#", line.strip()) for line in page.split("\n") if line.strip()}:
            seen[line] = seen.get(line, 0) + 1
    return {line for line, count in seen.items() if count >= max(2, len(pages) / 2)}


_JOIN_WINDOW = 300  # characters each side of a page break that a split identifier can span


def _page_joins(pages: Sequence[str], starts: list[int],
                boilerplate: set[str]) -> list[tuple[str, list[int]]]:
    """The body text on each side of every page break, running headers and footers left
    out, with where each character came from in the joined pages: the only places where
    a name can be split across a page."""

    def lines_of(page: int) -> list[tuple[int, str]]:
        found, position = [], starts[page]
        for line in pages[page].split("\n"):
            if line.strip() and _DIGITS.sub("#", line.strip()) not in boilerplate:
                found.append((position, line))
            position += len(line) + 1
        return found

    views = []
    for number in range(1, len(pages)):
        before, after = lines_of(number - 1), lines_of(number)
        chosen: list[tuple[int, str]] = []
        for position, line in reversed(before):
            chosen.insert(0, (position, line))
            if sum(len(text) for _, text in chosen) > _JOIN_WINDOW:
                break
        taken = 0
        for position, line in after:
            chosen.append((position, line))
            taken += len(line)
            if taken > _JOIN_WINDOW:
                break
        text = "".join(f"{line}\n" for _, line in chosen)
        origin = [index for position, line in chosen
                  for index in range(position, position + len(line) + 1)]
        views.append((text, origin))
    return views


def _search(text: str, origin: list[int] | None, register: CompiledRegister,
            allow: frozenset[str], allowed_dates: frozenset[date]) -> list[_Span]:
    """Every identifying span of ``text`` (a view of the joined pages; ``origin`` maps
    its indices back), as spans of the joined pages."""
    folded = fold(text, join_hyphenation=True)
    found: list[_Span] = []

    def add(start: int, end: int, kind: str, pseudonym: str | None, priority: int) -> None:
        first, last = folded.origin[start], folded.origin[end - 1]
        if origin is not None:
            first, last = origin[first], origin[last]
        found.append(_Span(first, last + 1, kind, pseudonym, priority))

    for match in register.find_names(folded.text):
        form = register.form(match.group())
        if form.common and not text[folded.origin[match.start()]].isupper():
            continue  # "a rose", "the marsh": the word, not the name
        add(match.start(), match.end(), "name", form.pseudonym, 2)
    for identifier, match in register.identifier_matches(folded.text):
        add(match.start(), match.end(), identifier.kind, identifier.pseudonym, 0)
    for found_date in find_dates(folded.text):
        owners = [p for d in found_date.dates for p in register.dates_of_birth.get(d, ())]
        if owners:
            add(found_date.start, found_date.end, "date_of_birth", owners[0], 0)
        elif not set(found_date.dates) & allowed_dates:
            add(found_date.start, found_date.end, "date", None, 1)
    for generic in find_generic(folded.text, dates=False):
        if generic.value.lower() not in allow:
            add(generic.start, generic.end, generic.kind, None, 1)
    return found


def _allowed(values: Iterable[str]) -> frozenset[str]:
    """The canonical values of public details printed on purpose (a partnership's phone)."""
    allowed: set[str] = set()
    for value in values:
        allowed.update(m.value.lower() for m in find_generic(fold(value).text, dates=False))
    return frozenset(allowed)


def leak_check_pages(pages: Sequence[str], register: Register, *, allow: Iterable[str] = (),
                     allowed_dates: Iterable[date] = ()) -> list[Hit]:
    """The hits in the text of these pages (see the module docstring), in page order."""
    register = compiled(register)
    joined = "\n".join(pages)
    starts, position = [], 0
    for page in pages:
        starts.append(position)
        position += len(page) + 1
    allowed, dates = _allowed(allow), frozenset(allowed_dates)
    spans = _search(joined, None, register, allowed, dates)
    for text, origin in _page_joins(pages, starts, _boilerplate(pages)):
        spans += _search(text, origin, register, allowed, dates)
    accepted: list[_Span] = []
    for span in sorted(spans, key=lambda s: (s.start - s.end, s.priority, s.start)):
        if all(span.end <= a.start or a.end <= span.start for a in accepted):
            accepted.append(span)

    def page_of(index: int) -> int:
        return max(n for n, start in enumerate(starts, 1) if start <= index)

    hits = []
    for span in sorted(accepted, key=lambda s: s.start):
        raw = joined[span.start:span.end]
        hits.append(Hit(page_of(span.start), page_of(span.end - 1), span.kind,
                        re.sub(r"\s+", " ", raw).strip(), span.pseudonym,
                        context_of(joined, span.start, span.end)))
    return hits


def leak_check(pdf: bytes, register: Register, *, allow: Iterable[str] = (),
               allowed_dates: Iterable[date] = ()) -> list[Hit]:
    """Every identifier and piece of personal data in the PDF's own text, with its page.
    Raises ``LeakCheckError`` if the text cannot be read (never "clean" by default)."""
    return leak_check_pages(pdf_pages(pdf), register, allow=allow, allowed_dates=allowed_dates)
