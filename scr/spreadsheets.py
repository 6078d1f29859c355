"""Spreadsheets in and out: reading rows and cells from CSV and XLSX files, and writing
cells a spreadsheet cannot be tricked into running, as CSV or XLSX.

Every import and export of the apps (the chronology, the register, the action plan, the
dashboard and the access log) goes through here, so each rule is written once:

- **Rows**: ``csv_rows`` (UTF-8 with or without Excel's byte-order mark, else
  Windows-1252, as Excel on Windows saves a CSV; decoded chunk by chunk, read a line at a
  time) and ``xlsx_rows`` (the zip's parts streamed through expat, openpyxl's date and
  number-format rules) yield ``(line, cells)`` with the line or row number a spreadsheet
  shows; a file that cannot be read raises ``SpreadsheetUnreadable``, whose message the
  importing app shows or replaces with its own.
- **Limits** (``Limits``): a cell, a row, the sheet, the sheets, the shared texts and the
  unpacked size, each checked as the bytes arrive; the first crossed raises
  ``SpreadsheetTooLarge`` naming it and the row, so a 100 KB file holding a 100 MB cell
  costs a few megabytes, never the whole cell.
- **Imports with headings**: ``Table`` (columns, heading row, blank rows, templates),
  ``import_upload`` (size and type of the upload), ``import_rows`` (a problem with the
  file on the form's file field) and ``ImportRefused`` (every bad row's line), for the
  chronology's and the register's imports, which keep only their columns and row rules.
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

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import IO, Any, TypeVar, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils.cell import get_column_letter
from openpyxl.utils.datetime import (
    from_excel,
)

from scr import filetypes
from scr.documents import inspect_upload
from scr.sheetreading import (
    LIMITS,
    Limits,
    SpreadsheetTooLarge,
    SpreadsheetUnreadable,
    csv_rows,
    xlsx_rows,
)
from scr.text import normalise_text

__all__ = [
    "DATE_FORMATS",
    "FORMULA_STARTS",
    "IMPORT_TYPES",
    "LIMITS",
    "ImportRefused",
    "Limits",
    "SpreadsheetTooLarge",
    "SpreadsheetUnreadable",
    "Table",
    "UnreadableDate",
    "cell_date",
    "cell_text",
    "cell_time",
    "csv_lines",
    "csv_rows",
    "import_rows",
    "import_upload",
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
R = TypeVar("R")


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


# ---------------------------------------------------------------- imports with headings


@dataclass(frozen=True)
class Table:
    """The columns of an import (the chronology's, the register's): what both read the
    same way is here, each importer keeps only its columns and its rules for a row.

    The first non-blank row names the columns (case, brackets and extra spaces ignored, so
    "Date (DD/MM/YYYY)" is "date"); blank rows are skipped; ``rows`` yields
    ``(line, {field: cell})`` for each data row. Problems with the file as a whole raise
    ``SpreadsheetUnreadable`` with the message to show."""

    # (field, heading in the template, required)
    columns: tuple[tuple[str, str, bool], ...]
    # Other headings people use for the same columns (lower case) → field.
    aliases: Mapping[str, str] = field(default_factory=dict)
    # The XLSX sheet read when the workbook has one of this name (else its first).
    sheet: str = ""
    # A heading no file may have → why (the chronology refuses a column of names).
    refuse_heading: Callable[[str, str], str] | None = None

    @property
    def headings(self) -> dict[str, str]:
        return {**{heading.lower(): name for name, heading, _ in self.columns}, **self.aliases}

    def column_map(self, header: Iterable[Any]) -> dict[int, str]:
        """Column index → field, from the heading row; refuses a file missing a required
        column or with a refused one."""
        headings = self.headings
        found: dict[int, str] = {}
        for index, cell in enumerate(header):
            heading = re.sub(r"\(.*?\)", "", normalise_text(cell_text(cell)))
            heading = re.sub(r"\s+", " ", heading).strip().lower()
            if not heading:
                continue
            refusal = self.refuse_heading(heading, cell_text(cell)) if self.refuse_heading else ""
            if refusal:
                raise SpreadsheetUnreadable(refusal)
            if heading in headings:
                found[index] = headings[heading]
        missing = [h for name, h, required in self.columns
                   if required and name not in found.values()]
        if missing:
            raise SpreadsheetUnreadable(
                "Line 1 must name the columns; this file has no " + ", ".join(
                    f"“{m}”" for m in missing) + " column. Start from the template.")
        return found

    def rows(self, upload: IO[bytes], *, xlsx: bool,
             limits: Limits = LIMITS) -> Iterator[tuple[int, dict[str, Any]]]:
        """``(line, {field: cell})`` of every non-blank data row, the line (CSV) or row
        (XLSX) number as a spreadsheet shows it."""
        columns: dict[int, str] | None = None
        read = (xlsx_rows(upload, sheet=self.sheet, limits=limits) if xlsx
                else csv_rows(upload, limits=limits))
        try:
            for line, cells in read:
                if is_blank(cells):
                    continue
                if columns is None:
                    columns = self.column_map(cells)
                    continue
                yield line, {name: (cells[i] if i < len(cells) else None)
                             for i, name in columns.items()}
        finally:
            read.close()
        if columns is None:
            raise SpreadsheetUnreadable("The file is empty: start from the template")

    def template_csv(self) -> str:
        """The headings, as the downloadable CSV template."""
        out = io.StringIO()
        csv.writer(out).writerow([heading for _, heading, _ in self.columns])
        return out.getvalue()

    def template_xlsx(self, *, widths: Iterable[int], guidance: Iterable[tuple[str, str]],
                      formats: Mapping[int, str], rows: int,
                      customise: Callable[[Any], None] | None = None) -> bytes:
        """The downloadable workbook: the headings in bold on a sheet named ``sheet``,
        the columns ``widths`` wide, the first ``rows`` rows of the columns in ``formats``
        (1-based column → number format) formatted, ``customise(sheet)`` for anything
        else (drop-down lists), and a Guidance sheet of (column, what to write)."""
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = self.sheet
        sheet.append([heading for _, heading, _ in self.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        for row in range(2, rows + 1):
            for column, number_format in formats.items():
                sheet.cell(row=row, column=column).number_format = number_format
        if customise is not None:
            customise(sheet)
        notes = book.create_sheet("Guidance")
        notes.append(["Column", "What to write"])
        for column_name, words in guidance:
            notes.append([column_name, words])
        notes.column_dimensions["B"].width = 90
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


class ImportRefused(ValidationError):
    """Nothing was imported: ``problems`` lists (line, reason) for every bad row."""

    def __init__(self, problems: list[tuple[int, str]], message: str = "") -> None:
        self.problems = problems
        lines = [f"Line {line}: {reason}" for line, reason in problems]
        super().__init__([message] if message else lines)


# libmagic calls a CSV text/csv or text/plain; anything else is refused.
IMPORT_TYPES = frozenset({filetypes.TEXT, "text/csv", filetypes.XLSX})


def import_upload(upload: File) -> tuple[IO[bytes], bool]:
    """Refuse an import over the size limit (``CHRONOLOGY_IMPORT_MAX_MB``) or of the wrong
    type (judged by its content); the file to read, and True when it is an XLSX workbook.
    What it holds once unpacked is limited while it is read (``Limits``)."""
    limit = settings.CHRONOLOGY_IMPORT_MAX_MB * 1024 * 1024
    if upload.size is not None and upload.size > limit:
        raise ValidationError({"file": f"The selected file must be smaller than "
                                       f"{settings.CHRONOLOGY_IMPORT_MAX_MB}MB"})
    try:
        found = inspect_upload(upload, allowed=IMPORT_TYPES, max_size=limit)
    except ValidationError as error:
        if error.code == "wrong_type":
            raise ValidationError({"file": "The selected file must be a CSV or an Excel "
                                           "spreadsheet (XLSX)"}) from None
        raise ValidationError({"file": error.messages}) from None
    return cast(IO[bytes], getattr(upload, "file", upload)), found.content_type == filetypes.XLSX


def import_rows(rows: Iterable[R]) -> Iterator[R]:
    """``rows`` as they are read, a problem with the file as a whole (unreadable, a limit
    crossed, no headings) raised as the form's error on the file field."""
    try:
        yield from rows
    except SpreadsheetUnreadable as error:
        raise ValidationError({"file": str(error)}) from None


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
