"""Evidence documents: every upload is judged by its content and refused with a clear
message (nothing stored), downloads are scoped, logged and sent safely, and a document is
never overwritten or deleted: replace makes a new version, withdraw hides it, restore
undoes that."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviews import services
from reviews.models import EvidenceDocument, EvidenceRequest
from scr import filetypes
from scr.models import AccessEvent
from scr.pdf import html_to_pdf
from tests.conftest import Personas, client_for
from tests.reviews.evidence import helpers as h
from tests.shared_db import layered


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Each test's own storage, so "nothing stored" means nothing at all."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _police_request(personas: Personas) -> EvidenceRequest:
    return h.send_imr(personas, h.evidence_review(personas))[0]


# `police_request`: made once for the module's tests (tests/shared_db.py), each test in its
# own transaction
module_layer, police_request = layered(_police_request)


@pytest.fixture(scope="module")
def real_pdf() -> bytes:
    return html_to_pdf("<h1>Police chronology</h1><p>Contacts with the family.</p>")


def stored_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT) / "documents" / "reviews"
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def attach(p: Personas, request: EvidenceRequest, content: bytes, name: str) -> EvidenceDocument:
    return services.evidence_document_upload(by=p.police_lead, request=request,
                                              upload=h.upload(content, name))


# ---------------------------------------------------------------- refused, nothing stored

REFUSED = [
    ("a Windows program renamed .pdf", h.pe_executable, "report.pdf", "must be a PDF"),
    ("a Linux program renamed .pdf", lambda: Path("/bin/ls").read_bytes(), "report.pdf",
     "must be a PDF"),
    ("an HTML page renamed .docx",
     lambda: b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
     "report.docx", "must be a PDF"),
    ("a macro-enabled Word document (.docm)", h.docm, "report.docm", "contains macros"),
    ("a macro-enabled Word document renamed .docx", h.docm, "report.docx", "contains macros"),
    ("a macro-enabled spreadsheet (.xlsm)", h.xlsm, "figures.xlsm", "contains macros"),
    ("an encrypted zip (a password-protected Word document)", h.encrypted_docx, "report.docx",
     "password-protected"),
    ("a password-protected Office file", h.encrypted_office, "report.docx",
     "password-protected"),
    ("an empty file", lambda: b"", "report.pdf", "is empty"),
    ("a Word document whose name says PDF", h.docx, "report.pdf",
     "is a Word document (DOCX) but its name ends in .pdf"),
    ("a PNG whose name says JPEG", h.png, "photo.jpg", "is a PNG image but its name ends in .jpg"),
]


@pytest.mark.parametrize(("content", "name", "message"),
                         [pytest.param(c, n, m, id=label) for label, c, n, m in REFUSED])
def test_an_upload_that_is_not_safe_is_refused_with_a_message_and_nothing_is_stored(
        personas: Personas, police_request: EvidenceRequest, content: Any, name: str,
        message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        attach(personas, police_request, content(), name)
    assert not EvidenceDocument.objects.exists()
    assert not EvidenceDocument.history.exists()  # type: ignore[attr-defined]
    assert stored_files() == []


def test_a_file_over_the_size_limit_in_settings_is_refused_before_it_is_all_read(
        personas: Personas, police_request: EvidenceRequest, settings: Any) -> None:
    settings.DOCUMENT_MAX_SIZE = 1024 * 1024
    with pytest.raises(ValidationError, match="must be smaller than 1MB"):
        attach(personas, police_request, b"A line of the chronology.\n" * 50_000, "big.txt")
    assert not EvidenceDocument.objects.exists() and stored_files() == []


def test_the_default_size_limit_is_25_megabytes() -> None:
    assert settings.DOCUMENT_MAX_SIZE == 25 * 1024 * 1024
    assert EvidenceDocument.max_size() == 25 * 1024 * 1024


ACCEPTED = [
    (h.docx, "report.docx", filetypes.DOCX), (h.xlsx, "figures.xlsx", filetypes.XLSX),
    (lambda: h.opendocument("text"), "report.odt", filetypes.ODT),
    (lambda: h.opendocument("spreadsheet"), "figures.ods", filetypes.ODS),
    (lambda: b"date,what happened\n2025-01-02,Home visit\n", "chronology.csv", filetypes.CSV),
    (lambda: b"Notes from the strategy meeting.\n", "notes.txt", filetypes.TEXT),
    (h.png, "photo.png", filetypes.PNG), (h.jpeg, "photo.jpeg", filetypes.JPEG),
    (h.docx, "no extension", filetypes.DOCX),
]


@pytest.mark.parametrize(("content", "name", "content_type"), ACCEPTED,
                         ids=[name for _, name, _ in ACCEPTED])
def test_every_allowed_type_is_accepted_by_its_content(
        personas: Personas, police_request: EvidenceRequest, content: Any, name: str,
        content_type: str) -> None:
    document = attach(personas, police_request, content(), name)
    assert document.content_type == content_type
    assert document.version == 1 and document.series == 1


def test_a_real_pdf_is_stored_under_a_random_name_with_its_hash_and_size(
        personas: Personas, police_request: EvidenceRequest, real_pdf: bytes) -> None:
    import hashlib

    document = attach(personas, police_request, real_pdf, "../../Chronologie d\u2019\u00e9t\u00e9"
                                                          "\u202e.pdf")
    assert document.original_filename == "Chronologie d\u2019\u00e9t\u00e9.pdf"
    assert "Chronologie" not in document.file.name
    assert document.file.name.startswith("documents/reviews/evidencedocument/")
    assert (document.size, document.sha256) == (len(real_pdf), hashlib.sha256(real_pdf).hexdigest())
    with default_storage.open(document.file.name, "rb") as stored:
        assert stored.read() == real_pdf


def test_the_upload_page_shows_the_refusal_on_the_form_and_stores_nothing(
        personas: Personas, police_request: EvidenceRequest) -> None:
    url = reverse("evidence_document_upload", args=[police_request.pk])
    response = client_for(personas.police_lead).post(url, {"file": SimpleUploadedFile(
        "minutes.docx", b"<html><body>not a document</body></html>", "application/msword")})
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and "The selected file must be a PDF" in page
    assert not EvidenceDocument.objects.exists() and stored_files() == []


def test_the_upload_page_stores_a_real_file(personas: Personas, police_request: EvidenceRequest,
                                            real_pdf: bytes) -> None:
    url = reverse("evidence_document_upload", args=[police_request.pk])
    response = client_for(personas.police_lead).post(url, {"file": SimpleUploadedFile(
        "chronology.pdf", real_pdf, "application/octet-stream")})
    assert response.status_code == 302
    assert EvidenceDocument.objects.get().content_type == filetypes.PDF


# ---------------------------------------------------------------- downloads

def download(user: Any, document: EvidenceDocument) -> Any:
    return client_for(user).get(reverse("evidence_document_download", args=[document.pk]))


def test_a_download_is_logged_and_sent_as_an_attachment_with_safe_headers(
        personas: Personas, police_request: EvidenceRequest, real_pdf: bytes) -> None:
    document = attach(personas, police_request, real_pdf, 'Police "final".pdf')
    response = download(personas.police_lead, document)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Police -final.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert {d.strip() for d in response["Cache-Control"].split(",")} == {"no-store", "private"}
    assert b"".join(response.streaming_content) == real_pdf
    event = AccessEvent.objects.get(action=AccessEvent.Action.DOWNLOAD)
    assert (event.user, event.object_type, event.object_id, event.review_id) == (
        personas.police_lead, "reviews.EvidenceDocument", str(document.pk),
        police_request.review_id)


def records_request(p: Personas) -> EvidenceRequest:
    return services.evidence_requests_send(
        by=p.manager, review=h.evidence_review(p), agencies=[p.police], kind="records",
        description="Custody records", due_on=h.due())[0]


def test_another_agencys_lead_and_the_board_get_a_404_and_nothing_is_logged(
        personas: Personas) -> None:
    request = records_request(personas)
    document = attach(personas, request, h.docx(), "custody.docx")
    services.evidence_request_submit(by=personas.police_lead, request=request,
                                     expected_number=0)
    assert download(personas.manager, document).status_code == 200
    for outsider in (personas.health_lead, personas.board):
        assert download(outsider, document).status_code == 404
    assert AccessEvent.objects.filter(action=AccessEvent.Action.DOWNLOAD).count() == 1


def test_a_document_not_yet_submitted_is_the_agencys_alone(personas: Personas) -> None:
    request = records_request(personas)
    document = attach(personas, request, h.docx(), "custody.docx")
    assert download(personas.police_lead, document).status_code == 200
    for others in (personas.manager, personas.reviewer, personas.panel):
        assert download(others, document).status_code == 404
    services.evidence_request_submit(by=personas.police_lead, request=request,
                                     expected_number=0)
    document.refresh_from_db()
    assert document.submission_number == 1
    assert download(personas.reviewer, document).status_code == 200
    assert download(personas.panel, document).status_code == 404  # not shared yet
    services.evidence_answer_share(by=personas.reviewer, request=request)
    assert download(personas.panel, document).status_code == 200


def test_replacing_makes_a_new_version_and_keeps_the_old_one(personas: Personas) -> None:
    request = records_request(personas)
    first = attach(personas, request, b"Custody record, first copy\n", "custody.txt")
    second = services.evidence_document_upload(
        by=personas.police_lead, request=request, replaces=first,
        upload=h.upload(b"Custody record, corrected\n", "custody.txt"))
    other = attach(personas, request, h.png(), "photo.png")
    assert (first.series, first.version) == (1, 1)
    assert (second.series, second.version) == (1, 2)
    assert (other.series, other.version) == (2, 1)
    first.refresh_from_db()
    with default_storage.open(first.file.name, "rb") as stored:
        assert stored.read() == b"Custody record, first copy\n"


def test_withdrawing_hides_a_document_with_a_reason_and_restoring_undoes_it(
        personas: Personas) -> None:
    request = records_request(personas)
    document = attach(personas, request, h.docx(), "custody.docx")
    services.evidence_request_submit(by=personas.police_lead, request=request,
                                     expected_number=0)
    with pytest.raises(ValidationError, match="reason"):
        services.evidence_document_withdraw(by=personas.police_lead, document=document,
                                            reason=" ")
    services.evidence_document_withdraw(by=personas.police_lead, document=document,
                                        reason="Wrong child's record")
    assert download(personas.reviewer, document).status_code == 404
    assert download(personas.manager, document).status_code == 200  # may restore it
    assert default_storage.exists(document.file.name)  # hidden, never deleted
    with pytest.raises(ValidationError, match="Only the agency's leads"):
        services.evidence_document_restore(by=personas.reviewer, document=document,
                                           reason="Needed after all")
    services.evidence_document_restore(by=personas.manager, document=document,
                                       reason="It was the right record")
    assert download(personas.reviewer, document).status_code == 200
    reasons = list(document.history.values_list("history_change_reason", flat=True))
    assert "Document withdrawn: Wrong child's record" in reasons
    assert "Document restored: It was the right record" in reasons


def test_no_file_can_be_attached_to_a_request_that_is_withdrawn_or_accepted(
        personas: Personas) -> None:
    request = records_request(personas)
    services.evidence_request_withdraw(by=personas.manager, request=request, reason="Not needed")
    with pytest.raises(ValidationError, match="withdrawn, so it cannot be answered"):
        attach(personas, request, h.docx(), "late.docx")
    assert stored_files() == []
