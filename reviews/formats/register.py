"""The pseudonym register as text and tables: several identifiers typed as lines ("NHS number:
943 476 5919"), and the register imported from a CSV or XLSX file.

Pure (no database), like ``reviews.formats.chronology``: ``read_register`` yields one
``RegisterRow`` per data row with its line as a spreadsheet shows it and every reason it
cannot be imported, so the service checks the whole file before saving anything
(``services.register_import``: all rows or none).

Columns (the template's headings; other common spellings are read too): Pseudonym, Kind,
Full name, Other names, Date of birth, Sex, Identifier kind, Identifier value. One row per
identifier: a person with three identifiers is three rows with the same pseudonym (their
name, kind and date of birth written on the first and left blank, or the same, on the
others). "Other names" are known-as names, separated by semicolons.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from reviews.formats.chronology import parse_date
from scr.anonymise import IDENTIFIER_KINDS
from scr.spreadsheets import Table
from scr.text import normalise_text

__all__ = [
    "COLUMNS",
    "TABLE",
    "RegisterRow",
    "identifier_kind",
    "parse_identifier_lines",
    "read_register",
    "register_template_csv",
    "register_template_xlsx",
]

SUBJECT_KINDS = {
    "child": "child", "subject child": "child", "the child": "child",
    "sibling": "sibling", "brother": "sibling", "sister": "sibling",
    "parent": "parent", "parent or carer": "parent", "carer": "parent", "mother": "parent",
    "father": "parent", "relative": "relative", "other family member": "relative",
    "family member": "relative", "adult": "adult", "other adult": "adult",
    "professional": "professional", "practitioner": "professional",
}
SEXES = {"female": "female", "f": "female", "male": "male", "m": "male", "": "unknown",
         "unknown": "unknown", "not known": "unknown"}

# Every spelling of an identifier's kind a person may type, folded → the kind.
_KIND_ALIASES = {
    "nhs": "nhs_number", "nhs no": "nhs_number", "ni": "ni_number", "ni number": "ni_number",
    "national insurance": "ni_number", "nino": "ni_number", "email": "email",
    "e-mail": "email", "e mail": "email", "e-mail address": "email", "phone": "phone",
    "telephone": "phone", "mobile": "phone", "phone number": "phone", "tel": "phone",
    "school": "school", "nursery": "school", "college": "school", "address": "address",
    "postcode": "postcode", "post code": "postcode", "known as": "known_as", "aka": "known_as",
    "also known as": "known_as", "other name": "known_as", "nickname": "nickname",
    "previous surname": "previous_surname", "maiden name": "previous_surname",
    "police reference": "police_ref", "police ref": "police_ref", "crime number": "police_ref",
    "la reference": "la_ref", "local authority reference": "la_ref", "lcs id": "la_ref",
    "reference": "other_ref", "other reference": "other_ref",
}


def _fold(text: str) -> str:
    return re.sub(r"[\s_]+", " ", normalise_text(text or "").strip().lower()).strip(" .")


KINDS = {**{_fold(key): key for key, _ in IDENTIFIER_KINDS},
         **{_fold(label): key for key, label in IDENTIFIER_KINDS}, **_KIND_ALIASES}
KIND_NAMES = ", ".join(label for _, label in IDENTIFIER_KINDS)


def identifier_kind(text: str) -> str | None:
    """The identifier kind a person meant ("NHS number", "nhs_number", "NHS"), or None."""
    return KINDS.get(_fold(text))


def parse_identifier_lines(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Lines of "what: value" (blank lines skipped) → (kind, value) pairs, and every line's
    problem ("Line 2: …"). An address goes on one line, its parts separated by commas."""
    pairs: list[tuple[str, str]] = []
    errors: list[str] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        what, colon, value = line.partition(":")
        kind = identifier_kind(what) if colon else None
        if not colon or not what.strip():
            errors.append(f"Line {number}: write what it is, a colon, then the value, for "
                          "example “NHS number: 943 476 5919”")
        elif kind is None:
            errors.append(f"Line {number}: “{what.strip()}” is not a kind of identifier; use "
                          f"one of {KIND_NAMES}")
        elif not value.strip():
            errors.append(f"Line {number}: enter the {what.strip()} after the colon")
        else:
            pairs.append((kind, value.strip()))
    return pairs, errors


# ---------------------------------------------------------------- import

# (field, heading in the template, required)
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("pseudonym", "Pseudonym", True),
    ("kind", "Kind", True),
    ("full_name", "Full name", True),
    ("other_names", "Other names", False),
    ("date_of_birth", "Date of birth", False),
    ("sex", "Sex", False),
    ("identifier_kind", "Identifier kind", False),
    ("identifier_value", "Identifier value", False),
)
TABLE = Table(COLUMNS, {
    "name": "full_name", "real name": "full_name", "who": "kind", "role": "kind",
    "known as": "other_names", "dob": "date_of_birth", "d.o.b.": "date_of_birth",
    "born": "date_of_birth", "identifier": "identifier_kind", "identifier type": "identifier_kind",
    "value": "identifier_value", "gender": "sex"}, sheet="Register")


@dataclass
class RegisterRow:
    line: int
    pseudonym: str = ""
    kind: str = ""
    full_name: str = ""
    other_names: list[str] = field(default_factory=list)
    date_of_birth: date | None = None
    sex: str = ""
    identifier: tuple[str, str] | None = None
    errors: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalise_text(str(value)).strip()


def _parse(line: int, raw: dict[str, Any]) -> RegisterRow:
    row = RegisterRow(line, pseudonym=_text(raw.get("pseudonym")),
                      full_name=_text(raw.get("full_name")))
    if not row.pseudonym:
        row.errors.append("Enter the pseudonym (for example Child A)")
    kind_text = _text(raw.get("kind"))
    row.kind = SUBJECT_KINDS.get(_fold(kind_text), "") if kind_text else ""
    if kind_text and not row.kind:
        row.errors.append(f"“{kind_text}” is not who someone is in the case: write child, "
                          "sibling, parent, relative, adult or professional")
    row.other_names = [n.strip() for n in _text(raw.get("other_names")).split(";") if n.strip()]
    if _text(raw.get("date_of_birth")):
        born, _, error = parse_date(raw.get("date_of_birth"))
        if error:
            row.errors.append(f"Date of birth: {error}")
        row.date_of_birth = born
    sex_text = _text(raw.get("sex"))
    row.sex = SEXES.get(_fold(sex_text), "")
    if not row.sex:
        row.errors.append(f"“{sex_text}” is not a sex: write female, male or leave it blank")
    what, value = _text(raw.get("identifier_kind")), _text(raw.get("identifier_value"))
    if what or value:
        kind = identifier_kind(what)
        if not what:
            row.errors.append("Enter what the identifier is (Identifier kind)")
        elif kind is None:
            row.errors.append(f"“{what}” is not a kind of identifier; use one of {KIND_NAMES}")
        elif not value:
            row.errors.append(f"Enter the {what} (Identifier value)")
        else:
            row.identifier = (kind, value)
    return row


def read_register(upload: IO[bytes], *, xlsx: bool) -> Iterator[RegisterRow]:
    """Every non-blank data row, parsed, with its line (CSV) or row (XLSX) number
    (``scr.spreadsheets.Table``: headings, blank rows, the size limits). Raises
    ``SpreadsheetUnreadable`` for the file as a whole."""
    for line, raw in TABLE.rows(upload, xlsx=xlsx):
        yield _parse(line, raw)


TEMPLATE_HEADINGS = [heading for _, heading, _ in COLUMNS]
GUIDANCE = [
    ("Pseudonym", "As the report will print it, e.g. Child A, Mother, Social Worker 1. "
                  "Required on every row: rows with the same pseudonym are one person."),
    ("Kind", "child, sibling, parent, relative, adult or professional."),
    ("Full name", "Their real name. Required on the person's first row."),
    ("Other names", "Names they are known by, separated by semicolons."),
    ("Date of birth", "Day first: 31/12/2015, 2015-12-31 or 31 Dec 2015 (or an Excel date)."),
    ("Sex", "female, male or blank: helps decide whose a shared surname is."),
    ("Identifier kind", f"One of: {KIND_NAMES}. One identifier per row."),
    ("Identifier value", "The identifier as recorded. One that does not look right (a check "
                         "digit that fails) is kept as typed, with a warning."),
]


def register_template_csv() -> str:
    return TABLE.template_csv()


def register_template_xlsx() -> bytes:
    return TABLE.template_xlsx(widths=(18, 14, 28, 28, 14, 10, 22, 34), guidance=GUIDANCE,
                               formats={5: "DD/MM/YYYY"}, rows=1000)
