"""Hostile spreadsheets, built as an attacker would: small uploads that inflate to far more
than they are (issue 18, finding 2). Each is written straight into a zip a chunk at a
time, so building one takes little memory. Shared by tests/scr/test_spreadsheet_limits.py
and benchmarks/spreadsheet_limits.py (which builds them at the pen test's sizes)."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable, Iterator

from django.core.files.uploadedfile import SimpleUploadedFile

MB = 1024 * 1024
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/></Types>')
HEADER = ["Date", "Time", "Source", "What happened", "Practitioner role", "Child seen",
          "Significance"]


def _write(archive: zipfile.ZipFile, name: str, chunks: Iterable[bytes] | str) -> None:
    with archive.open(name, "w", force_zip64=True) as part:
        for chunk in ([chunks.encode()] if isinstance(chunks, str) else chunks):
            part.write(chunk)


def inline_row(number: int, texts: Iterable[str]) -> bytes:
    cells = "".join(f'<c t="inlineStr"><is><t>{text}</t></is></c>' for text in texts)
    return f'<row r="{number}">{cells}</row>'.encode()


def header_row() -> bytes:
    return inline_row(1, HEADER)


def workbook(rows: Iterable[bytes], *, shared: Iterable[bytes] | None = None,
             sheets: int = 1, level: int = 1) -> bytes:
    """An XLSX file (what libmagic and our type check call a spreadsheet) whose first
    sheet's ``<sheetData>`` is ``rows``, with a shared-strings table of ``shared``
    (``<si>`` elements) if given, and ``sheets`` sheets named in the workbook (all the same
    part: only the names cost the reader anything)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        _write(archive, "[Content_Types].xml", CONTENT_TYPES)
        _write(archive, "_rels/.rels",
               f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
               f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        names = "".join(f'<sheet name="Chronology{n or ""}" sheetId="{n + 1}" r:id="rId1"/>'
                        for n in range(sheets))
        _write(archive, "xl/workbook.xml",
               f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>{names}</sheets></workbook>')
        parts = (f'<Relationship Id="rId1" Type="{RELS}/worksheet" '
                 'Target="worksheets/sheet1.xml"/>')
        if shared is not None:
            parts += (f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" '
                      'Target="sharedStrings.xml"/>')
            _write(archive, "xl/sharedStrings.xml",
                   _wrapped(f'<sst xmlns="{MAIN}">', shared, "</sst>"))
        _write(archive, "xl/_rels/workbook.xml.rels",
               f'<Relationships xmlns="{PACKAGE_RELS}">{parts}</Relationships>')
        _write(archive, "xl/worksheets/sheet1.xml",
               _wrapped(f'<worksheet xmlns="{MAIN}"><sheetData>', rows,
                        "</sheetData></worksheet>"))
    return out.getvalue()


def _wrapped(start: str, middle: Iterable[bytes], end: str) -> Iterator[bytes]:
    yield start.encode()
    yield from middle
    yield end.encode()


def repeated(piece: bytes, total: int) -> Iterator[bytes]:
    """``total`` bytes of ``piece`` over and over, a megabyte at a time."""
    block = piece * max(1, MB // len(piece))
    while total > 0:
        yield block[:total]
        total -= len(block)


def huge_cell(size: int) -> bytes:
    """The pen test's file: a heading row, then one row whose "What happened" is ``size``
    characters (a 100 MB cell zips to about 100 KB)."""
    def rows() -> Iterator[bytes]:
        yield header_row()
        yield b'<row r="2"><c r="D2" t="inlineStr"><is><t>'
        yield from repeated(b"A", size)
        yield b"</t></is></c></row>"
    return workbook(rows(), level=9)


def huge_shared_string(size: int) -> bytes:
    """One ``size``-character text in the shared-strings table (as Excel and openpyxl
    store text), used once."""
    def shared() -> Iterator[bytes]:
        yield b"<si><t>"
        yield from repeated(b"A", size)
        yield b"</t></si>"
    return workbook([header_row(), b'<row r="2"><c r="D2" t="s"><v>0</v></c></row>'],
                    shared=shared(), level=9)


def many_rows(count: int) -> bytes:
    """``count`` rows of one short cell each."""
    def rows() -> Iterator[bytes]:
        yield header_row()
        for number in range(2, count + 2):
            yield f'<row r="{number}"><c r="A{number}"><v>1</v></c></row>'.encode()
    return workbook(rows())


def many_sheets(count: int) -> bytes:
    return workbook([header_row()], sheets=count)


def many_shared_strings(count: int) -> bytes:
    """A shared-strings table of ``count`` one-letter texts (a million Python strings
    would be 60 MB; the table itself zips to almost nothing)."""
    return workbook([header_row()], shared=repeated(b"<si><t>x</t></si>", 17 * count))


def reused_shared_string(size: int, rows: int, cells: int = 7) -> bytes:
    """One ``size``-character text used in ``cells`` cells of each of ``rows`` rows: a small
    file whose cells, once read, hold ``cells * size * rows`` characters."""
    def sheet() -> Iterator[bytes]:
        yield header_row()
        for number in range(2, rows + 2):
            yield (f'<row r="{number}">' + '<c t="s"><v>0</v></c>' * cells + "</row>").encode()
    return workbook(sheet(), shared=[b"<si><t>" + b"A" * size + b"</t></si>"])


def far_column() -> bytes:
    """A cell beyond column XFD, the last a spreadsheet has."""
    return workbook([header_row(), b'<row r="2"><c r="XFE2"><v>1</v></c></row>'])


def entity_expansion() -> bytes:
    """XML that declares entities ("billion laughs"): refused, never expanded."""
    doctype = ('<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
               '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>')
    sheet = (f'{doctype}<worksheet xmlns="{MAIN}"><sheetData>{header_row().decode()}'
             '<row r="2"><c t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>')
    return _replace_part(workbook([header_row()]), "xl/worksheets/sheet1.xml", sheet.encode())


def _replace_part(data: bytes, name: str, body: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, body if info.filename == name else source.read(info))
    return out.getvalue()


def ratio_bomb(size: int) -> bytes:
    """A sheet of ``size`` bytes of spaces between two rows: deflate squeezes it about a
    thousand times, and the zip says so honestly in its directory."""
    def rows() -> Iterator[bytes]:
        yield header_row()
        yield from repeated(b" ", size)
    return workbook(rows(), level=9)


def lying_ratio_bomb(size: int, declared: int = 1024) -> bytes:
    """``ratio_bomb``, its zip directory claiming the sheet is ``declared`` bytes once
    inflated: a reader that trusts the claim, or does not stop at it, inflates all of it."""
    data = bytearray(ratio_bomb(size))
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) != -1:  # each central directory entry
        name_length = struct.unpack("<H", data[at + 28:at + 30])[0]
        if data[at + 46:at + 46 + name_length] == b"xl/worksheets/sheet1.xml":
            data[at + 24:at + 28] = struct.pack("<I", declared)  # its uncompressed size
        at += 4
    return bytes(data)


def csv_upload(data: bytes, name: str = "chronology.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def xlsx_upload(data: bytes, name: str = "chronology.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def csv_huge_field(size: int) -> bytes:
    """A heading line, then a row whose "What happened" is ``size`` characters on one line."""
    return (",".join(HEADER) + "\r\n01/01/2025,,Log," + "A" * size + ",PC,yes,\r\n").encode()


def csv_huge_quoted_field(lines: int) -> bytes:
    """A row whose quoted "What happened" runs over ``lines`` short lines: no line is
    long, the record is."""
    return (",".join(HEADER) + '\r\n01/01/2025,,Log,"' + "A\r\n" * lines
            + '",PC,yes,\r\n').encode()
