"""The text of an uploaded document is read once, when it is stored, and never fails the
upload (scr.doctext, scr.documents)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reviews import services
from scr import doctext, filetypes
from scr.doctext import TextStatus, document_text
from tests.search import files

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    f'<w:document xmlns:w="{files.W}"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p>'
    '</w:body></w:document>')


def read(data: bytes, content_type: str) -> doctext.Extracted:
    return document_text(io.BytesIO(data), content_type)


def test_a_pdf_is_read_with_pdftotext() -> None:
    found = read(files.pdf("The health visitor saw Kayden at home."), filetypes.PDF)
    assert found.status == TextStatus.READ
    assert "health visitor saw Kayden at home" in found.text


def test_a_docx_is_read_paragraph_by_paragraph() -> None:
    found = read(files.docx("Strategy meeting held.", "Police did not attend."), filetypes.DOCX)
    assert found == doctext.Extracted("Strategy meeting held.\nPolice did not attend.",
                                      TextStatus.READ)


def test_an_xlsx_is_read_row_by_row_with_the_projects_streaming_reader() -> None:
    found = read(files.xlsx(["Date", "Event"], ["3 March 2026", "Home visit, child seen"]),
                 filetypes.XLSX)
    assert found.status == TextStatus.READ
    assert found.text == "Date Event\n3 March 2026 Home visit, child seen"


def test_a_docx_declaring_entities_is_refused_not_expanded() -> None:
    assert read(files.docx(body=BILLION_LAUGHS), filetypes.DOCX) == doctext.Extracted(
        "", TextStatus.UNREADABLE)


def test_a_broken_pdf_is_unreadable_and_an_image_has_no_text() -> None:
    assert read(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                filetypes.PDF).status == TextStatus.UNREADABLE
    assert read(b"\x89PNG\r\n", filetypes.PNG) == doctext.Extracted("", TextStatus.NONE)


def test_a_long_text_is_cut_at_the_limit_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doctext, "MAX_CHARS", 1_000)
    found = read(("word " * 1_000).encode(), filetypes.TEXT)
    assert found.status == TextStatus.TRUNCATED
    assert 900 < len(found.text) <= 1_000


def test_reading_stops_when_out_of_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doctext, "TIME_LIMIT", -1.0)
    assert read(files.docx("Too slow."), filetypes.DOCX).status == TextStatus.UNREADABLE


def test_control_characters_and_search_marks_are_removed() -> None:
    found = read("Visit\x00 at\ue000 home\x1b.".encode(), filetypes.TEXT)
    assert found.text == "Visit at home ."


def test_a_document_whose_text_cannot_be_read_is_stored_all_the_same(
        personas: Any, settings: Any, tmp_path: Any) -> None:
    from tests.test_permission_matrix import _review

    settings.MEDIA_ROOT = tmp_path
    p = personas
    review = _review(p, [p.police])
    request = services.evidence_request_create(by=p.manager, review=review, agency=p.police,
                                               due_on=review.aware_date + timedelta(days=60),
                                               description="IMR")
    broken = services.evidence_document_upload(by=p.police_lead, request=request, upload=(
        SimpleUploadedFile("imr.docx", files.docx(body=BILLION_LAUGHS))))
    read_one = services.evidence_document_upload(by=p.police_lead, request=request, upload=(
        SimpleUploadedFile("imr2.docx", files.docx("Chronology of contacts."))))
    broken.refresh_from_db()
    read_one.refresh_from_db()
    assert (broken.text_status, broken.text, broken.size > 0) == (TextStatus.UNREADABLE, "", True)
    assert (read_one.text_status, read_one.text) == (TextStatus.READ, "Chronology of contacts.")
