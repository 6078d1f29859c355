"""Generic personal data, found by pattern whoever it belongs to.

Used by the anonymiser (to remove numbers and addresses nobody registered) and by the
leak check (to find them in a rendered PDF). Every pattern runs on *folded* text
(scr.anonymise.fold: lower case, one kind of space, dash and apostrophe), so a
non-breaking space or an en dash inside a number changes nothing.

- **NHS numbers**: ten digits, spaced 3-3-4 or not, whose check digit is right
  (``python-stdnum``'s ``stdnum.gb.nhs``): a ten-digit number with a wrong check digit
  is not an NHS number.
- **National Insurance numbers**: HMRC's format (two prefix letters from the allowed
  set, not BG/GB/KN/NK/NT/TN/ZZ; six digits; a suffix A-D, which may be left off),
  spaced or not.
- **UK postcodes**: the Royal Mail formats (A9 9AA, A99 9AA, A9A 9AA, AA9 9AA,
  AA99 9AA, AA9A 9AA) and GIR 0AA, with or without the space.
- **Phone numbers**: Google's libphonenumber (``phonenumbers``) finds valid numbers in
  any format ("020 7946 0958", "+44 (0)20 7946 0958", "07700 900 982"), UK by default.
- **E-mail addresses**.
- **Full dates**, day, month and year: "3 March 2015", "3rd March 2015", "3 Mar. 2015",
  "March 3, 2015", "03/03/2015", "3/3/2015", "3/3/15", "2015-03-03", "03.03.2015",
  "3-3-2015". A month and year ("March 2015") or a year alone is not a full date; nor
  is "3.4.15" (a paragraph number). Numeric dates are read day first (UK), and also
  month first when that is the only valid reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import phonenumbers
from stdnum.gb import nhs

__all__ = [
    "GenericMatch",
    "find_dates",
    "find_generic",
    "valid_nhs_number",
]

MONTHS = {name: number for number, names in enumerate([
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")], start=1) for name in names}
_MONTH = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_NOT_BEFORE = r"(?<![a-z0-9])"
_NOT_AFTER = r"(?![a-z0-9])"

_DATE_PATTERNS = [
    # 3 March 2015, 3rd of March, 2015
    re.compile(rf"{_NOT_BEFORE}(?P<d>{_DAY})\s+(?:of\s+)?(?P<m>{_MONTH}),?\s+(?P<y>\d{{4}}){_NOT_AFTER}"),
    # March 3, 2015 / March 3rd 2015
    re.compile(rf"{_NOT_BEFORE}(?P<m>{_MONTH})\s+(?P<d>{_DAY}),?\s+(?P<y>\d{{4}}){_NOT_AFTER}"),
    # 03/03/2015, 3/3/15
    re.compile(r"(?<![\d/.\-])(?P<a>\d{1,2})\s?/\s?(?P<b>\d{1,2})\s?/\s?(?P<y>\d{4}|\d{2})(?![\d/]|\.\d)"),
    # 03.03.2015, 3-3-2015 (four-digit years only: "3.4.15" is a paragraph number)
    re.compile(r"(?<![\d/.\-])(?P<a>\d{1,2})(?P<s>[.\-])(?P<b>\d{1,2})(?P=s)(?P<y>\d{4})(?![\d]|[.\-]\d)"),
    # 2015-03-03, 2015/03/03, 2015.03.03
    re.compile(r"(?<![\d/.\-])(?P<y>\d{4})(?P<s>[\-/.])(?P<b>\d{1,2})(?P=s)(?P<a>\d{1,2})(?![\d]|[.\-/]\d)"),
]
_NHS = re.compile(r"(?<![\d])(\d{3})[ \-]{0,2}(\d{3})[ \-]{0,2}(\d{4})(?![\d])")
NI_PATTERN = re.compile(r"(?<![a-z0-9])([a-ceghj-pr-tw-z][a-ceghj-npr-tw-z])\s?(\d{2})\s?(\d{2})\s?(\d{2})"
                 r"(?:\s?([a-d]))?(?![a-z0-9])")
NI_REFUSED_PREFIXES = frozenset({"bg", "gb", "kn", "nk", "nt", "tn", "zz"})
POSTCODE = re.compile(r"(?<![a-z0-9])(gir ?0aa|[a-pr-uwyz](?:\d{1,2}|\d[a-hjkps-uw]|[a-hk-y]\d{1,2}"
                      r"|[a-hk-y]\d[abehmnprv-y]) ?\d[abd-hjlnp-uw-z]{2})(?![a-z0-9])")
# Runs of digits with the punctuation phone numbers are written with: only these are handed
# to libphonenumber's matcher (which is thorough, and slow on a whole report).
_PHONE_CANDIDATE = re.compile(r"(?:\+|00)?\s?(?:\(\s?)?\d[\d \-().]{7,24}\d")
_EMAIL = re.compile(r"(?<![a-z0-9._%+'\-])[a-z0-9._%+'\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}"
                    r"(?![a-z0-9\-])")


@dataclass(frozen=True)
class GenericMatch:
    """A span of folded text that looks like personal data; ``value`` is its canonical form
    (digits of a number, the postcode in capitals, the dates it can be)."""

    start: int
    end: int
    kind: str
    value: str
    dates: tuple[date, ...] = ()


def _year(text: str) -> list[int]:
    year = int(text)
    if len(text) == 2:
        return [2000 + year, 1900 + year]
    return [year] if 1900 <= year <= 2100 else []


def _dates(day: int, month: int, years: list[int]) -> list[date]:
    found = []
    for year in years:
        try:
            found.append(date(year, month, day))
        except ValueError:
            continue
    return found


# Only the leak check's: a two-digit year after dots or dashes ("3.3.15", "03-03-15"), or a
# two-digit year with a month name ("3 March 15", "3rd Mar '15"). A report's paragraph
# numbers look the same ("3.4.15"): the leak check says which it takes for one.
_LOOSE_DATE_PATTERNS = [
    re.compile(r"(?<![\d/.\-])(?P<a>\d{1,2})(?P<s>[.\-])(?P<b>\d{1,2})(?P=s)(?P<y>\d{2})"
               r"(?![\d]|[.\-]\d)"),
    re.compile(rf"{_NOT_BEFORE}(?P<d>{_DAY})\s+(?:of\s+)?(?P<m>{_MONTH}),?\s+'?(?P<y>\d{{2}})"
               r"(?![a-z0-9:.])"),
    re.compile(r"(?<![\d])(?P<y>(?:19|20)\d{2})(?P<b>[01]\d)(?P<a>[0-3]\d)(?![\d])"),
]


def find_dates(folded: str, *, loose: bool = False) -> Iterator[GenericMatch]:
    """Every full date in folded text, with the dates it can mean. ``loose`` adds the
    forms that may be something else (``_LOOSE_DATE_PATTERNS``), with ``kind`` "loose_date"."""
    taken: list[tuple[int, int]] = []
    patterns = [(p, "date") for p in _DATE_PATTERNS]
    if loose:
        patterns += [(p, "loose_date") for p in _LOOSE_DATE_PATTERNS]
    for pattern, kind in patterns:
        for match in pattern.finditer(folded):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            groups = match.groupdict()
            years = _year(groups["y"])
            if "m" in groups and groups.get("m"):
                day = int(re.sub(r"\D", "", groups["d"]))
                found = _dates(day, MONTHS[groups["m"].rstrip(".")], years)
            else:
                first, second = int(groups["a"]), int(groups["b"])
                found = _dates(first, second, years) or _dates(second, first, years)
            if found:
                taken.append((match.start(), match.end()))
                yield GenericMatch(match.start(), match.end(), kind, match.group(),
                                   tuple(found))


def valid_nhs_number(digits: str) -> bool:
    return len(digits) == 10 and nhs.is_valid(digits)


def _ni_valid(match: re.Match[str]) -> bool:
    return match.group(1) not in NI_REFUSED_PREFIXES


def find_generic(folded: str, *, dates: bool = True) -> Iterator[GenericMatch]:
    """NHS and National Insurance numbers, postcodes, phone numbers, e-mail addresses and
    (unless ``dates`` is false) full dates, in folded text. Overlaps are possible (a
    phone number and an NHS number can share digits); callers keep the longest."""
    for match in _NHS.finditer(folded):
        digits = "".join(match.groups())
        if valid_nhs_number(digits):
            yield GenericMatch(match.start(), match.end(), "nhs_number", digits)
    for match in NI_PATTERN.finditer(folded):
        if _ni_valid(match):
            yield GenericMatch(match.start(), match.end(), "ni_number",
                               "".join(g for g in match.groups() if g).upper())
    for match in POSTCODE.finditer(folded):
        code = match.group(1).replace(" ", "").upper()
        yield GenericMatch(match.start(), match.end(), "postcode", f"{code[:-3]} {code[-3:]}")
    for candidate in _PHONE_CANDIDATE.finditer(folded):
        if sum(c.isdigit() for c in candidate.group()) < 9:
            continue  # no UK number has fewer than 9 digits after its leading 0
        offset = max(0, candidate.start() - 1)
        snippet = folded[offset:candidate.end() + 1]
        for found in phonenumbers.PhoneNumberMatcher(snippet, "GB",
                                                     leniency=phonenumbers.Leniency.VALID):
            value = phonenumbers.format_number(found.number,
                                               phonenumbers.PhoneNumberFormat.E164)
            yield GenericMatch(offset + found.start, offset + found.end, "phone", value)
    for match in _EMAIL.finditer(folded):
        yield GenericMatch(match.start(), match.end(), "email", match.group())
    if dates:
        yield from find_dates(folded)
