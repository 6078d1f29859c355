"""Chronology files: reading an agency's CSV or XLSX import row by row, the downloadable
template, and writing the merged chronology as CSV or XLSX.

Reading is pure (no database): ``read_rows`` yields one ``ParsedRow`` per data row,
``parse_row`` turning its cells into entry fields or the reasons it is refused, so every
row of a file is checked before anything is saved (``services.chronology_import``).

Rows (headings, blank rows, the size limits checked while the file streams), cells and
dates are read, and cells written, by ``scr.spreadsheets`` (the register's import and the
action plan's use it too): this module keeps only the chronology's ``TABLE`` of columns
and its rules for a row. Dates always day first (31/12/2025, 31.12.2025,
2025-12-31, 31 Dec 2025, Excel dates...); 12/31/2025 is refused, never read as 31
December; two-digit years are refused (which century?). This module says what a
chronology's columns are and words the refusals.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, time
from typing import IO, Any

from openpyxl.worksheet.datavalidation import DataValidation

from scr.spreadsheets import (
    Table,
    UnreadableDate,
    cell_date,
    cell_text,
    cell_time,
    xlsx_bytes,
)
from scr.text import NARRATIVE_LENGTH, normalise_text

__all__ = [
    "COLUMNS",
    "TABLE",
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
# Other headings agencies use for the same columns.
ALIASES = {"event date": "occurred_on", "date of event": "occurred_on",
           "time of event": "occurred_at", "source document": "source",
           "record reference": "source", "reference": "source", "event": "what_happened",
           "details": "what_happened", "description": "what_happened",
           "role": "practitioner_role", "practitioner": "practitioner_role",
           "was the child seen": "child_seen", "child seen?": "child_seen", "seen": "child_seen"}


def _no_names(heading: str, written: str) -> str:
    """A chronology records the practitioner's role: a column of names is refused."""
    if "name" in heading.split():
        return (f"Remove the column “{written}”: a chronology records the practitioner's "
                "role, never a person's name")
    return ""


TABLE = Table(COLUMNS, ALIASES, sheet="Chronology", refuse_heading=_no_names)
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


def parse_row(line: int, raw: dict[str, Any]) -> ParsedRow:
    """One row's entry fields (``raw``: its cells by field), or every reason it cannot be
    imported."""
    row = ParsedRow(line)
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


def read_rows(upload: IO[bytes], *, xlsx: bool) -> Iterator[ParsedRow]:
    """Every non-blank data row of the file, parsed, with its line (CSV) or row (XLSX)
    number as a spreadsheet shows it (``scr.spreadsheets.Table``: headings, blank rows,
    the size limits). Raises ``SpreadsheetUnreadable`` for the file as a whole."""
    for line, raw in TABLE.rows(upload, xlsx=xlsx):
        yield parse_row(line, raw)


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
    return TABLE.template_csv()


def _drop_down_lists(sheet: Any) -> None:
    seen = DataValidation(type="list", formula1='"yes,no"', allow_blank=False)
    significance = DataValidation(type="list", allow_blank=True,
                                  formula1='"routine,significant,key practice episode"')
    sheet.add_data_validation(seen)
    sheet.add_data_validation(significance)
    seen.add("F2:F2000")
    significance.add("G2:G2000")


def template_xlsx() -> bytes:
    return TABLE.template_xlsx(widths=(14, 8, 30, 60, 24, 11, 22), guidance=GUIDANCE,
                               formats={1: "DD/MM/YYYY", 2: "HH:MM"}, rows=2000,
                               customise=_drop_down_lists)


def export_xlsx(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    """The merged chronology as a workbook (``scr.spreadsheets.xlsx_bytes``: streamed,
    every cell defused like the CSV exports)."""
    return xlsx_bytes("Chronology", header, rows)
