"""Chronology files: reading an agency's CSV or XLSX import row by row, the downloadable
template, and writing the merged chronology as CSV or XLSX.

Reading is pure (no database): ``read_rows`` yields ``(line, cells)`` from either format and
``parse_row`` turns one row into entry fields or the reasons it is refused, so every row
of a file is checked before anything is saved (``services.chronology_import``).

Rows, cells and dates are read, and cells written, by ``scr.spreadsheets`` (the action
plan's import and export use it too): dates always day first (31/12/2025, 31.12.2025,
2025-12-31, 31 Dec 2025, Excel dates...); 12/31/2025 is refused, never read as 31
December; two-digit years are refused (which century?). This module says what a
chronology's columns are and words the refusals.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, time
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from scr.spreadsheets import (
    SpreadsheetUnreadable,
    UnreadableDate,
    cell_date,
    cell_text,
    cell_time,
    csv_rows,
    is_blank,
    xlsx_bytes,
    xlsx_rows,
)
from scr.text import NARRATIVE_LENGTH, normalise_text

__all__ = [
    "COLUMNS",
    "ImportFileError",
    "ParsedRow",
    "export_xlsx",
    "parse_date",
    "parse_row",
    "parse_time",
    "read_rows",
    "template_csv",
    "template_xlsx",
]

# (field, heading in the template, required)
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("occurred_on", "Date", True),
    ("occurred_at", "Time", False),
    ("source", "Source", True),
    ("what_happened", "What happened", True),
    ("practitioner_role", "Practitioner role", True),
    ("child_seen", "Child seen", True),
    ("significance", "Significance", False),
)
HEADINGS = {heading.lower(): name for name, heading, _ in COLUMNS}
# Other headings agencies use for the same columns.
HEADINGS.update({"event date": "occurred_on", "date of event": "occurred_on",
                 "time of event": "occurred_at", "source document": "source",
                 "record reference": "source", "reference": "source", "event": "what_happened",
                 "details": "what_happened", "description": "what_happened",
                 "role": "practitioner_role", "practitioner": "practitioner_role",
                 "was the child seen": "child_seen", "child seen?": "child_seen",
                 "seen": "child_seen"})
SIGNIFICANCE = {"routine": "routine", "significant": "significant", "key": "key",
                "key practice episode": "key", "kpe": "key", "": "routine"}
YES = {"yes", "y", "true", "1", "seen"}
NO = {"no", "n", "false", "0", "not seen"}
MAX_LENGTHS = {"source": 300, "practitioner_role": 150, "what_happened": NARRATIVE_LENGTH}
# Why a date cell was refused (``scr.spreadsheets.UnreadableDate.problem``), in words.
DATE_PROBLEMS = {
    "not_a_date": "“{}” is not a date",
    "month_first": "“{}” is not a real date: dates are read day first (31/12/2025), never "
                   "month first",
    "two_digit_year": "“{}”: write the year in full, for example 31/12/2025",
    "unreadable": "“{}” is not a date we can read: write it day first, for example "
                  "31/12/2025 or 31 Dec 2025",
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not a table, no header, missing columns)."""


@dataclass
class ParsedRow:
    line: int
    fields: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def parse_date(value: Any) -> tuple[date | None, time | None, str]:
    """(date, time if the cell carried one, error). Day first, always
    (``scr.spreadsheets.cell_date``)."""
    try:
        day, moment = cell_date(value)
    except UnreadableDate as unreadable:
        return None, None, DATE_PROBLEMS[unreadable.problem].format(cell_text(value))
    if day is None:
        return None, None, "Enter the date"
    return day, moment, ""


def parse_time(value: Any) -> tuple[time | None, str]:
    try:
        return cell_time(value), ""
    except ValueError:
        return None, f"“{cell_text(value)}” is not a time: write it as 14:30"


def _heading_map(header: Iterable[Any]) -> dict[int, str]:
    found: dict[int, str] = {}
    for index, cell in enumerate(header):
        heading = re.sub(r"\(.*?\)", "", cell_text(cell)).strip().lower()
        heading = re.sub(r"\s+", " ", heading)
        if not heading:
            continue
        if "name" in heading.split():
            raise ImportFileError(
                f"Remove the column “{cell_text(cell)}”: a chronology records the practitioner's "
                "role, never a person's name")
        if heading in HEADINGS:
            found[index] = HEADINGS[heading]
    missing = [h for name, h, required in COLUMNS if required and name not in found.values()]
    if missing:
        raise ImportFileError("Line 1 must name the columns; this file has no " + ", ".join(
            f"“{m}”" for m in missing) + " column. Start from the template.")
    return found


def parse_row(line: int, cells: list[Any], columns: dict[int, str]) -> ParsedRow:
    """One row's entry fields, or every reason it cannot be imported."""
    row = ParsedRow(line)
    raw = {name: (cells[i] if i < len(cells) else None) for i, name in columns.items()}
    day, cell_time, error = parse_date(raw.get("occurred_on"))
    if error:
        row.errors.append(error)
    moment, time_error = parse_time(raw.get("occurred_at"))
    if time_error:
        row.errors.append(time_error)
    row.fields["occurred_on"] = day
    row.fields["occurred_at"] = moment or cell_time
    for name, heading in (("source", "the source"), ("what_happened", "what happened"),
                          ("practitioner_role", "the practitioner's role")):
        text = normalise_text(cell_text(raw.get(name)), multiline=name == "what_happened")
        if not text:
            row.errors.append(f"Enter {heading}")
        elif len(text) > MAX_LENGTHS[name]:
            row.errors.append(f"{heading.capitalize()} must be {MAX_LENGTHS[name]} characters "
                              "or fewer")
        row.fields[name] = text
    seen = raw.get("child_seen")
    seen_text = cell_text(seen).lower()
    if isinstance(seen, bool):
        row.fields["child_seen"] = seen
    elif seen_text in YES or seen_text in NO:
        row.fields["child_seen"] = seen_text in YES
    else:
        row.errors.append("Enter yes or no for “Child seen”" if not seen_text else
                          f"“{cell_text(seen)}” is not yes or no for “Child seen”")
    significance = SIGNIFICANCE.get(cell_text(raw.get("significance")).lower())
    if significance is None:
        row.errors.append(f"“{cell_text(raw.get('significance'))}” is not a significance: write "
                          "routine, significant or key practice episode")
    row.fields["significance"] = significance
    return row


def _rows(upload: IO[bytes], *, xlsx: bool) -> Iterator[tuple[int, list[Any]]]:
    try:
        yield from xlsx_rows(upload, sheet="Chronology") if xlsx else csv_rows(upload)
    except SpreadsheetUnreadable as unreadable:
        raise ImportFileError(str(unreadable)) from None


def read_rows(upload: IO[bytes], *, xlsx: bool) -> Iterator[ParsedRow]:
    """Every non-blank data row of the file, parsed, with its line (CSV) or row (XLSX)
    number as a spreadsheet shows it. Raises ``ImportFileError`` for the file as a whole."""
    columns: dict[int, str] | None = None
    for line, cells in _rows(upload, xlsx=xlsx):
        if is_blank(cells):
            continue
        if columns is None:
            columns = _heading_map(cells)
            continue
        yield parse_row(line, cells, columns)
    if columns is None:
        raise ImportFileError("The file is empty: start from the template")


# ---------------------------------------------------------------- template and export

TEMPLATE_HEADINGS = [heading for _, heading, _ in COLUMNS]
GUIDANCE = [
    ("Date", "Day first: 31/12/2025, 2025-12-31 or 31 Dec 2025 (or an Excel date). Required."),
    ("Time", "Where known, as 14:30. An entry without a time is listed first on its day."),
    ("Source", "The document or record it comes from, e.g. 'GP record, consultation note'."),
    ("What happened", "What happened and what was done. Required."),
    ("Practitioner role", "The role, e.g. 'Health visitor'. Never a person's name."),
    ("Child seen", "yes or no: did a professional see the child?"),
    ("Significance", "routine (if blank), significant or key practice episode."),
]


def template_csv() -> str:
    out = io.StringIO()
    csv.writer(out).writerow(TEMPLATE_HEADINGS)
    return out.getvalue()


def template_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Chronology"
    sheet.append(TEMPLATE_HEADINGS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFG", (14, 8, 30, 60, 24, 11, 22), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in range(2, 2001):
        sheet.cell(row=row, column=1).number_format = "DD/MM/YYYY"
        sheet.cell(row=row, column=2).number_format = "HH:MM"
    seen = DataValidation(type="list", formula1='"yes,no"', allow_blank=False)
    significance = DataValidation(type="list", allow_blank=True,
                                  formula1='"routine,significant,key practice episode"')
    sheet.add_data_validation(seen)
    sheet.add_data_validation(significance)
    seen.add("F2:F2000")
    significance.add("G2:G2000")
    guidance = book.create_sheet("Guidance")
    guidance.append(["Column", "What to write"])
    for column, words in GUIDANCE:
        guidance.append([column, words])
    guidance.column_dimensions["B"].width = 90
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_xlsx(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    """The merged chronology as a workbook (``scr.spreadsheets.xlsx_bytes``: streamed,
    every cell defused like the CSV exports)."""
    return xlsx_bytes("Chronology", header, rows)
