"""The kinds of identifier a subject has, how each is written down once, and how each is
found again in text however it was typed.

``normalise_identifier(kind, value)`` is the one rule for what may be stored (reviews'
``SubjectIdentifier`` calls it): it returns the canonical form or raises
``InvalidIdentifier`` with a message for the form. ``identifier_patterns(kind, value)``
gives the regular expressions (on folded text, scr.anonymise.fold) that find the
identifier in a report or a PDF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from scr.anonymise.fold import fold, fold_key
from scr.anonymise.patterns import _NI, _NI_REFUSED_PREFIXES, POSTCODE, valid_nhs_number
from scr.text import normalise_text

__all__ = [
    "IDENTIFIER_KINDS",
    "NAME_KINDS",
    "REPLACEMENTS",
    "Identifier",
    "InvalidIdentifier",
    "address_lines",
    "identifier_patterns",
    "needle",
    "normalise_identifier",
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
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ALNUM = re.compile(r"[a-z0-9]")


class InvalidIdentifier(ValueError):
    """The value cannot be stored for that kind; the message is for the form."""


@dataclass(frozen=True)
class Identifier:
    kind: str
    value: str


def _name(value: str) -> str:
    value = normalise_text(value)
    if not any(len(w) > 1 for w in fold_key(value).split()):
        raise InvalidIdentifier("Enter a name of at least 2 letters")
    return value


def _postcode(value: str) -> str:
    code = re.sub(r"\s+", "", normalise_text(value)).lower()
    if len(code) < 5 or not POSTCODE.fullmatch(f"{code[:-3]} {code[-3:]}"):
        raise InvalidIdentifier("Enter a real postcode, like NT1 2AB")
    return f"{code[:-3]} {code[-3:]}".upper()


def _nhs(value: str) -> str:
    digits = re.sub(r"[\s\-]", "", normalise_text(value))
    if not digits.isdigit() or len(digits) != 10:
        raise InvalidIdentifier("Enter an NHS number of 10 digits, like 485 777 3456")
    if not valid_nhs_number(digits):
        raise InvalidIdentifier("Enter a valid NHS number: its last digit does not check the "
                                "other nine (check it was copied correctly)")
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def _ni(value: str) -> str:
    code = re.sub(r"\s+", "", normalise_text(value)).lower()
    match = _NI.fullmatch(code)
    if not match or match.group(1) in _NI_REFUSED_PREFIXES:
        raise InvalidIdentifier("Enter a National Insurance number in the right format, "
                                "like AB 12 34 56 C")
    code = code.upper()
    return " ".join([code[:2], code[2:4], code[4:6], code[6:8], code[8:]]).strip()


def _phone(value: str) -> str:
    try:
        number = phonenumbers.parse(normalise_text(value), "GB")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise InvalidIdentifier("Enter a phone number, like 01632 960 001 or +44 7700 900 982")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _email(value: str) -> str:
    value = normalise_text(value)
    if not _EMAIL.match(value):
        raise InvalidIdentifier("Enter an email address in the correct format, like "
                                "name@example.com")
    return value


def _reference(value: str) -> str:
    value = normalise_text(value)
    if len(_ALNUM.findall(fold(value).text)) < 4:
        raise InvalidIdentifier("Enter a reference of at least 4 letters or numbers")
    return value


def _school(value: str) -> str:
    value = normalise_text(value)
    if len(fold_key(value)) < 3:
        raise InvalidIdentifier("Enter the name of the school")
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
    """The canonical form of ``value`` for ``kind``, or ``InvalidIdentifier``."""
    if kind not in _NORMALISERS:
        raise InvalidIdentifier("Select what kind of identifier this is")
    if not (value or "").strip():
        raise InvalidIdentifier("Enter the identifier")
    return _NORMALISERS[kind](value)


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
    if kind == "phone":
        try:
            national = str(phonenumbers.parse(value, "GB").national_number)
        except phonenumbers.NumberParseException:
            national = needle(value)
        return [(_phone_pattern(value), national)]
    return [(pattern, needle(source)) for pattern, source in _sourced_patterns(kind, value)]


def _sourced_patterns(kind: str, value: str) -> list[tuple[str, str]]:
    """(pattern, the text it was made from)."""
    if kind in ("nhs_number", "ni_number") or kind in REFERENCE_KINDS:
        return [(_chars_pattern(value), value)]
    if kind == "postcode":
        compact = value.replace(" ", "").lower()
        return [(_B + re.escape(compact[:-3]) + r"\s?" + re.escape(compact[-3:]) + _E, value)]
    if kind == "email":
        return [(r"(?<![a-z0-9._%+'\-])" + re.escape(fold(value).text) + r"(?![a-z0-9\-])",
                 value)]
    if kind == "school":
        forms = [value]
        words = value.split()
        if len(words) > 2 and words[-1].lower() in _SCHOOL_WORDS:
            forms.append(" ".join(words[:-1]))
        return [(_words_pattern(f), f) for f in forms]
    if kind == "address":
        lines = value.split("\n")
        forms = [", ".join(lines)] if len(lines) > 1 else []
        forms += address_lines(value)
        return [(_words_pattern(f, r"[\s\-,]+"), f) for f in forms]
    return []
