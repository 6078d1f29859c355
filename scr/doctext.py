"""The text of an uploaded document, read once when it is stored, for searching.

``document_text(file, content_type)`` returns ``Extracted(text, status)``; it never raises
(``scr.documents.document_store_version`` calls it before storing a version, and a file
whose text cannot be read is stored all the same, saying so in ``status``):

- PDF: poppler's ``pdftotext`` (Debian ``poppler-utils``, as the leak check uses), in its
  own process with a time limit and at most ``MAX_PAGES`` pages, so a hostile PDF costs a
  few seconds at most and never the web process;
- DOCX and ODT: the zip's main part (``word/document.xml``, ``content.xml``) streamed
  through expat, paragraphs as lines; DTDs refused (no "billion laughs"), the inflated
  bytes counted as they arrive (no zip bomb);
- XLSX: the project's streaming reader (``scr.sheetreading.xlsx_rows``), the first sheet,
  its rows as lines of tab-separated cells, with smaller limits than an import's;
- CSV and plain text: decoded (UTF-8, else Windows-1252);
- anything else (images): nothing to read.

Every reader stops at ``MAX_CHARS`` characters (the rest is left out: ``TRUNCATED``) and at
``TIME_LIMIT`` seconds (checked as it reads); control characters are removed, so the text
shown in a highlighted search result is plain text.
"""

from __future__ import annotations

import contextlib
import logging
import re
import subprocess
import time
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, NoReturn
from xml.parsers import expat

from django.db import models

from scr import filetypes
from scr.sheetreading import Limits, SpreadsheetUnreadable, xlsx_rows

__all__ = ["MAX_CHARS", "Extracted", "TextStatus", "document_text"]

logger = logging.getLogger(__name__)

# Characters kept per document: a 60-page agency report is about 150,000. Also keeps the
# document's tsvector well inside PostgreSQL's 1 MB limit.
MAX_CHARS = 300_000
TIME_LIMIT = 10.0  # seconds per document, whatever its kind
MAX_PAGES = 300
INFLATED_BYTES = 50 * 1024 * 1024
PDFTOTEXT = "pdftotext"
_CHUNK = 16 * 1024
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000-\uf8ff]")
_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")
SHEET_LIMITS = Limits(sheet_rows=20_000, sheet_chars=MAX_CHARS * 2,
                      inflated_bytes=INFLATED_BYTES, shared_strings=200_000)


class TextStatus(models.TextChoices):
    READ = "read", "Text read"
    TRUNCATED = "truncated", "Text read in part (too long)"
    UNREADABLE = "unreadable", "Text could not be read"
    NONE = "none", "No text to read (an image)"


@dataclass(frozen=True)
class Extracted:
    text: str
    status: str


class _Stop(Exception):
    """The reader has enough (``truncated``) or ran out of time."""

    def __init__(self, truncated: bool) -> None:
        super().__init__()
        self.truncated = truncated


class _Collector:
    """Text gathered up to ``MAX_CHARS`` and ``TIME_LIMIT``."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.deadline = time.monotonic() + TIME_LIMIT

    def add(self, text: str) -> None:
        if time.monotonic() > self.deadline:
            raise TimeoutError("out of time")
        room = MAX_CHARS - self.size
        self.parts.append(text[:room])
        self.size += min(len(text), room)
        if len(text) > room:
            raise _Stop(truncated=True)

    def text(self) -> str:
        return clean("".join(self.parts))


def clean(text: str) -> str:
    """Plain text: no control characters (nor the private-use ones search marks with), runs
    of spaces as one, at most one blank line in a row."""
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _BLANK_LINES.sub("\n\n", _SPACES.sub(" ", text)).strip()


def _pdf(file: IO[bytes], into: _Collector) -> None:
    file.seek(0)
    try:
        done = subprocess.run(  # noqa: S603 (a fixed program, the file on stdin)
            [PDFTOTEXT, "-enc", "UTF-8", "-eol", "unix", "-l", str(MAX_PAGES), "-", "-"],
            input=file.read(), capture_output=True, timeout=TIME_LIMIT, check=False)
    except subprocess.TimeoutExpired:
        raise TimeoutError("pdftotext ran out of time") from None
    if done.returncode != 0:
        raise ValueError(done.stderr.decode(errors="replace")[:300])
    into.add(done.stdout.decode("utf-8", errors="replace").replace("\f", "\n\n"))


def _refuse_dtd(*_args: Any) -> NoReturn:
    raise ValueError("a DTD in a document's XML")


# Elements that end a line of text (DOCX paragraphs, table cells, breaks; ODF paragraphs).
_LINE_ENDS = frozenset({"p", "tc", "br", "cr", "h", "tab", "line-break", "table-cell"})
_TEXT = frozenset({"p", "h", "span"})  # text:p/h/span in ODF (w:t in DOCX)


def _zip_xml(file: IO[bytes], part: str, into: _Collector, *, odf: bool) -> None:
    """The text of one XML part of a zip, streamed through expat."""
    file.seek(0)
    with zipfile.ZipFile(file) as archive:
        info = archive.getinfo(part)
        if info.file_size > INFLATED_BYTES:
            raise ValueError("the document unpacks to too much")
        depth = [0]  # inside a text element (DOCX: w:t only; ODF: any text:* element)
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.EntityDeclHandler = _refuse_dtd

        def start(tag: str, _attrs: dict[str, str]) -> None:
            name = tag.rsplit("}", 1)[-1]
            if (name in _TEXT) if odf else name == "t":
                depth[0] += 1
            if name == "tab":
                into.add("\t")
            elif odf and name == "s":
                into.add(" ")

        def end(tag: str) -> None:
            name = tag.rsplit("}", 1)[-1]
            if (name in _TEXT) if odf else name == "t":
                depth[0] -= 1
            if name in _LINE_ENDS and name != "tab":
                into.add("\n")

        def data(text: str) -> None:
            if depth[0] > 0:
                into.add(text)

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = data
        inflated = 0
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                inflated += len(chunk)
                if inflated > INFLATED_BYTES:
                    raise ValueError("the document unpacks to too much")
                parser.Parse(chunk, False)
            parser.Parse(b"", True)


def _lines(rows: Iterable[tuple[int, list[Any]]]) -> Iterator[str]:
    for _number, cells in rows:
        values = [str(c) for c in cells if c not in (None, "")]
        if values:
            yield "\t".join(values) + "\n"


def _xlsx(file: IO[bytes], into: _Collector) -> None:
    rows = xlsx_rows(file, limits=SHEET_LIMITS)
    try:
        for line in _lines(rows):
            into.add(line)
    finally:
        rows.close()


def _plain(file: IO[bytes], into: _Collector) -> None:
    file.seek(0)
    raw = file.read(MAX_CHARS * 4 + 4)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    into.add(text)


_READERS = {
    filetypes.PDF: _pdf,
    filetypes.DOCX: lambda f, into: _zip_xml(f, "word/document.xml", into, odf=False),
    filetypes.ODT: lambda f, into: _zip_xml(f, "content.xml", into, odf=True),
    filetypes.XLSX: _xlsx,
    filetypes.CSV: _plain,
    filetypes.TEXT: _plain,
}


def document_text(file: IO[bytes] | Any, content_type: str) -> Extracted:
    """The searchable text of ``file`` (of the type libmagic found), and whether it was
    read whole, in part, not at all, or has none. Never raises."""
    reader = _READERS.get(content_type)
    if reader is None:
        return Extracted("", TextStatus.NONE)
    into = _Collector()
    status = TextStatus.READ
    try:
        reader(file, into)
    except _Stop:
        status = TextStatus.TRUNCATED
    except TimeoutError:
        logger.warning("Document text: out of time after %s characters", into.size)
        status = TextStatus.TRUNCATED if into.size else TextStatus.UNREADABLE
    except (ValueError, KeyError, OSError, EOFError, RuntimeError, NotImplementedError,
            zipfile.BadZipFile, zlib.error, expat.ExpatError, SpreadsheetUnreadable) as failed:
        logger.warning("Document text could not be read (%s): %s", content_type, failed)
        return Extracted("", TextStatus.UNREADABLE)
    finally:
        with contextlib.suppress(OSError, ValueError):
            file.seek(0)
    text = into.text()
    if status == TextStatus.READ and not text:
        # A scanned PDF (images only) or an empty document: nothing was found to search.
        status = TextStatus.UNREADABLE if content_type == filetypes.PDF else TextStatus.READ
    return Extracted(text, status)
