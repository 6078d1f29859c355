"""The kinds of identifier a subject has, how each is written down once, and how each is
found again in text however it was typed.

``check_identifier(kind, value) -> CheckedIdentifier`` is the one rule for what is stored
(reviews' ``SubjectIdentifier``): the canonical form when the value looks right, the value
as typed (cleaned of invisible characters and extra spaces) when it does not, and then a
``warning`` for the form. A value that does not look valid (an NI number in an odd
format, an NHS number whose check digit fails, a reference of two characters) is still
*accepted*: it is a real identifier of a real person, and refusing it meant it could not
be removed at all. Only an empty value or an unknown kind raises ``InvalidIdentifier``.
``normalise_identifier(kind, value)`` is the same check returning the stored value only
(the old name, kept for callers that do not show warnings).

``identifier_patterns(kind, value)`` gives the regular expressions (on folded text,
scr.anonymise.fold) that find the identifier in a report or a PDF, valid or not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from scr.anonymise.fold import fold, fold_key
from scr.anonymise.patterns import NI_PATTERN, NI_REFUSED_PREFIXES, POSTCODE, valid_nhs_number
from scr.text import normalise_text

__all__ = [
    "IDENTIFIER_KINDS",
    "NAME_KINDS",
    "REPLACEMENTS",
    "CheckedIdentifier",
    "Identifier",
    "InvalidIdentifier",
    "address_lines",
    "check_identifier",
    "identifier_patterns",
    "needle",
    "normalise_identifier",
    "school_core",
]

# (kind, label): the order the subject's page lists them in.
IDENTIFIER_KINDS: tuple[tuple[str, str], ...] = (
    ("known_as", "Known as"),
    ("previous_surname", "Previous surname"),
    ("nickname", "Nickname"),
    ("address", "Address"),
    ("postcode", "Postcode"),
    ("school", "School, nursery or college"),
    ("nhs_number", "NHS number"),
    ("ni_number", "National Insurance number"),
    ("police_ref", "Police reference"),
    ("la_ref", "Local authority reference"),
    ("other_ref", "Other reference number"),
    ("phone", "Phone number"),
    ("email", "Email address"),
)
NAME_KINDS = frozenset({"known_as", "previous_surname", "nickname"})
REFERENCE_KINDS = frozenset({"police_ref", "la_ref", "other_ref"})

# The neutral phrase each kind becomes in publishable text.
REPLACEMENTS = {
    "address": "[address removed]",
    "postcode": "[postcode removed]",
    "school": "[school removed]",
    "nhs_number": "[NHS number removed]",
    "ni_number": "[National Insurance number removed]",
    "police_ref": "[reference removed]",
    "la_ref": "[reference removed]",
    "other_ref": "[reference removed]",
    "phone": "[phone number removed]",
    "email": "[email address removed]",
}

_STREET_WORDS = frozenset({
    "road", "rd", "street", "st", "lane", "ln", "avenue", "ave", "close", "drive", "dr", "way",
    "court", "ct", "crescent", "gardens", "place", "terrace", "grove", "walk", "row", "square",
    "hill", "park", "view", "mews", "rise", "green", "parade", "gate", "croft", "fields",
    "meadow", "meadows", "estate", "house", "flats", "tower", "lodge", "cottages", "yard",
    "wharf", "quay", "hall", "farm", "chase", "vale", "boulevard", "wynd", "brow", "end"})
_SCHOOL_WORDS = ("school", "academy", "nursery", "college")
# Words a school's name shares with every other school's: what is left is its own name.
_GENERIC_SCHOOL_WORDS = (
    r"c\s?of\s?e", r"cofe", r"ce", r"c\s?e", r"church\s+of\s+england", r"church\s+in\s+wales",
    r"cw", r"c\s?in\s?w", r"rc", r"r\s?c",
    r"roman\s+catholic", r"catholic", r"methodist", r"voluntary\s+(?:aided|controlled)",
    r"va", r"vc", r"primary", r"junior", r"juniors", r"infant", r"infants", r"nursery",
    r"secondary", r"high", r"first", r"middle", r"community", r"federation", r"free",
    r"academy", r"school", r"college", r"and", r"&", r"sixth\s+form", r"pre-?school",
    r"children'?s\s+centre", r"day", r"special", r"upper", r"lower")
_SCHOOL_GENERIC = "(?:" + "|".join(_GENERIC_SCHOOL_WORDS) + ")"
_GENERIC_SCHOOL = re.compile(rf"(?:[\s\-,]+{_SCHOOL_GENERIC})+$")


def school_core(school: str) -> str:
    """The part of a school's name that is its own: "Holy Trinity" of "Holy Trinity C of E
    Primary School", "Oakfield" of "The Oakfield Academy". Empty when nothing is left."""
    folded = " ".join(fold(school).text.split())
    core = _GENERIC_SCHOOL.sub("", " " + folded).strip(" ,-")
    core = re.sub(r"^the\s+", "", core)
    if not core or core == folded:
        return core if core != folded else ""
    words = normalise_text(school).split()
    kept = len(core.split())
    start = 1 if words and words[0].lower() == "the" else 0
    return " ".join(words[start:start + kept])
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ALNUM = re.compile(r"[a-z0-9]")


class InvalidIdentifier(ValueError):
    """The value cannot be stored at all (empty, or an unknown kind); the message is for
    the form. A value that merely looks wrong is stored with a warning instead."""


class _Odd(Exception):
    """Inside a normaliser: the value does not look right (the message is the warning)."""


@dataclass(frozen=True)
class CheckedIdentifier:
    """What ``check_identifier`` stores: ``value``, and ``warning`` (empty when the value
    looks right) for the form to show beside it."""

    value: str
    warning: str = ""


@dataclass(frozen=True)
class Identifier:
    kind: str
    value: str


def _name(value: str) -> str:
    value = normalise_text(value)
    if not any(len(w) > 1 for w in fold_key(value).split()):
        raise _Odd("A name of one letter is matched only as an initial beside a surname.")
    return value


def _postcode(value: str) -> str:
    code = re.sub(r"\s+", "", normalise_text(value)).lower()
    if len(code) < 5 or not POSTCODE.fullmatch(f"{code[:-3]} {code[-3:]}"):
        raise _Odd("This is not a UK postcode format (like NT1 2AB).")
    return f"{code[:-3]} {code[-3:]}".upper()


def _nhs(value: str) -> str:
    digits = re.sub(r"[\s\-]", "", normalise_text(value))
    if not digits.isdigit() or len(digits) != 10:
        raise _Odd("An NHS number has 10 digits (like 485 777 3456); this one has "
                   f"{sum(c.isdigit() for c in digits)}.")
    if not valid_nhs_number(digits):
        raise _Odd("This NHS number's last digit does not check the other nine.")
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def _ni(value: str) -> str:
    code = re.sub(r"\s+", "", normalise_text(value)).lower()
    match = NI_PATTERN.fullmatch(code)
    if not match or match.group(1) in NI_REFUSED_PREFIXES:
        raise _Odd("This is not in the format of a National Insurance number HMRC "
                   "issues (like AB 12 34 56 C).")
    code = code.upper()
    return " ".join([code[:2], code[2:4], code[4:6], code[6:8], code[8:]]).strip()


def _phone(value: str) -> str:
    try:
        number = phonenumbers.parse(normalise_text(value), "GB")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise _Odd("This is not a possible phone number (like 01632 960 001 or "
                   "+44 7700 900 982).")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _email(value: str) -> str:
    value = normalise_text(value)
    if not _EMAIL.match(value):
        raise _Odd("This is not in the format of an email address (like "
                   "name@example.com).")
    return value


def _reference(value: str) -> str:
    value = normalise_text(value)
    if len(_ALNUM.findall(fold(value).text)) < 4:
        raise _Odd("A reference of fewer than 4 letters or numbers is searched as a "
                   "whole word only.")
    return value


def _school(value: str) -> str:
    value = normalise_text(value)
    if len(fold_key(value)) < 3:
        raise _Odd("A school name this short is searched as a whole word only.")
    return value


def _address(value: str) -> str:
    lines = [line.strip(" ,") for line in re.split(r"[\n,]", normalise_text(value, multiline=True))]
    lines = [line for line in lines if line]
    if not lines:
        raise InvalidIdentifier("Enter the address")
    return "\n".join(lines)


_NORMALISERS = {
    "known_as": _name, "previous_surname": _name, "nickname": _name,
    "address": _address, "postcode": _postcode, "school": _school,
    "nhs_number": _nhs, "ni_number": _ni, "police_ref": _reference, "la_ref": _reference,
    "other_ref": _reference, "phone": _phone, "email": _email,
}


def normalise_identifier(kind: str, value: str) -> str:
    """The value to store for ``kind`` (``check_identifier``'s, without its warning).
    Raises ``InvalidIdentifier`` only for an empty value or an unknown kind."""
    return check_identifier(kind, value).value


def check_identifier(kind: str, value: str) -> CheckedIdentifier:
    """The value to store for ``kind`` and a warning when it does not look right (see the
    module docstring). Raises ``InvalidIdentifier`` only for an empty value or an unknown
    kind: anything a person typed as an identifier is accepted for removal."""
    if kind not in _NORMALISERS:
        raise InvalidIdentifier("Select what kind of identifier this is")
    cleaned = normalise_text(value or "", multiline=kind == "address")
    if not cleaned.strip():
        raise InvalidIdentifier("Enter the identifier")
    try:
        return CheckedIdentifier(_NORMALISERS[kind](value))
    except _Odd as odd:
        return CheckedIdentifier(cleaned.strip(), f"{odd} It is kept as typed and still "
                                 "removed wherever it appears: check it was copied correctly.")


# ---------------------------------------------------------------- finding them in text

_B, _E = r"(?<![a-z0-9])", r"(?![a-z0-9])"


def _chars_pattern(value: str) -> str:
    """Letters and digits of a number in order, any spacing or punctuation between them."""
    chars = _ALNUM.findall(fold(value).text)
    return _B + r"[\s\-/.]?".join(re.escape(c) for c in chars) + _E


def _words_pattern(text: str, separator: str = r"[\s\-,]+") -> str:
    words = [re.escape(w) for w in re.split(r"[\s\-,]+", fold(text).text) if w]
    return _B + separator.join(words) + _E


def _phone_pattern(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        return _chars_pattern(e164)
    national = str(number.national_number)
    digits = r"[\s\-.()]{0,2}".join(national)
    country = str(number.country_code)
    prefix = rf"(?:(?:\+|00)\s?{country}\s?(?:\(0\)\s?)?|\(?0\)?\s?)"
    return rf"(?<![\d+]){prefix}{digits}(?!\d)"


def address_lines(address: str) -> list[str]:
    """The lines of an address that identify it on their own: a line with a house number
    (and the street without the number), a street, a named house. A town or county alone
    is not searched for: towns are named in every published report."""
    found = []
    for line in address.split("\n"):
        words = fold_key(line).split()
        if not words or POSTCODE.fullmatch(" ".join(words)):
            continue
        if any(c.isdigit() for c in line):
            found.append(line)
            street = re.sub(r"^(?:flat|apartment|unit)?\s*[\d/\-a-z]*\d[a-z]?\b[\s,]*", "",
                            line, flags=re.IGNORECASE)
            if street and street != line and street.split()[-1].lower() in _STREET_WORDS:
                found.append(street)
        elif words[-1] in _STREET_WORDS and len(words) > 1:
            found.append(line)
    return found


def needle(text: str) -> str:
    """The letters and digits of folded text: a match of any identifier pattern contains
    its needle in this form, so a text whose letters and digits lack it has no match."""
    return "".join(_ALNUM.findall(fold(text).text))


def identifier_patterns(kind: str, value: str) -> list[tuple[str, str, str]]:
    """(kind, regular expression for folded text, needle) that find this identifier,
    longest first; an address also gives its postcode, as a postcode."""
    found = [(kind, p, n) for p, n in _patterns(kind, value)]
    if kind == "address":
        for match in POSTCODE.finditer(fold(value).text):
            found += [("postcode", p, n) for p, n in _patterns("postcode", match.group(1))]
    return found


def _patterns(kind: str, value: str) -> list[tuple[str, str]]:
    if len(needle(value)) < 2:
        return []  # one letter or digit: it would be found everywhere (the form warned)
    if kind == "phone":
        try:
            number = phonenumbers.parse(value, "GB")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_possible_number(number):
            return [(_chars_pattern(value), needle(value))]  # stored as typed, with a warning
        return [(_phone_pattern(value), str(number.national_number))]
    return [(pattern, needle(source)) for pattern, source in _sourced_patterns(kind, value)]


def _sourced_patterns(kind: str, value: str) -> list[tuple[str, str]]:
    """(pattern, the text it was made from)."""
    if kind in ("nhs_number", "ni_number") or kind in REFERENCE_KINDS:
        return [(_chars_pattern(value), value)]
    if kind == "postcode":
        compact = re.sub(r"\s+", "", value).lower()
        if len(compact) < 5 or not POSTCODE.fullmatch(f"{compact[:-3]} {compact[-3:]}"):
            return [(_chars_pattern(value), value)]  # not a UK format: as typed
        return [(_B + re.escape(compact[:-3]) + r"\s?" + re.escape(compact[-3:]) + _E, value)]
    if kind == "email":
        return [(r"(?<![a-z0-9._%+'\-])" + re.escape(fold(value).text) + r"(?![a-z0-9\-])",
                 value)]
    if kind == "school":
        forms = [value]
        words = value.split()
        if len(words) > 2 and words[-1].lower() in _SCHOOL_WORDS:
            forms.append(" ".join(words[:-1]))
        found = [(_words_pattern(f), f) for f in forms]
        core = school_core(value)
        if core and fold_key(core) != fold_key(value):
            # The school by its short name ("Holy Trinity" for "Holy Trinity C of E Primary
            # School"), with any of the generic words after it; one word alone ("Oakfield")
            # only with one of them (it may be a town's or a street's name too).
            tail = rf"(?:[\s\-,]+{_SCHOOL_GENERIC})"
            pattern = _words_pattern(core)[:-len(_E)] + (tail + "*" if " " in core else tail + "+")
            found.append((pattern + _E, core))
        return found
    if kind == "address":
        lines = value.split("\n")
        forms = [", ".join(lines)] if len(lines) > 1 else []
        forms += address_lines(value)
        return [(_words_pattern(f, r"[\s\-,]+"), f) for f in forms]
    return []
