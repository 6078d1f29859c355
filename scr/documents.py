"""Secure documents: storing a new version of an uploaded file, and sending it back.

Every app that keeps files (evidence, report drafts, minutes, evidence of impact)
subclasses ``scr.models.StoredDocument`` and uses the two functions here, so each rule
is written once:

- ``document_store_version`` refuses an empty file, a file over the subclass's size
  limit and a type outside its allow-list (judged by libmagic from the content, see
  ``scr.filetypes``), computes the SHA-256 while reading the file in chunks, and stores
  the file through Django's storage API (a random name under MEDIA_ROOT by default, or
  any django-storages backend; MEDIA_ROOT is never served as static files) with the
  next version number, in one transaction;
- ``document_response`` checks the caller's scope (outside it: 404) and sends the
  document through ``file_response``, the one way any stored file leaves (documents,
  minutes, report and action-plan PDFs, the published library): the file is read from
  storage in blocks (never whole) into a spooled copy while its SHA-256 is computed, and
  only a copy whose digest is the one recorded when it was stored is sent (so the bytes
  sent are the bytes checked, on local disk or S3, with no window between check and
  send); then the access event, and the copy streamed as an attachment with a safe name
  and the headers every download carries (``attachment``: a sandboxing
  Content-Security-Policy, ``nosniff``, ``no-store``), which the generated exports
  (CSV, XLSX) carry too. A file that is missing or altered is refused with a clear page
  (``file_refused.html``), an ``integrity`` access event naming the file and who asked,
  and an error on the ``scr.security`` logger;
- ``document_withdraw`` / ``document_restore`` hide a version from the pages with a
  reason, and undo that: nothing a user reaches overwrites or deletes a stored file (a
  replacement is the next version);
- ``store_file`` is the one way a file is written into a record's file field (uploads,
  renders, the published PDF): a full volume (``ENOSPC``, a quota's ``EDQUOT``, a size
  limit's ``EFBIG``) leaves no partial file behind and raises ``StorageFull``, which an
  upload turns into a message on its form, the same for every upload; the row is written
  only after the file, in the same transaction, so there is never a row without its file.

Each version's text is read once as it is stored (``scr.doctext``: PDF, DOCX, ODT, XLSX,
CSV, plain text; bounded in size and time) into ``text`` beside it, for search; a file
whose text cannot be read is stored all the same, its ``text_status`` saying so.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, models, transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.http import content_disposition_header

from scr import doctext, filetypes
from scr.accesslog import record_access
from scr.history import save_with_history, withdraw_with_history
from scr.models import AccessEvent, StoredDocument
from scr.rules import fresh_locked, require_reason

logger = logging.getLogger(__name__)
D = TypeVar("D", bound=StoredDocument)
# The volume (or a quota, or a file size limit) is full.
FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
STORAGE_FULL_MESSAGE = ("The selected file could not be saved because the document store is "
                        "full. Nothing was saved. Try again later, and tell your business "
                        "manager if it happens again")
R = TypeVar("R", bound=HttpResponseBase)

# A downloaded file is never a page: no script, no style, no frame, no form, whatever
# a browser makes of it.
SANDBOX = "default-src 'none'; sandbox"
# A verified copy stays in memory up to this size, then spills to a temporary file.
SPOOL_IN_MEMORY = 1024 * 1024

security_log = logging.getLogger("scr.security")


@dataclass(frozen=True)
class Inspection:
    content_type: str
    size: int
    sha256: str


def sha256_of(file: File) -> str:
    """The SHA-256 of a file, read in chunks (a large upload never sits in memory)."""
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def inspect_upload(file: File, *, allowed: frozenset[str], max_size: int,
                   name: str | None = None) -> Inspection:
    """Size, type by content and SHA-256 of an upload, or a ``ValidationError`` saying why
    it is refused (in the GOV.UK design system's words for file uploads): empty, too
    large, a type outside ``allowed``, encrypted, with macros, or a declared ``name``
    (by default the upload's own) whose extension disagrees with the content."""
    digest = hashlib.sha256()
    head = b""
    size = 0
    file.seek(0)
    for chunk in file.chunks():
        if len(head) < filetypes.SNIFF_BYTES:
            head += chunk[: filetypes.SNIFF_BYTES - len(head)]
        size += len(chunk)
        if size > max_size:
            raise ValidationError(
                f"The selected file must be smaller than {max_size // (1024 * 1024)}MB",
                code="too_large")
        digest.update(chunk)
    file.seek(0)
    if size == 0:
        raise ValidationError("The selected file is empty", code="empty")
    name = (file.name or "") if name is None else name
    try:
        content_type = filetypes.inspect_container(file, filetypes.sniff(head), head)
    except filetypes.Refused as refused:
        raise ValidationError(refused.message, code=refused.code) from None
    content_type = filetypes.text_type(content_type, name)
    if content_type not in allowed:
        raise ValidationError(
            f"The selected file must be a {filetypes.describe(allowed)}",
            code="wrong_type", params={"found": content_type})
    problem = filetypes.extension_problem(name, content_type)
    if problem:
        raise ValidationError(problem, code="wrong_extension",
                              params={"found": content_type})
    return Inspection(content_type=content_type, size=size, sha256=digest.hexdigest())


class StorageFull(OSError):
    """The document store has no room for a file; nothing of it was kept."""


def store_file(field_file: FieldFile, filename: str, content: File) -> str:
    """Write ``content`` into ``field_file``'s storage under the field's storage name for
    ``filename`` (not saving the row: the caller does, afterwards, in its transaction).
    Whatever the failure, no partial file is left; a full volume is ``StorageFull``."""
    name = field_file.field.generate_filename(field_file.instance, filename)
    storage = field_file.storage
    try:
        saved = storage.save(name, content, max_length=field_file.field.max_length)
    except OSError as error:
        try:
            if storage.exists(name):
                storage.delete(name)
        except OSError:
            logger.exception("Could not remove the partial file %s", name)
        if error.errno in FULL:
            logger.error("Document store full: %s not stored (%s)", filename, error)
            raise StorageFull(error.errno, "The document store is full") from error
        raise
    field_file.name = saved
    setattr(field_file.instance, field_file.field.attname, saved)
    field_file._committed = True  # type: ignore[attr-defined]
    return saved


def document_store_version(*, model: type[D], by: Any, upload: File, reason: str = "",
                           **logical_key: Any) -> D:
    """Store ``upload`` as the next version of the logical document named by
    ``logical_key`` (the subclass's ``LOGICAL_KEY`` fields), in one transaction."""
    if set(logical_key) != set(model.LOGICAL_KEY):
        raise TypeError(f"{model.__name__} versions are numbered per {model.LOGICAL_KEY}")
    found = inspect_upload(upload, allowed=model.ALLOWED_TYPES, max_size=model.max_size())
    original = filetypes.clean_original_name(upload.name or "")
    # Read before the transaction (bounded in size and time; never fails the upload).
    extracted = doctext.document_text(upload, found.content_type)
    try:
        with transaction.atomic():
            # Lock this document's versions so two uploads in turn get 2 and 3, not 2 twice.
            versions = model._default_manager.select_for_update().filter(**logical_key)
            latest = max(versions.values_list("version", flat=True), default=0)
            document = model(**logical_key, original_filename=original,
                             content_type=found.content_type, size=found.size,
                             sha256=found.sha256, version=latest + 1, uploaded_by=by,
                             text=extracted.text, text_status=extracted.status)
            store_file(document.file, original, upload)
            try:
                save_with_history(document, by=by, reason=reason or "new version uploaded")
            except BaseException:
                document.file.delete(save=False)
                raise
    except StorageFull:
        raise ValidationError(STORAGE_FULL_MESSAGE, code="storage_full") from None
    except IntegrityError:
        # Two first versions at once: there was no row to lock. One of them wins.
        raise ValidationError("Someone else uploaded a version at the same time: try again",
                              code="conflict") from None
    return document


def attachment(response: R, filename: str) -> R:
    """``response`` as a download: an attachment named ``filename`` made safe (no path,
    ASCII, the extension of the response's type: ``filetypes.safe_filename``), never
    sniffed as another type, never stored by a browser or proxy, and sandboxed. Every
    download carries these headers (tests/test_downloads.py walks them all)."""
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    response["Content-Disposition"] = content_disposition_header(
        True, filetypes.safe_filename(filename, content_type))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = SANDBOX
    return response


def verified_copy(stored: FieldFile, sha256: str) -> tuple[IO[bytes] | None, str, str]:
    """A copy of ``stored`` whose SHA-256 is ``sha256``, rewound, or ``None`` and why not
    (with the digest found, empty when nothing could be read).

    The file is read from storage once, in blocks, into a spooled temporary file while
    the digest is computed: the copy is what is sent, so a file changed on storage
    between the check and the send cannot slip through, and a large file never sits in
    memory. Any failure to read it (missing on disk, missing in the bucket, storage
    refusing) is a refusal too, named in the reason: the user gets the same clear page."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 (returned)
    digest = hashlib.sha256()
    try:
        with stored.open("rb") as source:
            for chunk in source.chunks():
                digest.update(chunk)
                spool.write(chunk)
    except Exception as failed:  # whatever the storage raises, the file cannot be sent
        spool.close()
        return None, f"missing or unreadable ({type(failed).__name__})", ""
    found = digest.hexdigest()
    if not sha256 or found != sha256:
        spool.close()
        return None, "does not match its SHA-256", found
    spool.seek(0)
    return spool, "", found


def file_response(request: HttpRequest, stored: FieldFile, *, sha256: str, filename: str,
                  content_type: str, logged: models.Model, label: str = "") -> HttpResponseBase:
    """Send a stored file to a user the caller has checked may have it, if it is still the
    file recorded (``sha256``, computed when it was stored): the access event first (a
    download of ``logged``), then the verified copy streamed in blocks by ``FileResponse``
    (which closes it), as an ``attachment``. A missing or altered file is refused with the
    clear page (status 500: the service, not the user, is at fault), logged as an
    ``integrity`` access event naming the file and on the ``scr.security`` logger."""
    copy, problem, found = verified_copy(stored, sha256)
    if copy is None:
        who = getattr(getattr(request, "user", None), "username", "") or "anonymous"
        security_log.error("Stored file %s (%r, %s %s) %s (recorded %s, found %s): refused to "
                           "%s at %s", stored.name, filename, logged._meta.label, logged.pk,
                           problem, sha256 or "none", found or "nothing", who,
                           request.get_full_path())
        record_access(request, AccessEvent.Action.INTEGRITY, logged,
                      describe=f"{filename} [{stored.name}]: {problem}")
        return render(request, "file_refused.html", {"filename": filename}, status=500)
    record_access(request, AccessEvent.Action.DOWNLOAD, logged, label=label)
    return attachment(FileResponse(copy, content_type=content_type), filename)


def document_response(request: HttpRequest, document: StoredDocument,
                      scope_check: Callable[[Any, StoredDocument], bool]) -> HttpResponseBase:
    """Send a stored document to a user who may see it; 404 for one who may not.

    ``scope_check(user, document)`` is the owning app's rule (usually "is the record it
    belongs to in ``for_user(user, 'view')``"); it runs before anything is logged or read.
    """
    if not scope_check(request.user, document):
        raise Http404
    return file_response(request, document.file, sha256=document.sha256,
                         filename=document.original_filename,
                         content_type=document.content_type, logged=document)


@transaction.atomic(savepoint=False)
def document_withdraw(*, document: D, by: Any, reason: str) -> D:
    """Hide one version from the pages, with a reason; the file and its row stay (and
    ``document_restore`` undoes it). Runs in the caller's transaction (the owning app's
    service is the durable one)."""
    return withdraw_with_history(document, by=by, reason=reason,
                                 already="This document is already withdrawn.",
                                 missing_reason="Enter the reason for withdrawing the document",
                                 history_reason="Document withdrawn: {reason}")


@transaction.atomic(savepoint=False)
def document_restore(*, document: D, by: Any, reason: str) -> D:
    """Undo a withdrawal, with a reason."""
    reason = require_reason(reason, "Enter the reason for restoring the document")
    stored = fresh_locked(document)
    if stored.withdrawn_at is None:
        raise ValidationError("This document is not withdrawn. Nothing was changed.")
    stored.withdrawn_at = None
    stored.withdrawn_reason = ""
    save_with_history(stored, by=by, reason=f"Document restored: {reason}")
    document.refresh_from_db()
    return document
