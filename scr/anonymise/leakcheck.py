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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from scr.anonymise.engine import Register, at_sentence_start, compiled, context_of
from scr.anonymise.fold import Folded, fold, fold_key
from scr.anonymise.identifiers import needle
from scr.anonymise.patterns import GenericMatch, find_dates, find_generic
from scr.anonymise.register import CompiledRegister
from scr.anonymise.unregistered import MONTHS_AND_DAYS as _MONTHS_AND_DAYS
from scr.anonymise.unregistered import PLACE_NEXT, ROLE_WORDS
from scr.anonymise.variants import COMMON_ABBREVIATIONS, INITIALS, PARTICLES, PLURAL
from scr.anonymise.words import given_names, is_common_word, surnames

__all__ = ["FULL_DATES", "Hit", "LeakCheckError", "leak_check", "leak_check_pages", "pdf_pages"]

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


# ------------------------------------------------ what identifies, whoever's it is (no register)

FULL_DATES = ("flag", "allow")
_PERSON_TITLES = ("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "rev", "revd", "pc",
                  "dc", "ds", "di", "dci", "dsi", "sgt", "insp", "det", "nurse", "master", "sir",
                  "dame", "lady", "lord", "cllr", "mrs.")
_TITLED = re.compile(r"(?<![a-z0-9'])(?P<title>" + "|".join(
    sorted(_PERSON_TITLES, key=len, reverse=True)) + r")\.?[ ]+(?P<name>[a-z][a-z'\-]+)"
    r"(?:[ ](?P<more>[a-z][a-z'\-]+))?")
_NAME_WORD = re.compile(r"[a-z][a-z']*(?:-[a-z][a-z']*)*")
_DOTTED_INITIALS = re.compile(r"(?<![a-z0-9.'])(?:[a-z]\.[ ]?-?[ ]?){2,4}(?![a-z0-9])")
_ANY_NI = re.compile(r"(?<![a-z0-9])[a-z]{2}[ ]?\d{2}[ ]?\d{2}[ ]?\d{2}(?:[ ]?[a-d])?(?![a-z0-9])")
_ANY_NHS = re.compile(r"(?<![\d])\d{3}[ \-]\d{3}[ \-]\d{4}(?![\d])")
_STREETS = ("road|rd|street|lane|avenue|ave|close|drive|way|court|crescent|gardens|place|terrace|"
            "grove|walk|row|square|mews|rise|green|parade|view|hill|park|vale|croft|chase")
_HOUSE_AND_STREET = re.compile(
    r"(?<![a-z0-9.,/])(?:(?:flat|apartment|unit)[ ]\d+[a-z]?,?[ ])?\d{1,4}[a-z]?,?[ ]"
    rf"(?P<street>(?:[a-z][a-z'\-]+[ ]){{1,3}})(?:{_STREETS})(?![a-z])")
_NAMED_SCHOOL = re.compile(
    r"(?P<name>(?:[a-z][a-z'\-]+[ ]){1,4})(?:(?:c of e|ce|rc|catholic|church of england|"
    r"methodist)[ ])?(?:(?:primary|junior|infants?|secondary|high|nursery|grammar)[ ])?"
    r"(?:school|academy|nursery|college)(?![a-z])")
_PARAGRAPH_BEFORE = re.compile(
    r"(?:paragraph|paragraphs|para|paras|section|sections|clause|appendix|recommendation|"
    r"finding|figure|table|page|version|v|§|and|to|,)[ ]*$")
_ROLE_AND_PLACE_WORDS = frozenset({
    *ROLE_WORDS, *PLACE_NEXT, *_MONTHS_AND_DAYS,
    "child", "mother", "father", "sibling", "grandmother", "grandfather", "worker", "visitor",
    "author", "reviewer", "lead", "chair", "overview", "summary", "executive", "contents",
    "introduction", "background", "conclusion", "conclusions", "recommendations", "findings",
    "methodology", "terms", "reference", "references", "glossary", "annex", "acknowledgements",
    "foreword", "published", "date", "version", "page", "part", "chapter", "north", "south",
    "east", "west", "new", "great", "little", "upper", "lower", "royal", "saint", "st", "holy",
    "children's", "social", "care", "education", "probation", "ambulance", "fire", "housing",
    "mental", "adult", "adults", "department", "directorate", "government", "ministry",
    "office", "county", "district", "city", "borough", "constabulary", "foundation", "group",
    "association", "society", "charity", "centre", "primary", "community", "general", "practice",
    "gp", "nhs", "icb", "cafcass", "ofsted", "police", "health", "trust", "council", "services",
    "safeguarding", "partnership", "board", "panel", "review", "learning",
    "english", "british", "polish", "romanian", "irish", "scottish", "welsh", "european",
    "asian", "african", "caribbean", "muslim", "christian", "catholic", "jewish", "sikh", "hindu",
    "covid", "coronavirus", "lockdown", "christmas", "easter", "ramadan", "eid", "diwali"})


@dataclass(frozen=True)
class _Rules:
    """What the caller allows: printed on purpose, or the partnership's date rule."""

    allow: frozenset[str]
    allowed_dates: frozenset[date]
    allowed_words: frozenset[str]  # folded words of allowed names (reviewer, chair, officers)
    allowed_names: frozenset[str]  # folded whole allowed names
    full_dates: str  # "flag" or "allow"
    allow_needles: frozenset[str]  # letters and digits of allowed numbers


def _capitalised_at(text: str, folded: Folded, start: int) -> bool:
    return text[folded.origin[start]:folded.origin[start] + 1].isupper()


def _upper_span(text: str, folded: Folded, start: int, end: int) -> bool:
    letters = [c for c in text[folded.origin[start]:folded.origin[end - 1] + 1] if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _people(text: str, folded: Folded, register: CompiledRegister, rules: _Rules
            ) -> Iterator[tuple[int, int, str]]:
    """People whoever they are: a title and a capitalised word ("Dr Okafor"), a given name
    with a surname ("Grace Lennon"), a given name alone that is no common word ("Kayden");
    never a role, a pseudonym, a place, a month, an allowed name."""
    given, family = given_names(), surnames()
    excluded = _ROLE_AND_PLACE_WORDS | register.pseudonym_words | rules.allowed_words

    def plain(word: str) -> str:
        return re.sub(r"'s?$", "", word)

    def ignorable(word: str) -> bool:
        key = plain(word)
        return (len(key) < 2 or key in excluded or key.replace("'", "") in excluded
                or key in COMMON_ABBREVIATIONS)

    for match in _TITLED.finditer(folded.text):
        name = match.group("name")
        if not _capitalised_at(text, folded, match.start("name")):
            continue
        if ignorable(name) and not (name in PARTICLES and match.group("more")):
            continue  # "Ms Ní Bhriain": a prefix written apart is the name's
        end = match.end("name")
        more = match.group("more")
        if more and _capitalised_at(text, folded, match.start("more")) and not ignorable(more):
            end = match.end("more")
        yield match.start(), end, "person_name"
    words = [(m.start(), m.end(), m.group()) for m in _NAME_WORD.finditer(folded.text)]
    runs: list[list[tuple[int, int, str]]] = []
    for start, end, word in words:
        if not _capitalised_at(text, folded, start):
            runs.append([])
            continue
        if runs and runs[-1] and folded.text[runs[-1][-1][1]:start].strip(" ") == "":
            runs[-1].append((start, end, word))
        else:
            runs.append([(start, end, word)])
    for run in runs:
        index = 0
        while index < len(run):
            start, end, word = run[index]
            key = plain(word)
            if not (key in given or any(p in given for p in key.split("-") if len(p) > 2)) \
                    or ignorable(word):  # "Daisy-Mae"
                index += 1
                continue
            last = index
            while (last + 1 < len(run) and last - index < 3 and not ignorable(run[last + 1][2])
                   and (plain(run[last + 1][2]) in family
                        or not is_common_word(plain(run[last + 1][2])))):
                last += 1
            following = run[last + 1][2] if last + 1 < len(run) else ""
            if plain(following) in PLACE_NEXT:
                index = last + 1
                continue  # "Jordan House Surgery", "Victoria Road"
            if last > index:
                yield start, run[last][1], "person_name"
            elif not is_common_word(key) and key not in family:
                before = folded.text[max(0, start - 8):start]
                if not re.search(r"(?:^|[ ])(?:in|near|from|to|at|via)[ ]$", before):
                    yield start, end, "person_name"
            index = last + 1


def _independent(text: str, folded: Folded, register: CompiledRegister, rules: _Rules
                 ) -> Iterator[tuple[int, int, str]]:
    """Initials, numbers, addresses and schools by their shape, whoever's they are."""
    for match in _DOTTED_INITIALS.finditer(folded.text):
        letters = re.sub(r"[^a-z]", "", match.group())
        if _upper_span(text, folded, match.start(), match.end()) \
                and letters not in COMMON_ABBREVIATIONS and not is_common_word(letters):
            yield match.start(), match.end(), "initials"
    for match in _ANY_NI.finditer(folded.text):
        if _upper_span(text, folded, match.start(), match.start() + 2):
            yield match.start(), match.end(), "ni_number"
    for match in _ANY_NHS.finditer(folded.text):
        yield match.start(), match.end(), "nhs_number"
    for match in _HOUSE_AND_STREET.finditer(folded.text):
        if _capitalised_at(text, folded, match.start("street")):
            yield match.start(), match.end(), "address"
    for match in _NAMED_SCHOOL.finditer(folded.text):
        words = [(m.start() + match.start("name"), m.group())
                 for m in _NAME_WORD.finditer(match.group("name"))]
        # The school's own name: the capitalised words just before "School" ("Holy Trinity
        # C of E Primary School"), not a sentence's first word ("Reviewed school in...").
        named: list[tuple[int, str]] = []
        for at, word in reversed(words):
            if not _capitalised_at(text, folded, at) or word in ("the", "a", "an", "at", "of"):
                break
            named.insert(0, (at, word))
        if not named or all(is_common_word(w) for _, w in named) \
                or " ".join(w for _, w in named) in rules.allowed_names:
            continue
        if len(named) == 1 and at_sentence_start(text, folded.origin[named[0][0]]) \
                and not folded.text[named[0][0] + len(named[0][1]):match.end()].strip() \
                .startswith(("primary", "junior", "infant", "secondary", "high", "nursery")):
            continue
        yield named[0][0], match.end(), "school"


def _date_hit(found_date: GenericMatch, text: str, folded: Folded, register: CompiledRegister,
              rules: _Rules) -> tuple[str, str | None] | None:
    owners = [p for d in found_date.dates for p in register.dates_of_birth.get(d, ())]
    if owners:
        return "date_of_birth", owners[0]  # a date of birth: always
    if rules.full_dates == "allow" or set(found_date.dates) & rules.allowed_dates:
        return None
    if found_date.kind == "loose_date" and found_date.value[:1].isdigit():
        before = folded.text[max(0, found_date.start - 24):found_date.start]
        at = folded.origin[found_date.start]
        line = text[text.rfind("\n", 0, at) + 1:at]
        if _PARAGRAPH_BEFORE.search(before) or not line.strip():
            return None  # "paragraph 3.4.15", a numbered heading
    return "date", None


def _search(text: str, origin: list[int] | None, register: CompiledRegister,
            rules: _Rules) -> list[_Span]:
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
        if form.form == INITIALS:
            if _upper_span(text, folded, match.start(), match.end()):
                add(match.start(), match.end(), "initials", form.pseudonym, 0)
            continue
        if form.common and not text[folded.origin[match.start()]].isupper():
            continue  # "a rose", "the marsh": the word, not the name
        if form.form == PLURAL and form.common and not re.search(
                r"(?<![a-z0-9'])the\s+$", folded.text[max(0, match.start() - 6):match.start()]):
            continue  # "Does the plan work?" is no family called Doe: "the Does" is
        add(match.start(), match.end(), "name", form.pseudonym, 0)
    for identifier, match in register.identifier_matches(folded.text):
        add(match.start(), match.end(), identifier.kind, identifier.pseudonym, 0)
    for found_date in find_dates(folded.text, loose=True):
        hit = _date_hit(found_date, text, folded, register, rules)
        if hit:
            add(found_date.start, found_date.end, hit[0], hit[1], 0 if hit[1] else 1)
    for generic in find_generic(folded.text, dates=False):
        if generic.value.lower() not in rules.allow:
            add(generic.start, generic.end, generic.kind, None, 1)
    registered = [(f.start, f.end) for f in found if f.pseudonym]
    for start, end, kind in [*_independent(text, folded, register, rules),
                             *_people(text, folded, register, rules)]:
        first, last = folded.origin[start], folded.origin[end - 1] + 1
        if origin is not None:
            first, last = origin[first], origin[last - 1] + 1
        if any(first < e and s < last for s, e in registered):
            continue  # the register's own hit says whose it is
        if kind in ("ni_number", "nhs_number") and needle(folded.text[start:end]) in \
                rules.allow_needles:
            continue
        add(start, end, kind, None, 2)
    return found


def _allowed(values: Iterable[str]) -> frozenset[str]:
    """The canonical values of public details printed on purpose (a partnership's phone)."""
    allowed: set[str] = set()
    for value in values:
        allowed.update(m.value.lower() for m in find_generic(fold(value).text, dates=False))
    return frozenset(allowed)


def leak_check_pages(pages: Sequence[str], register: Register, *, allow: Iterable[str] = (),
                     allowed_dates: Iterable[date] = (), allowed_names: Iterable[str] = (),
                     full_dates: str = "flag") -> list[Hit]:
    """The hits in the text of these pages (see the module docstring), in page order."""
    if full_dates not in FULL_DATES:
        raise ValueError(f"full_dates is one of {FULL_DATES}, not {full_dates!r}")
    register = compiled(register)
    joined = "\n".join(pages)
    starts, position = [], 0
    for page in pages:
        starts.append(position)
        position += len(page) + 1
    allow = list(allow)
    names = [n for n in (*allowed_names, *allow) if n and n.strip()]
    rules = _Rules(
        _allowed(allow), frozenset(allowed_dates),
        frozenset(w for n in names for w in re.split(r"[\s\-]+", fold_key(n).replace(".", " "))
                  if w),
        frozenset(fold_key(n) for n in names), full_dates,
        frozenset(needle(a) for a in allow if len(needle(a)) >= 6))
    spans = _search(joined, None, register, rules)
    for text, origin in _page_joins(pages, starts, _boilerplate(pages)):
        spans += _search(text, origin, register, rules)
    accepted: list[_Span] = []
    # The register's hits first (they say whose), then the longest.
    for span in sorted(spans, key=lambda s: (s.pseudonym is None, s.start - s.end, s.priority,
                                             s.start)):
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
               allowed_dates: Iterable[date] = (), allowed_names: Iterable[str] = (),
               full_dates: str = "flag") -> list[Hit]:
    """Every identifier and piece of personal data in the PDF's own text, with its page.
    ``allow``: public details printed on purpose (the partnership's name and phone);
    ``allowed_dates``: dates the report states on purpose (publication, the period under
    review); ``allowed_names``: people named by design (the independent reviewer, the
    partnership's chair and officers); ``full_dates``: the partnership's rule for other
    full dates, "flag" or "allow" (the setting LEAK_CHECK_FULL_DATES). Raises
    ``LeakCheckError`` if the text cannot be read (never "clean" by default)."""
    return leak_check_pages(pdf_pages(pdf), register, allow=allow, allowed_dates=allowed_dates,
                            allowed_names=allowed_names, full_dates=full_dates)
