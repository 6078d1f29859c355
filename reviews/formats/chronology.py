"""Chronology files: reading an agency's CSV or XLSX import row by row, the downloadable
template, and writing the merged chronology as CSV or XLSX.

Reading is pure (no database): ``read_rows`` yields ``(line, cells)`` from either format and
``parse_row`` turns one row into entry fields or the reasons it is refused, so every row
of a file is checked before anything is saved (``services.chronology_import``).

Dates are read the way agencies write them, always day first: 31/12/2025, 31-12-2025,
31.12.2025, 2025-12-31, 31 Dec 2025, 31 December 2025 (ordinals and "Sept" too), and
Excel date cells. 12/31/2025 is refused, never read as 31 December. Two-digit years are
refused (which century?).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from scr.csvexport import safe_cell
from scr.text import normalise_text

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
MAX_LENGTHS = {"source": 300, "practitioner_role": 150}

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y",
                "%d-%b-%Y", "%d-%B-%Y", "%d/%b/%Y")
TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%H.%M", "%I:%M %p", "%I:%M%p", "%I %p", "%I%p",
                "%I.%M %p", "%I.%M%p")
_ORDINAL = re.compile(r"(?<=\d)(st|nd|rd|th)\b", re.IGNORECASE)
_DATE_AND_TIME = re.compile(r"^(?P<date>.+?)[ T](?P<time>\d{1,2}[:.]\d{2}(?::\d{2})?)$")
_NUMERIC_DATE = re.compile(r"^(?P<day>\d{1,2})[/.\-](?P<month>\d{1,2})[/.\-]\d{4}$")
_TWO_DIGIT_YEAR = re.compile(r"^\d{1,2}[/.\- ]\w+[/.\- ]\d{2}$")
# Excel's day numbers for 1 January 1900 and 31 December 9999.
_EXCEL_DAYS = (1, 2958465)


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not a table, no header, missing columns)."""


@dataclass
class ParsedRow:
    line: int
    fields: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_date(value: Any) -> tuple[date | None, time | None, str]:
    """(date, time if the cell carried one, error). Day first, always."""
    if isinstance(value, datetime):
        moment = value.time()
        return value.date(), (moment if moment != time.min else None), ""
    if isinstance(value, date):
        return value, None, ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _EXCEL_DAYS[0] <= value <= _EXCEL_DAYS[1]:
            moment = from_excel(value)
            if isinstance(moment, datetime):
                return parse_date(moment)
        return None, None, f"“{_text(value)}” is not a date"
    text = _text(value)
    if not text:
        return None, None, "Enter the date"
    text = re.sub(r"\s+", " ", _ORDINAL.sub("", text.replace(",", " "))).strip()
    text = re.sub(r"\bsept\b", "Sep", text, flags=re.IGNORECASE)
    parsed_time = None
    joined = _DATE_AND_TIME.match(text)
    if joined:
        parsed_time, _ = parse_time(joined["time"])
        if parsed_time is not None:
            text = joined["date"]
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date(), parsed_time, ""
        except ValueError:
            continue
    numeric = _NUMERIC_DATE.match(text)
    if numeric and int(numeric["month"]) > 12:
        return None, None, (f"“{_text(value)}” is not a real date: dates are read day first "
                            "(31/12/2025), never month first")
    if _TWO_DIGIT_YEAR.match(text):
        return None, None, f"“{_text(value)}”: write the year in full, for example 31/12/2025"
    return None, None, (f"“{_text(value)}” is not a date we can read: write it day first, "
                        "for example 31/12/2025 or 31 Dec 2025")


def parse_time(value: Any) -> tuple[time | None, str]:
    if value is None or value == "":
        return None, ""
    if isinstance(value, datetime):
        return value.time().replace(microsecond=0), ""
    if isinstance(value, time):
        return value.replace(microsecond=0), ""
    if isinstance(value, timedelta):
        return (datetime.min + value).time(), ""
    if isinstance(value, float) and 0 <= value < 1:  # an Excel time as a fraction of a day
        return (datetime.min + timedelta(seconds=round(value * 86400))).time(), ""
    text = _text(value).upper().replace("A.M.", "AM").replace("P.M.", "PM")
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).time(), ""
        except ValueError:
            continue
    return None, f"“{_text(value)}” is not a time: write it as 14:30"


def _heading_map(header: Iterable[Any]) -> dict[int, str]:
    found: dict[int, str] = {}
    for index, cell in enumerate(header):
        heading = re.sub(r"\(.*?\)", "", _text(cell)).strip().lower()
        heading = re.sub(r"\s+", " ", heading)
        if not heading:
            continue
        if "name" in heading.split():
            raise ImportFileError(
                f"Remove the column “{_text(cell)}”: a chronology records the practitioner's "
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
        text = normalise_text(_text(raw.get(name)), multiline=name == "what_happened")
        if not text:
            row.errors.append(f"Enter {heading}")
        elif len(text) > MAX_LENGTHS.get(name, 10_000):
            row.errors.append(f"{heading.capitalize()} must be {MAX_LENGTHS[name]} characters "
                              "or fewer")
        row.fields[name] = text
    seen = raw.get("child_seen")
    seen_text = _text(seen).lower()
    if isinstance(seen, bool):
        row.fields["child_seen"] = seen
    elif seen_text in YES or seen_text in NO:
        row.fields["child_seen"] = seen_text in YES
    else:
        row.errors.append("Enter yes or no for “Child seen”" if not seen_text else
                          f"“{_text(seen)}” is not yes or no for “Child seen”")
    significance = SIGNIFICANCE.get(_text(raw.get("significance")).lower())
    if significance is None:
        row.errors.append(f"“{_text(raw.get('significance'))}” is not a significance: write "
                          "routine, significant or key practice episode")
    row.fields["significance"] = significance
    return row


def _blank(cells: Iterable[Any]) -> bool:
    return all(_text(c) == "" for c in cells)


def _encoding(upload: IO[bytes]) -> str:
    """UTF-8 (with or without Excel's byte-order mark), else Windows-1252: a CSV saved by
    Excel on Windows. Decoded chunk by chunk, never the whole file at once."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    upload.seek(0)
    try:
        for chunk in iter(lambda: upload.read(1024 * 1024), b""):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _csv_rows(upload: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    encoding = _encoding(upload)
    upload.seek(0)
    text = io.TextIOWrapper(upload, encoding=encoding, newline="", errors="replace")
    line = 1
    try:
        reader = csv.reader(text)
        for cells in reader:
            yield line, cells
            line = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(f"Line {line}: this is not a CSV file we can read ({error})"
                              ) from None
    finally:
        text.detach()


def _xlsx_rows(upload: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    upload.seek(0)
    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError("This Excel file cannot be opened: save it again as .xlsx") from None
    try:
        sheet = book["Chronology"] if "Chronology" in book.sheetnames else book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        book.close()


def read_rows(upload: IO[bytes], *, xlsx: bool) -> Iterator[ParsedRow]:
    """Every non-blank data row of the file, parsed, with its line (CSV) or row (XLSX)
    number as a spreadsheet shows it. Raises ``ImportFileError`` for the file as a whole."""
    rows = _xlsx_rows(upload) if xlsx else _csv_rows(upload)
    columns: dict[int, str] | None = None
    for line, cells in rows:
        if _blank(cells):
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
    """A write-only workbook (rows streamed to a temporary file, not held as cells); every
    text cell defused like the CSV exports (openpyxl would store '=…' as a formula)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Chronology")
    sheet.append(header)
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
