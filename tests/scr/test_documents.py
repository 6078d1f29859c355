"""Secure documents: a file's type is judged by its content, every version is hashed and
numbered, and a download is scoped, logged and sent with safe headers."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps.registry import Apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models
from django.http import Http404
from django.test import RequestFactory

from agencies.models import Agency, User
from scr import filetypes
from scr.documents import document_response, document_store_version, inspect_upload
from scr.models import AccessEvent, StoredDocument
from scr.pdf import html_to_pdf
from tests.factories import AgencyFactory, UserFactory

# A concrete document for these tests only, in its own app registry (so no migration and
# no model the audit tests would find); its table exists only inside each test.
test_apps = Apps(["scr"])


class LeafletBase(StoredDocument):
    """An agency's leaflet; the user model is named by class, not by setting, because this
    registry does not hold the agencies app."""

    LOGICAL_KEY = ("agency",)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta(StoredDocument.Meta):
        abstract = True
        app_label = "scr"
        apps = test_apps


class AgencyLeaflet(LeafletBase):
    ALLOWED_TYPES = frozenset({filetypes.PDF, filetypes.DOCX, filetypes.TEXT})
    MAX_SIZE = 200 * 1024

    class Meta(LeafletBase.Meta):
        constraints = [models.UniqueConstraint(fields=["agency", "version"],
                                               name="tests_leaflet_version_once")]


class LeafletWithoutVersionRule(LeafletBase):
    class Meta(LeafletBase.Meta):
        pass


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def leaflets(db: None) -> Iterator[type[AgencyLeaflet]]:
    with connection.schema_editor() as editor:
        editor.create_model(AgencyLeaflet)
    yield AgencyLeaflet
    # The test's transaction rolls the table back with everything else.


@pytest.fixture(scope="module")
def real_pdf() -> bytes:
    return html_to_pdf("<h1>Agency leaflet</h1>")


def minimal_docx() -> bytes:
    """A Word document's zip layout, as Word writes it (content types first)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as docx:
        docx.writestr("[Content_Types].xml", "<Types/>")
        docx.writestr("_rels/.rels", "<Relationships/>")
        docx.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(content: bytes, name: str) -> ContentFile:
    return ContentFile(content, name=name)


# ---------------------------------------------------------------- type, size and hash


def test_a_real_pdf_is_recognised_by_its_content_and_hashed(real_pdf: bytes) -> None:
    found = inspect_upload(upload(real_pdf, "leaflet"), allowed=frozenset({filetypes.PDF}),
                           max_size=10**6)
    assert found.content_type == filetypes.PDF
    assert found.size == len(real_pdf)
    assert found.sha256 == hashlib.sha256(real_pdf).hexdigest()


def test_a_docx_is_recognised_by_its_content() -> None:
    found = inspect_upload(upload(minimal_docx(), "notes"), allowed=AgencyLeaflet.ALLOWED_TYPES,
                           max_size=10**6)
    assert found.content_type == filetypes.DOCX


def test_a_text_file_renamed_pdf_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValidationError) as refused:
        inspect_upload(upload(b"Just some notes about Kayden.\n", "report.pdf"),
                       allowed=frozenset({filetypes.PDF}), max_size=10**6)
    assert refused.value.messages == ["The selected file must be a PDF"]
    assert refused.value.params == {"found": "text/plain"}


def test_a_program_renamed_pdf_is_refused() -> None:
    program = Path("/bin/ls").read_bytes()
    with pytest.raises(ValidationError) as refused:
        inspect_upload(upload(program, "report.pdf"), allowed=AgencyLeaflet.ALLOWED_TYPES,
                       max_size=10**9)
    assert refused.value.messages == ["The selected file must be a PDF, Word document (DOCX) "
                                      "or plain text"]
    assert refused.value.params["found"].startswith("application/x-")


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(ValidationError, match="The selected file is empty"):
        inspect_upload(upload(b"", "empty.pdf"), allowed=frozenset({filetypes.PDF}), max_size=10)


def test_a_file_over_the_limit_is_refused_before_it_is_all_read(real_pdf: bytes) -> None:
    with pytest.raises(ValidationError, match="smaller than 1MB"):
        inspect_upload(upload(real_pdf * 400, "big.pdf"), allowed=frozenset({filetypes.PDF}),
                       max_size=1024 * 1024)


@pytest.mark.parametrize(("original", "content_type", "safe"), [
    ("Evidence.pdf", filetypes.PDF, "Evidence.pdf"),
    ("../../etc/passwd", filetypes.TEXT, "passwd.txt"),
    ("C:\\Users\\lead\\Chronologie d’été.docx", filetypes.DOCX, "Chronologie dete.docx"),
    ('report"; filename=evil.exe', filetypes.PDF, "report- filename-evil.pdf"),
    ("payload.exe", filetypes.PDF, "payload.pdf"),
    ("\u202egnp.exe", filetypes.PNG, "gnp.png"),
    (".pdf", filetypes.PDF, "pdf.pdf"),
    ("", filetypes.PDF, "document.pdf"),
])
def test_the_download_name_is_safe_and_carries_the_real_type(
    original: str, content_type: str, safe: str,
) -> None:
    assert filetypes.safe_filename(original, content_type) == safe


# ---------------------------------------------------------------- storing versions


def test_versions_are_numbered_per_logical_document_and_stored_through_storage(
    leaflets: type[AgencyLeaflet], real_pdf: bytes,
) -> None:
    lead, police, health = UserFactory(), AgencyFactory(), AgencyFactory()
    first = document_store_version(model=leaflets, by=lead, upload=upload(real_pdf, "Leaflet.pdf"),
                                   agency=police)
    second = document_store_version(model=leaflets, by=lead, agency=police,
                                    upload=upload(b"Corrected leaflet text\n", "Leaflet v2.txt"))
    other = document_store_version(model=leaflets, by=lead, upload=upload(real_pdf, "x.pdf"),
                                   agency=health)
    assert [first.version, second.version, other.version] == [1, 2, 1]
    assert (second.content_type, second.original_filename) == (filetypes.TEXT, "Leaflet v2.txt")
    assert second.uploaded_by == lead and second.size == len(b"Corrected leaflet text\n")
    # The storage name is random: never the uploader's filename.
    assert "Leaflet" not in first.file.name and first.file.name.startswith("documents/scr/")
    with default_storage.open(first.file.name, "rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == first.sha256


def test_a_refused_upload_stores_no_row_and_no_file(
    leaflets: type[AgencyLeaflet], media_root: Path,
) -> None:
    with pytest.raises(ValidationError):
        document_store_version(model=leaflets, by=UserFactory(), agency=AgencyFactory(),
                               upload=upload(Path("/bin/ls").read_bytes()[:100_000], "a.pdf"))
    assert not leaflets.objects.exists()
    assert [p for p in media_root.rglob("*") if p.is_file()] == []


def test_a_version_must_name_its_logical_document(leaflets: type[AgencyLeaflet]) -> None:
    with pytest.raises(TypeError, match="agency"):
        document_store_version(model=leaflets, by=UserFactory(), upload=upload(b"x\n", "a.txt"))


def test_a_document_model_without_its_version_rule_fails_the_system_check() -> None:
    # (Only scr's own check: this test registry does not hold the agencies app.)
    assert [e.id for e in LeafletWithoutVersionRule.check() if e.id.startswith("scr.")] == [
        "scr.E001"]
    assert [e.id for e in AgencyLeaflet.check() if e.id.startswith("scr.")] == []


# ---------------------------------------------------------------- downloads


def download(document: StoredDocument, user: User, allowed: bool) -> Any:
    request = RequestFactory().get(f"/leaflets/{document.pk}/download")
    request.user = user
    return document_response(request, document, lambda who, doc: allowed and who == user)


def test_a_download_is_an_attachment_with_safe_headers_and_is_logged(
    leaflets: type[AgencyLeaflet], real_pdf: bytes,
) -> None:
    lead = UserFactory()
    leaflet = document_store_version(model=leaflets, by=lead, agency=AgencyFactory(),
                                     upload=upload(real_pdf, 'Leaflet "final".pdf'))
    response = download(leaflet, lead, allowed=True)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Leaflet -final.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content) == real_pdf
    event = AccessEvent.objects.get()
    assert (event.action, event.user, event.object_type, event.object_id) == (
        AccessEvent.Action.DOWNLOAD, lead, "scr.AgencyLeaflet", str(leaflet.pk))


def test_a_download_outside_the_users_scope_is_a_404_and_reads_nothing(
    leaflets: type[AgencyLeaflet], real_pdf: bytes,
) -> None:
    leaflet = document_store_version(model=leaflets, by=UserFactory(), agency=AgencyFactory(),
                                     upload=upload(real_pdf, "a.pdf"))
    with pytest.raises(Http404):
        download(leaflet, UserFactory(), allowed=False)
    assert not AccessEvent.objects.exists()
