"""Spreadsheets in and out: reading rows and cells from CSV and XLSX files, and writing
cells a spreadsheet cannot be tricked into running, as CSV or XLSX.

Every import and export of the apps (the chronology, the action plan, the dashboard and
the access log) goes through here, so each rule is written once:

- **Rows**: ``csv_rows`` (UTF-8 with or without Excel's byte-order mark, else
  Windows-1252, as Excel on Windows saves a CSV; decoded chunk by chunk) and
  ``xlsx_rows`` (openpyxl, read-only) yield ``(line, cells)`` with the line or row number
  a spreadsheet shows; a file that cannot be read raises ``SpreadsheetUnreadable``, whose
  message the importing app shows or replaces with its own.
- **Cells**: ``cell_text`` (empty for nothing, ``3`` not ``3.0``), ``cell_date`` and
  ``cell_time``. Dates are read the way people write them, always day first: 31/12/2025,
  31-12-2025, 31.12.2025, 2025-12-31, 31 Dec 2025, 31-Dec-2025, 31/Dec/2025,
  31 December 2025 (ordinals and "Sept" too, with a time after it or not), a date or
  date-and-time cell, and an Excel day number in a cell not formatted as a date.
  12/31/2025 is refused, never read as 31 December; a two-digit year is refused (which
  century?). ``UnreadableDate.problem`` says why, so each app words its own message.
- **Writing**: a cell that starts with = + - @ (or a tab or carriage return) is a formula
  to Excel and LibreOffice; text typed by anyone (a username at a failed sign-in, a path,
  a chronology entry) could carry one. ``safe_cell`` prefixes such a text with a quote;
  ``csv_lines`` (streamed) and ``xlsx_bytes`` (a write-only workbook) write every cell
  through it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Generator, Iterable
from datetime import date, datetime, time, timedelta
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils.datetime import from_excel

from scr.text import normalise_text

__all__ = [
    "DATE_FORMATS",
    "FORMULA_STARTS",
    "SpreadsheetUnreadable",
    "UnreadableDate",
    "cell_date",
    "cell_text",
    "cell_time",
    "csv_lines",
    "csv_rows",
    "is_blank",
    "safe_cell",
    "xlsx_bytes",
    "xlsx_rows",
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

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
_DAY_FIRST = "DD/MM/YYYY"
# (line or row number, cells), closable: closing stops reading and closes the file.
Rows = Generator[tuple[int, list[Any]], None, None]


class SpreadsheetUnreadable(ValueError):
    """The file as a whole cannot be read as a CSV or XLSX file (the message says why)."""


class UnreadableDate(ValueError):
    """A cell that is not a date. ``problem``: ``"not_a_date"`` (a number that is no
    Excel day), ``"month_first"`` (12/31/2025), ``"two_digit_year"`` (31/12/25) or
    ``"unreadable"``."""

    def __init__(self, value: Any, problem: str) -> None:
        super().__init__(f"“{cell_text(value)}” is not a date ({problem})")
        self.problem = problem


# ---------------------------------------------------------------- cells


def cell_text(value: Any) -> str:
    """A cell as text: empty for nothing, a whole number without its ``.0``, stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def cell_time(value: Any) -> time | None:
    """A time cell or text (14:30, 2.30pm, 2 PM, an Excel fraction of a day); ``None``
    when empty; ``ValueError`` when it is not a time."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, time):
        return value.replace(microsecond=0)
    if isinstance(value, timedelta):
        return (datetime.min + value).time()
    if isinstance(value, float) and 0 <= value < 1:  # an Excel time as a fraction of a day
        return (datetime.min + timedelta(seconds=round(value * 86400))).time()
    text = cell_text(value).upper().replace("A.M.", "AM").replace("P.M.", "PM")
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).time()
        except ValueError:
            continue
    raise ValueError(f"“{cell_text(value)}” is not a time")


def cell_date(value: Any) -> tuple[date | None, time | None]:
    """(date, the time if the cell carried one), day first always; ``(None, None)`` for an
    empty cell; ``UnreadableDate`` (with its ``problem``) for anything else."""
    if isinstance(value, datetime):
        moment = value.time()
        return value.date(), (moment if moment != time.min else None)
    if isinstance(value, date):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _EXCEL_DAYS[0] <= value <= _EXCEL_DAYS[1]:
            moment = from_excel(value)
            if isinstance(moment, datetime):
                return cell_date(moment)
        raise UnreadableDate(value, "not_a_date")
    text = cell_text(value)
    if not text:
        return None, None
    text = re.sub(r"\s+", " ", _ORDINAL.sub("", text.replace(",", " "))).strip()
    text = re.sub(r"\bsept\b", "Sep", text, flags=re.IGNORECASE)
    parsed_time = None
    joined = _DATE_AND_TIME.match(text)
    if joined:
        try:
            parsed_time = cell_time(joined["time"])
        except ValueError:
            parsed_time = None
        if parsed_time is not None:
            text = joined["date"]
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date(), parsed_time
        except ValueError:
            continue
    numeric = _NUMERIC_DATE.match(text)
    if numeric and int(numeric["month"]) > 12:
        raise UnreadableDate(value, "month_first")
    if _TWO_DIGIT_YEAR.match(text):
        raise UnreadableDate(value, "two_digit_year")
    raise UnreadableDate(value, "unreadable")


def is_blank(cells: Iterable[Any]) -> bool:
    """A row with nothing in it but white space or invisible characters."""
    return all(normalise_text(cell_text(c)) == "" for c in cells)


# ---------------------------------------------------------------- reading files


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


def csv_rows(upload: IO[bytes]) -> Rows:
    """``(line, cells)`` of every row, the line as a text editor numbers it (a cell with a
    line break spans two)."""
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
        raise SpreadsheetUnreadable(f"Line {line}: this is not a CSV file we can read "
                                    f"({error})") from None
    finally:
        text.detach()


def xlsx_rows(upload: IO[bytes], *, sheet: str = "") -> Rows:
    """``(row number, cells)`` of every row of the sheet named ``sheet`` if the workbook
    has one, else of its first sheet (cells as openpyxl reads them: text, numbers, dates)."""
    upload.seek(0)
    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise SpreadsheetUnreadable("This Excel file cannot be opened: save it again as "
                                    ".xlsx") from None
    try:
        found = book[sheet] if sheet in book.sheetnames else book.worksheets[0]
        for number, row in enumerate(found.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        book.close()


# ---------------------------------------------------------------- writing files


def safe_cell(value: Any) -> Any:
    """The value, or a text that would start a formula prefixed with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterable[str]:
    """The CSV text, line by line, for a streaming response; every cell made safe."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])


def xlsx_bytes(title: str, header: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """A workbook of one sheet: the header in bold, then the rows, every cell made safe
    (openpyxl would store '=…' as a formula) and dates shown day first. Write-only: rows
    are streamed to a temporary file, never held as cells."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    bold = Font(bold=True)
    sheet.append([_styled(sheet, heading, font=bold) for heading in header])
    for row in rows:
        sheet.append([_styled(sheet, value) if isinstance(value, date) else safe_cell(value)
                      for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _styled(sheet: Any, value: Any, *, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if isinstance(value, date):
        cell.number_format = _DAY_FIRST
    return cell
