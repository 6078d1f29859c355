"""Real documents for the search tests: a PDF rendered by WeasyPrint, a DOCX and an ODT
written as Word and LibreOffice write them (zip + XML), an XLSX written by openpyxl."""

from __future__ import annotations

import io
import zipfile
from html import escape

from openpyxl import Workbook

from scr.pdf import html_to_pdf

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
    'ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '</Types>')
DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>')


def pdf(text: str) -> bytes:
    return html_to_pdf(f"<h1>Agency report</h1><p>{escape(text)}</p>")


def docx(*paragraphs: str, body: str | None = None) -> bytes:
    """A DOCX whose body holds ``paragraphs`` (or the raw XML ``body``)."""
    xml = body if body is not None else (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>'
        + "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
        + "</w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", DOCX_TYPES)
        archive.writestr("_rels/.rels", DOCX_RELS)
        archive.writestr("word/document.xml", xml)
    return out.getvalue()


def xlsx(*rows: list[object]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
