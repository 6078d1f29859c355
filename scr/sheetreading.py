"""Reading CSV and XLSX files as they stream, with limits (``scr.spreadsheets`` re-exports
all of it; import from there).

``csv_rows`` (UTF-8 with or without Excel's byte-order mark, else Windows-1252; decoded
chunk by chunk, read a line at a time) and ``xlsx_rows`` (the zip's parts streamed through
expat, openpyxl's date and number-format rules) yield ``(line, cells)``. Every limit
(``Limits``: a cell, a row, the sheet, the sheets, the shared texts, the unpacked size) is
checked as the bytes arrive; the first crossed raises ``SpreadsheetTooLarge`` naming it and
the row, so a 100 KB file holding a 100 MB cell costs a few megabytes, never the whole
cell. Kept apart from the cells, imports and writing of ``scr.spreadsheets`` because it is
a parser of its own (a third of the lines), with its own private state.
"""

from __future__ import annotations

import codecs
import csv
import io
import posixpath
import re
import zipfile
import zlib
from array import array
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, NoReturn
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
    from_ISO8601,
)

__all__ = ["LIMITS", "Limits", "Rows", "SpreadsheetTooLarge", "SpreadsheetUnreadable",
           "csv_rows", "xlsx_rows"]

# (line or row number, cells), closable: closing stops reading and closes the file.
Rows = Generator[tuple[int, list[Any]], None, None]


class SpreadsheetUnreadable(ValueError):
    """The file as a whole cannot be read as a CSV or XLSX file (the message says why)."""


# ---------------------------------------------------------------- limits


@dataclass(frozen=True)
class Limits:
    """How much of a spreadsheet is read before it is refused, checked while it streams:
    a file is never unpacked or held whole, so a small upload that inflates to gigabytes
    (one 100 MB cell compresses to 100 KB) stops at the first limit it crosses, having
    used a few megabytes. The defaults are above any genuine import (a 10,000-row
    chronology of 1,000-character entries is about 11 million characters) and are
    explained in docs/shared-mechanisms.md ("Size limits")."""

    # Excel's own limit for a cell: no genuine workbook has a longer one.
    cell_chars: int = 32_767
    # Eight full cells: a chronology row at every column's maximum is about 10,500.
    row_chars: int = 262_144
    # Excel's own limit (column XFD).
    row_cells: int = 16_384
    # Rows of one sheet (or lines of a CSV), blank ones included; the action plan's own
    # limit (5,000) is lower, the chronology's 10,000-row import well inside.
    sheet_rows: int = 50_000
    # Characters of text in the sheet read, shared texts counted each time they are used.
    sheet_chars: int = 25_000_000
    # Sheets named in the workbook (only one is read).
    sheets: int = 100
    # Bytes once unpacked: every part the zip declares, and every byte actually inflated.
    inflated_bytes: int = 100 * 1024 * 1024
    # Texts in the workbook's shared-strings table (it is held while the sheet is read,
    # as UTF-8 bytes, never as Python strings), and cell formats (Excel allows 64,000).
    shared_strings: int = 500_000
    formats: int = 64_000


LIMITS = Limits()


class SpreadsheetTooLarge(SpreadsheetUnreadable):
    """A limit was crossed while reading; ``limit`` names which (a ``Limits`` field)."""

    def __init__(self, message: str, *, limit: str) -> None:
        super().__init__(message)
        self.limit = limit


class _Budget:
    """The per-cell, per-row and per-sheet limits, counted as rows arrive; one object per
    sheet (or CSV) read, shared by both formats so each rule is written once."""

    def __init__(self, limits: Limits, where: Callable[[int], str]) -> None:
        self.limits = limits
        self.where = where  # "Row 12 of the sheet “Chronology”" / "Line 12"
        self.rows = 0
        self.chars = 0
        self.row_chars = 0

    def refuse(self, number: int, problem: str, limit: str) -> NoReturn:
        raise SpreadsheetTooLarge(f"{self.where(number)}: {problem}. Nothing was imported.",
                                  limit=limit)

    def row(self, number: int) -> None:
        self.rows += 1
        self.row_chars = 0
        if self.rows > self.limits.sheet_rows:
            raise SpreadsheetTooLarge(
                f"The file has more than {self.limits.sheet_rows:,} rows: split it into files "
                f"of {self.limits.sheet_rows:,} rows or fewer. Nothing was imported.",
                limit="sheet_rows")

    def column(self, number: int, column: int) -> None:
        if column > self.limits.row_cells:
            self.refuse(number, f"the row has more than {self.limits.row_cells:,} columns, "
                                "more than a spreadsheet holds", "row_cells")

    def cell(self, number: int, length: int, column: int = 0) -> None:
        if length > self.limits.cell_chars:
            where = f"column {get_column_letter(column)}: " if column else ""
            self.refuse(number, f"{where}a cell has more than {self.limits.cell_chars:,} "
                                "characters, the most a spreadsheet cell holds", "cell_chars")

    def long_row(self, number: int) -> NoReturn:
        self.refuse(number, f"the row has more than {self.limits.row_chars:,} characters",
                    "row_chars")

    def text(self, number: int, length: int) -> None:
        """``length`` more characters in this row and sheet."""
        self.row_chars += length
        self.chars += length
        if self.row_chars > self.limits.row_chars:
            self.long_row(number)
        if self.chars > self.limits.sheet_chars:
            self.refuse(number, f"the file has more than {self.limits.sheet_chars:,} "
                                "characters of text by this row: split it into smaller files",
                        "sheet_chars")


# ---------------------------------------------------------------- reading CSV


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


def csv_rows(upload: IO[bytes], *, limits: Limits = LIMITS) -> Rows:
    """``(line, cells)`` of every row, the line as a text editor numbers it (a cell with a
    line break spans two). Read a line at a time, each at most ``limits.row_chars`` long,
    so a record with a huge field is refused before it is held."""
    encoding = _encoding(upload)
    upload.seek(0)
    text = io.TextIOWrapper(upload, encoding=encoding, newline="", errors="replace")
    budget = _Budget(limits, lambda number: f"Line {number}")
    line = 1
    record = 0  # characters of the record being read, over its physical lines

    def physical_lines() -> Iterator[str]:
        nonlocal record
        while piece := text.readline(limits.row_chars + 1):
            record += len(piece)
            if record > limits.row_chars:
                budget.long_row(line)
            yield piece

    try:
        reader = csv.reader(physical_lines())
        for cells in reader:
            budget.row(line)
            budget.column(line, len(cells))
            for cell in cells:
                budget.cell(line, len(cell))
                budget.text(line, len(cell))
            yield line, cells
            line = reader.line_num + 1
            record = 0
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            budget.cell(line, limits.cell_chars + 1)
        raise SpreadsheetUnreadable(f"Line {line}: this is not a CSV file we can read "
                                    f"({error})") from None
    finally:
        text.detach()


# ---------------------------------------------------------------- reading XLSX

_UNREADABLE = "This Excel file cannot be opened: save it again as .xlsx"
_CELL_REFERENCE = re.compile(r"^([A-Z]{1,3})([0-9]+)$")
_EXCEL_ROWS = 1_048_576
_CHUNK = 16 * 1024


class _Part:
    """An XML handler: ``start``, ``end`` and ``data`` with local names (no namespace)."""

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """An element opens."""

    def end(self, name: str) -> None:
        """An element closes."""

    def data(self, text: str) -> None:
        """Text inside the current element."""


def _refuse_dtd(*_args: Any) -> NoReturn:
    # A spreadsheet's XML never declares a DTD or entities; one that does could expand
    # them ("billion laughs").
    raise SpreadsheetUnreadable(_UNREADABLE)


def _attribute(attrs: dict[str, str], local: str) -> str:
    """An attribute by its local name, whatever its namespace (``r:id``)."""
    for key, value in attrs.items():
        if key.rsplit("}", 1)[-1] == local:
            return value
    return ""


class _Workbook:
    """An XLSX file read part by part through expat, every inflated byte counted against
    ``limits.inflated_bytes`` and each zip part's declared size checked before any is
    inflated. openpyxl's date and number-format rules are reused, not its reader (which
    holds a whole cell, and the whole shared-strings table as strings, in memory)."""

    def __init__(self, upload: IO[bytes], limits: Limits) -> None:
        self.limits = limits
        self.inflated = 0
        upload.seek(0)
        try:
            self.archive = zipfile.ZipFile(upload)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise SpreadsheetUnreadable(_UNREADABLE) from None
        self.names = set(self.archive.namelist())
        declared = sum(info.file_size for info in self.archive.infolist())
        if declared > limits.inflated_bytes:
            self.archive.close()
            raise SpreadsheetTooLarge(
                f"This file would be {declared / 1024 / 1024:,.1f} MB once unpacked, more "
                f"than the {limits.inflated_bytes // 1024 // 1024} MB a spreadsheet may be: "
                "it is not an ordinary spreadsheet. Nothing was imported.",
                limit="inflated_bytes")

    def parse(self, name: str, part: _Part) -> Iterator[None]:
        """Feed the zip part ``name`` to ``part`` a chunk at a time, yielding after each."""
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.StartElementHandler = lambda tag, attrs: part.start(tag.rsplit("}", 1)[-1],
                                                                   attrs)
        parser.EndElementHandler = lambda tag: part.end(tag.rsplit("}", 1)[-1])
        parser.CharacterDataHandler = part.data
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.EntityDeclHandler = _refuse_dtd
        try:
            with self.archive.open(name) as stream:
                while chunk := stream.read(_CHUNK):
                    self.inflated += len(chunk)
                    if self.inflated > self.limits.inflated_bytes:
                        raise SpreadsheetTooLarge(
                            f"This file unpacks to more than "
                            f"{self.limits.inflated_bytes // 1024 // 1024} MB: it is not an "
                            "ordinary spreadsheet. Nothing was imported.",
                            limit="inflated_bytes")
                    parser.Parse(chunk, False)
                    yield
                parser.Parse(b"", True)
                yield
        except (expat.ExpatError, zipfile.BadZipFile, KeyError, OSError, EOFError,
                RuntimeError, NotImplementedError, zlib.error):
            raise SpreadsheetUnreadable(_UNREADABLE) from None

    def read(self, name: str, part: _Part) -> None:
        for _ in self.parse(name, part):
            pass

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """The part's relationships: id → (type, the target's path in the zip)."""
        folder, file = posixpath.split(part)
        name = posixpath.join(folder, "_rels", f"{file}.rels")
        found = _Relationships(folder)
        if name in self.names:
            self.read(name, found)
        return found.targets


class _Relationships(_Part):
    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.targets: dict[str, tuple[str, str]] = {}

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name != "Relationship" or attrs.get("TargetMode") == "External":
            return
        target = attrs.get("Target", "")
        path = (target[1:] if target.startswith("/")
                else posixpath.normpath(posixpath.join(self.folder, target)))
        if len(self.targets) < 10_000:
            self.targets[attrs.get("Id", "")] = (attrs.get("Type", ""), path)


class _Sheets(_Part):
    """workbook.xml: the sheets' names and relationship ids, and the date system."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.sheets: list[tuple[str, str]] = []
        self.epoch = CALENDAR_WINDOWS_1900

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "workbookPr" and attrs.get("date1904", "").lower() in ("1", "true"):
            self.epoch = CALENDAR_MAC_1904
        elif name == "sheet":
            self.sheets.append((attrs.get("name", ""), _attribute(attrs, "id")))
            if len(self.sheets) > self.limits.sheets:
                raise SpreadsheetTooLarge(
                    f"The workbook has more than {self.limits.sheets} sheets: keep only the "
                    "one to import. Nothing was imported.", limit="sheets")


class _Styles(_Part):
    """styles.xml: which cell formats show a date (or a duration), as openpyxl decides."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.custom: dict[int, str] = {}
        self.formats: list[int] = []
        self.in_cell_formats = False
        self.in_number_formats = False
        self.dates: set[int] = set()
        self.durations: set[int] = set()

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "numFmts":
            self.in_number_formats = True
        elif name == "numFmt" and self.in_number_formats and len(self.custom) < self.limits.formats:
            code = attrs.get("formatCode", "")[:255]
            self.custom[_whole(attrs.get("numFmtId", "0"))] = code
        elif name == "cellXfs":
            self.in_cell_formats = True
        elif name == "xf" and self.in_cell_formats:
            self.formats.append(_whole(attrs.get("numFmtId", "0")))
            if len(self.formats) > self.limits.formats:
                raise SpreadsheetTooLarge(
                    f"The file has more than {self.limits.formats:,} cell formats, more than "
                    "a spreadsheet holds. Nothing was imported.", limit="formats")

    def end(self, name: str) -> None:
        if name == "numFmts":
            self.in_number_formats = False
        if name != "cellXfs":
            return
        self.in_cell_formats = False
        for index, number in enumerate(self.formats):
            code = self.custom.get(number) or BUILTIN_FORMATS.get(number, "General")
            if is_date_format(code):
                self.dates.add(index)
            if is_timedelta_format(code):
                self.durations.add(index)


class _SharedStrings(_Part):
    """sharedStrings.xml: every text, as UTF-8 bytes in one buffer with their offsets
    (a million short texts as Python strings would take 60 MB; here, their length)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.buffer = bytearray()
        self.ends = array("Q")
        self.pieces: list[str] = []
        self.length = 0
        self.chars = 0
        self.in_text = False
        self.phonetic = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "si":
            self.pieces, self.length = [], 0
        elif name == "rPh":
            self.phonetic += 1
        elif name == "t" and not self.phonetic:
            self.in_text = True

    def data(self, text: str) -> None:
        if not self.in_text:
            return
        self.length += len(text)
        self.chars += len(text)
        if self.length > self.limits.cell_chars:
            raise SpreadsheetTooLarge(
                f"A text in the file has more than {self.limits.cell_chars:,} characters, "
                "the most a spreadsheet cell holds. Nothing was imported.", limit="cell_chars")
        if self.chars > self.limits.sheet_chars:
            raise SpreadsheetTooLarge(
                f"The file has more than {self.limits.sheet_chars:,} characters of text: "
                "split it into smaller files. Nothing was imported.", limit="sheet_chars")
        self.pieces.append(text)

    def end(self, name: str) -> None:
        if name == "t":
            self.in_text = False
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "si":
            self.buffer += "".join(self.pieces).encode()
            self.ends.append(len(self.buffer))
            self.pieces = []
            if len(self.ends) > self.limits.shared_strings:
                raise SpreadsheetTooLarge(
                    f"The file has more than {self.limits.shared_strings:,} different texts: "
                    "split it into smaller files. Nothing was imported.",
                    limit="shared_strings")

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < len(self.ends):
            raise SpreadsheetUnreadable(_UNREADABLE)
        start = self.ends[index - 1] if index else 0
        return self.buffer[start:self.ends[index]].decode()


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise SpreadsheetUnreadable(_UNREADABLE) from None


def _number(text: str) -> int | float:
    """A number cell as openpyxl reads it: a whole number unless it has a point or exponent."""
    try:
        return float(text) if any(c in text for c in ".Ee") else int(text)
    except ValueError:
        raise SpreadsheetUnreadable(_UNREADABLE) from None


class _SheetRows(_Part):
    """A worksheet's rows as they stream: each ``<row>`` becomes ``(number, cells)`` in
    ``ready`` when it closes. Every cell's text is counted as it arrives (a 100 MB cell is
    refused at 32,767 characters, never held)."""

    def __init__(self, budget: _Budget, shared: _SharedStrings, styles: _Styles,
                 epoch: datetime) -> None:
        self.budget, self.shared, self.styles, self.epoch = budget, shared, styles, epoch
        self.ready: list[tuple[int, list[Any]]] = []
        self.number = 0
        self.cells: list[Any] | None = None
        self.column = 0
        self.kind = "n"
        self.style = 0
        self.pieces: list[str] = []
        self.length = 0
        self.has_value = False
        self.in_value = False
        self.inline: bool | None = None  # None outside <is>; True inside its text
        self.phonetic = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "row":
            number = attrs.get("r")
            self.number = _whole(number) if number else self.number + 1
            if not 0 < self.number <= _EXCEL_ROWS:
                raise SpreadsheetUnreadable(_UNREADABLE)
            self.budget.row(self.number)
            self.cells, self.column = [], 0
        elif name == "c" and self.cells is not None:
            reference = _CELL_REFERENCE.match(attrs.get("r", ""))
            self.column = (column_index_from_string(reference[1]) if reference
                           else self.column + 1)
            self.budget.column(self.number, self.column)
            self.kind = attrs.get("t", "n")
            self.style = _whole(attrs.get("s", "0") or "0")
            self.pieces, self.length, self.has_value, self.inline = [], 0, False, None
        elif name == "v" and self.cells is not None:
            self.in_value, self.has_value = True, True
        elif name == "is":
            self.inline = False
        elif name == "rPh":
            self.phonetic += 1
        elif name == "t" and self.inline is not None and not self.phonetic:
            self.inline, self.has_value = True, True

    def data(self, text: str) -> None:
        if self.in_value or self.inline:
            self.length += len(text)
            self.budget.cell(self.number, self.length, self.column)
            self.pieces.append(text)

    def end(self, name: str) -> None:
        if name == "v":
            self.in_value = False
        elif name == "t" and self.inline:
            self.inline = False
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "is":
            self.inline = None
        elif name == "c" and self.cells is not None:
            value = self.value()
            if isinstance(value, str):
                self.budget.cell(self.number, len(value), self.column)
                self.budget.text(self.number, len(value))
            if self.column > len(self.cells):
                self.cells.extend([None] * (self.column - len(self.cells)))
            self.cells[self.column - 1] = value
        elif name == "row" and self.cells is not None:
            self.ready.append((self.number, self.cells))
            self.cells = None

    def value(self) -> Any:
        """The cell's value as openpyxl's ``data_only`` reading gives it."""
        text = "".join(self.pieces)
        if self.kind == "inlineStr":
            return text if self.has_value else None
        if not text:
            return None
        if self.kind == "s":
            return self.shared[_whole(text)]
        if self.kind == "b":
            return bool(_whole(text))
        if self.kind == "d":
            try:
                return from_ISO8601(text)
            except ValueError:
                return text
        if self.kind != "n":  # "str" (a formula's text), "e" (an error such as #N/A)
            return text
        number = _number(text)
        if self.style in self.styles.dates:
            try:
                return from_excel(number, self.epoch,
                                  timedelta=self.style in self.styles.durations)
            except (OverflowError, ValueError):
                return "#VALUE!"
        return number


def xlsx_rows(upload: IO[bytes], *, sheet: str = "", limits: Limits = LIMITS) -> Rows:
    """``(row number, cells)`` of every row of the sheet named ``sheet`` if the workbook
    has one, else of its first sheet (cells as openpyxl reads them: text, numbers, dates,
    without its formulas). Streamed, with ``limits`` checked as each part inflates; rows
    the sheet skips are not yielded (their numbers are)."""
    book = _Workbook(upload, limits)
    try:
        root = {kind.rsplit("/", 1)[-1]: path
                for kind, path in book.relationships("").values()}
        main = root.get("officeDocument", "xl/workbook.xml")
        sheets = _Sheets(limits)
        book.read(main, sheets)
        parts = book.relationships(main)
        by_kind = {kind.rsplit("/", 1)[-1]: path for kind, path in parts.values()}
        worksheets = [(name, parts[rid][1]) for name, rid in sheets.sheets
                      if rid in parts and parts[rid][0].endswith("/worksheet")]
        if not worksheets:
            raise SpreadsheetUnreadable(_UNREADABLE)
        name, path = next(((n, p) for n, p in worksheets if n == sheet), worksheets[0])
        styles = _Styles(limits)
        if by_kind.get("styles") in book.names:
            book.read(by_kind["styles"], styles)
        shared = _SharedStrings(limits)
        if by_kind.get("sharedStrings") in book.names:
            book.read(by_kind["sharedStrings"], shared)
        budget = _Budget(limits, lambda number: f"Row {number} of the sheet “{name}”")
        rows = _SheetRows(budget, shared, styles, sheets.epoch)
        for _ in book.parse(path, rows):
            yield from rows.ready
            rows.ready.clear()
    finally:
        book.archive.close()


