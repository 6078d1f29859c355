"""Every stored file is checked against the SHA-256 recorded when it was stored, as it is
served (issue 18, finding 6): for every kind of stored file the project serves
(tests/downloads.py's ``STORED_FILES``, fetched as the permission matrix's first role allowed
it), the unaltered file downloads; a file altered on storage (one byte, the same length), grown,
or missing is refused with the clear page (not the generic 500), logged as an ``integrity``
access event naming the file and who asked and as an error on the ``scr.security`` logger,
and never sent. The same on the S3 storage: tests/scr/test_shared_storage.py."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.fields.files import FieldFile
from django.urls import reverse

from actionplans.models import ImpactEvidence
from reviews.models import Briefing, EvidenceDocument, MeetingMinutes, Publication
from scr.models import AccessEvent, RenderRecord
from tests import test_permission_matrix as matrix
from tests.conftest import client_for
from tests.downloads import STORED_FILES
from tests.test_permission_matrix import World

world = matrix.world  # the matrix's world of reviews, files and PDFs
shared_world, case_world = matrix.shared_world, matrix.case_world

def yearly_report_file(pk: int) -> FieldFile:
    """The yearly report's download serves its published PDF, else (to a business manager,
    the matrix's first role allowed) its latest."""
    from learning.models import YearlyReport
    from learning.selectors import latest_render

    report = YearlyReport._base_manager.get(pk=pk)
    record = report.published_render or latest_render(report)
    assert record is not None
    return record.file


# Which record each stored-file download serves: the URL's pk is that record's (or, for a
# download that serves a record's PDF, the function that finds the file).
SERVES: dict[str, type[models.Model] | Callable[[int], FieldFile]] = {
    "evidence_document_download": EvidenceDocument,
    "meeting_minutes_download": MeetingMinutes,
    "report_render_download": RenderRecord,
    "library_download": Publication,
    "action_plan_pdf_download": RenderRecord,
    "impact_evidence_download": ImpactEvidence,
    "briefing_download": Briefing,
    "briefing_render_download": RenderRecord,
    "rapid_review_report_download": RenderRecord,
    "yearly_report_download": yearly_report_file,
}
CASES = [(name, index) for name in sorted(STORED_FILES)
         for index in range(len(matrix.RULES[name]))]


def flip_last_byte(content: bytes) -> bytes:
    return content[:-1] + bytes([content[-1] ^ 0x01])


ALTERATIONS: dict[str, Callable[[bytes], bytes | None]] = {
    "one byte changed": flip_last_byte,
    "bytes appended": lambda content: content + b"\n%%EOF tampered",
    "missing": lambda content: None,
}


@contextmanager
def altered(stored: FieldFile, change: Callable[[bytes], bytes | None]) -> Iterator[None]:
    """``stored`` changed on its storage (through the storage API, so on disk or in a bucket)
    for the duration, then put back as it was (the matrix's world is shared)."""
    storage, name = stored.storage, stored.name
    assert name
    with storage.open(name, "rb") as original:
        content = original.read()
    storage.delete(name)
    new = change(content)
    try:
        if new is not None:
            assert storage.save(name, ContentFile(new)) == name
        yield
    finally:
        if storage.exists(name):
            storage.delete(name)
        assert storage.save(name, ContentFile(content)) == name


def download_case(world: World, url_name: str, case_index: int) -> tuple[Any, str, FieldFile]:
    case = matrix.RULES[url_name][case_index]
    role = next(r for r in matrix.ROLES if case.expected[r] == 200)
    kwargs = case.kwargs(world)
    serves = SERVES[url_name]
    if isinstance(serves, type):
        stored = serves._base_manager.get(pk=kwargs["pk"]).file  # type: ignore[attr-defined]
    else:
        stored = serves(kwargs["pk"])
    return world.user(role), reverse(url_name, kwargs=kwargs), stored


def test_every_stored_file_download_is_walked_here() -> None:
    assert set(SERVES) == STORED_FILES, "a stored-file download this test does not alter"


@pytest.mark.parametrize(("url_name", "case_index"), CASES, ids=[f"{n}[{i}]" for n, i in CASES])
def test_an_unaltered_stored_file_downloads_whole(world: World, url_name: str,
                                                  case_index: int) -> None:
    user, url, stored = download_case(world, url_name, case_index)
    with stored.storage.open(stored.name, "rb") as original:
        content = original.read()
    response = client_for(user).get(url)
    assert response.status_code == 200, url
    assert b"".join(response.streaming_content) == content
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.INTEGRITY).exists()


@pytest.mark.parametrize("alteration", sorted(ALTERATIONS))
@pytest.mark.parametrize(("url_name", "case_index"), CASES, ids=[f"{n}[{i}]" for n, i in CASES])
def test_an_altered_or_missing_stored_file_is_refused_with_a_clear_page_and_logged(
        world: World, url_name: str, case_index: int, alteration: str,
        caplog: pytest.LogCaptureFixture) -> None:
    user, url, stored = download_case(world, url_name, case_index)
    downloads_before = AccessEvent.objects.filter(path=url, action="download").count()
    with altered(stored, ALTERATIONS[alteration]), caplog.at_level(logging.ERROR,
                                                                  logger="scr.security"):
        response = client_for(user).get(url)
    assert response.status_code == 500, url
    assert not getattr(response, "streaming", False), "the altered file was sent"
    page = response.content.decode()
    assert "This file cannot be downloaded" in page  # the clear page, not the generic 500
    assert "no longer matches the file that was stored" in page
    assert "govuk-template" in page  # the service's own layout
    assert "no-store" in response["Cache-Control"]
    # Logged: who asked for which file, and why it was refused; no download was recorded.
    event = AccessEvent.objects.get(action=AccessEvent.Action.INTEGRITY, path=url)
    assert event.user == user and event.username == user.username
    assert stored.name in event.object_repr
    assert ("missing" if alteration == "missing" else "does not match its SHA-256") in (
        event.object_repr)
    assert AccessEvent.objects.filter(path=url, action="download").count() == downloads_before
    logged = [r.getMessage() for r in caplog.records if r.name == "scr.security"]
    assert len(logged) == 1 and stored.name in logged[0] and user.username in logged[0]

    # Put back, the same file downloads again.
    assert client_for(user).get(url).status_code == 200


@pytest.mark.django_db
def test_a_finished_render_stored_without_its_digest_gets_it_from_the_migration(
        personas: Any) -> None:
    """scr 0009: a finished render whose SHA-256 was never recorded gets the digest of the
    file as stored (so it downloads); one whose file is gone keeps none (so it is refused)."""
    import hashlib
    import importlib

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    migration = importlib.import_module("scr.migrations.0009_render_sha256_for_existing_files")
    kind = ContentType.objects.get_for_model(personas.police)
    kept, gone = (RenderRecord(content_type=kind, object_id=personas.police.pk, kind="x",
                               status=RenderRecord.Status.DONE) for _ in range(2))
    for record, pdf in ((kept, b"%PDF-1.4 kept\n"), (gone, b"%PDF-1.4 gone\n")):
        record.file.save("old.pdf", ContentFile(pdf), save=False)
        record.save()
    gone.file.storage.delete(gone.file.name)

    migration.record_missing_digests(apps, None)
    kept.refresh_from_db()
    gone.refresh_from_db()
    assert kept.sha256 == hashlib.sha256(b"%PDF-1.4 kept\n").hexdigest()
    assert gone.sha256 == ""
