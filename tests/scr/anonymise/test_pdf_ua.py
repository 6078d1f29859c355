"""Published reports are accessible PDF: tagged PDF/UA-1 with the title and language of
the HTML, headings as heading structure elements (read back with pypdf)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from scr.anonymise import leak_check
from scr.pdf import html_to_pdf
from tests.scr.anonymise.registers import FAMILY

HTML = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<title>Learning review: Child K</title></head><body>
<h1>Learning review: Child K</h1><p>Published by the partnership.</p>
<h2>Background</h2><p>Child K lived with Mother in Northtown.</p>
<h3>Agency involvement</h3><ul><li>Police</li><li>Health</li></ul>
<table><tr><th>Agency</th><th>Finding</th></tr><tr><td>Police</td><td>Slow</td></tr></table>
</body></html>"""


def _structure(node: Any, found: list[str]) -> list[str]:
    node = node.get_object()
    if "/S" in node:
        found.append(str(node["/S"]))
    kids = node.get("/K")
    if kids is None:
        return found
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if isinstance(kid, dict):
            _structure(kid, found)
    return found


@pytest.fixture(scope="module")
def reader() -> PdfReader:
    return PdfReader(io.BytesIO(html_to_pdf(HTML)))


def test_the_pdf_is_tagged_pdf_ua_1_with_a_structure_tree(reader: PdfReader) -> None:
    catalog = reader.trailer["/Root"]
    assert reader.pdf_header == "%PDF-1.7"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    metadata = catalog["/Metadata"].get_object().get_data().decode()
    assert "pdfuaid:part" in metadata and "1" in metadata.split("pdfuaid:part")[1][:5]


def test_title_and_language_come_from_the_html(reader: PdfReader) -> None:
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en-GB"
    assert reader.metadata is not None and reader.metadata.title == "Learning review: Child K"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])  # the title, not the file


def test_headings_lists_and_tables_are_structure_elements(reader: PdfReader) -> None:
    elements = _structure(reader.trailer["/Root"]["/StructTreeRoot"], [])
    assert elements[0] == "/Document"
    assert [e for e in elements if e.startswith("/H")] == ["/H1", "/H2", "/H3"]
    assert {"/P", "/L", "/LI", "/Table", "/TR", "/TH", "/TD"} <= set(elements)


def test_a_plain_render_is_still_possible_and_untagged() -> None:
    plain = PdfReader(io.BytesIO(html_to_pdf(HTML, variant=None)))
    assert "/StructTreeRoot" not in plain.trailer["/Root"]


def test_the_leak_check_reads_a_tagged_pdf_as_before(reader: PdfReader) -> None:
    assert leak_check(html_to_pdf(HTML), FAMILY) == []
    leaked = html_to_pdf(HTML.replace("Child K lived", "Amelia lived"))
    assert [(h.kind, h.text, h.page) for h in leak_check(leaked, FAMILY)] == [
        ("name", "Amelia", 1)]
