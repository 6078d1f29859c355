"""Render records: every PDF is a ``RenderRecord`` that moves queued → running → done or
failed, rendered by a Celery task on the ``pdf`` queue.

An app registers what a ``kind`` of render turns into HTML (``register_renderer`` in its
``AppConfig.ready``: a function from the target record to HTML, already pseudonymised
where it must be), then asks for a render with ``render_request``. The record is
created in the caller's transaction and the task is queued on commit, so a worker
never looks for a record that is not there yet.

The task may be delivered twice (Redis redelivers an unacknowledged task after the
visibility timeout; a worker may die mid-render), so ``render_run`` is idempotent:
the status moves under ``select_for_update`` and only a queued record, or a running one
whose renderer is gone, is rendered; a second delivery of a done or failed record does
nothing. "Gone" is known, not guessed, on PostgreSQL: whoever renders a record holds a
session-level advisory lock on it for the whole render, and the server releases it the
moment that worker's connection dies (a SIGKILL included). A worker killed mid-render
leaves its record running; the delivery that comes back (at once from the pool's parent,
``reject_on_worker_lost``; after the visibility timeout from Redis when the whole worker
died) takes the free lock and renders it, and a duplicate delivery while the first still
renders finds the lock held and does nothing. Elsewhere (SQLite, the embedded default,
where tasks run in-process) a running record is retaken once it is older than the
task's time limit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.utils import timezone

from scr.documents import StorageFull, sha256_of, store_file
from scr.history import save_with_history
from scr.models import RenderRecord
from scr.outbox import enqueue
from scr.pdf import html_to_pdf

if TYPE_CHECKING:
    from scr.http import User

logger = logging.getLogger(__name__)

# The render task's hard time limit; a record running for longer lost its worker.
RENDER_TIME_LIMIT = 300
# The advisory lock's first key: "render" (the second is the record's id).
RENDER_LOCK_SPACE = 0x52454E44
# The target is whatever record the kind renders (a generic foreign key): each renderer
# takes its own model (a report snapshot, an action plan).
Renderer = Callable[[Any], str]
AfterRender = Callable[[RenderRecord], object]
# A digest of everything outside the target that the HTML is made from (a report's register
# and the decisions about it): stored on the record, compared later.
Inputs = Callable[[Any], str]
_RENDERERS: dict[str, Renderer] = {}
_AFTER: dict[str, AfterRender] = {}
_INPUTS: dict[str, Inputs] = {}


def register_renderer(kind: str, renderer: Renderer, *, after: AfterRender | None = None,
                      inputs: Inputs | None = None) -> None:
    """Say how a ``kind`` of render turns its target into HTML (call from ``ready()``).
    ``after`` runs once the PDF is stored (a leak check reading it, say), in the task, after
    the record's own transaction; it must be idempotent (a redelivered task may repeat it).
    ``inputs`` digests what else the HTML is made from; it is read just before the HTML and
    kept on the record, so ``render_is_current`` can tell a PDF made from what has since
    changed (read before, never after: a change in between makes the stored digest differ
    from every later one, so the PDF reads as out of date, never as current)."""
    _RENDERERS[kind] = renderer
    if after is not None:
        _AFTER[kind] = after
    if inputs is not None:
        _INPUTS[kind] = inputs
    else:
        _INPUTS.pop(kind, None)


def unregister_renderer(kind: str) -> None:
    _RENDERERS.pop(kind, None)
    _AFTER.pop(kind, None)
    _INPUTS.pop(kind, None)


def render_inputs(kind: str, target: Any) -> str:
    """The digest of what a render of ``kind`` of ``target`` would be made from now ("" for
    a kind that declares no inputs)."""
    inputs = _INPUTS.get(kind)
    return inputs(target) if inputs is not None else ""


def render_is_current(record: RenderRecord) -> bool:
    """Was this render made from what its target's inputs are now? A kind with no inputs
    function is always current (its HTML depends on its target alone)."""
    if record.kind not in _INPUTS:
        return True
    return record.inputs_digest == render_inputs(record.kind, record.target)


def render_request(*, by: User, target: models.Model, kind: str) -> RenderRecord:
    """Queue a render of ``target``: one record now, the task once the caller commits."""
    if kind not in _RENDERERS:
        raise ValueError(f"No renderer is registered for {kind!r}.")
    with transaction.atomic():
        record = RenderRecord(content_type=ContentType.objects.get_for_model(target),
                              object_id=target.pk, kind=kind, created_by=by)
        save_with_history(record, by=by, reason=f"{kind} render requested")
        enqueue("scr.tasks.render_pdf", record.pk)
    return record


def _hold(record_id: int) -> bool:
    """Take the record's render lock for this session (PostgreSQL), ``False`` if another
    live session holds it. Always ``True`` elsewhere (no renderer runs beside another)."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)",
                       [RENDER_LOCK_SPACE, record_id % 2**31])
        return bool(cursor.fetchone()[0])


def _release(record_id: int) -> None:
    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)",
                           [RENDER_LOCK_SPACE, record_id % 2**31])
    except Exception:  # the connection is gone: so is the lock
        logger.warning("Render %s: its lock went with the database connection", record_id)


def _take(record_id: int) -> RenderRecord | None:
    """Move the record to running if this delivery should render it, else ``None``. A
    record returned is this session's to render: its lock is held until ``_release``."""
    with transaction.atomic():
        record = RenderRecord.objects.select_for_update().filter(pk=record_id).first()
        if record is None:
            return None
        if record.status == RenderRecord.Status.RUNNING:
            stale = (record.started_at is not None and timezone.now() - record.started_at
                     > timedelta(seconds=RENDER_TIME_LIMIT))
            orphaned = connection.vendor == "postgresql" and _hold(record.pk)
            if not (stale or orphaned):
                return None
            logger.warning("Render %s (%s): its renderer is gone; rendering it again",
                           record.pk, record.kind)
        elif record.status != RenderRecord.Status.QUEUED or not _hold(record.pk):
            return None
        record.status = RenderRecord.Status.RUNNING
        record.started_at = timezone.now()
        return save_with_history(record, by=record.created_by, reason="render started")


def _finish(record_id: int, started_at: object, **outcome: Any) -> RenderRecord | None:
    """Record the outcome, unless another delivery has taken the record over since."""
    with transaction.atomic():
        record = RenderRecord.objects.select_for_update().get(pk=record_id)
        if record.status != RenderRecord.Status.RUNNING or record.started_at != started_at:
            return None
        pdf: bytes | None = outcome.pop("pdf", None)
        if pdf is not None:
            store_file(record.file, f"{record.kind}.pdf", ContentFile(pdf))
            record.size, record.sha256 = len(pdf), sha256_of(ContentFile(pdf))
        for name, value in outcome.items():
            setattr(record, name, value)
        record.finished_at = timezone.now()
        return save_with_history(record, by=record.created_by, reason=f"render {record.status}")


def render_run(record_id: int) -> RenderRecord | None:
    """Render one record (the task's body); a delivery with nothing to do returns ``None``."""
    record = _take(record_id)
    if record is None:
        return None
    try:
        return _render(record)
    finally:
        _release(record.pk)


def _render(record: RenderRecord) -> RenderRecord | None:
    try:
        digest = render_inputs(record.kind, record.target)
        html = _RENDERERS[record.kind](record.target)
        pdf = html_to_pdf(html)
    except Exception as error:
        logger.exception("Render %s (%s) failed", record.pk, record.kind)
        return _finish(record.pk, record.started_at, status=RenderRecord.Status.FAILED,
                       error=f"{type(error).__name__}: {error}"[:2000])
    try:
        done = _finish(record.pk, record.started_at, status=RenderRecord.Status.DONE, pdf=pdf,
                       inputs_digest=digest)
    except StorageFull as full:  # nothing of the PDF kept: the record says why
        return _finish(record.pk, record.started_at, status=RenderRecord.Status.FAILED,
                       error=f"{full.strerror}: nothing of the PDF was kept. Make it again "
                             "once there is room.")
    after = _AFTER.get(record.kind)
    if done is not None and after is not None:
        try:
            after(done)
        except Exception:
            # The PDF stands; whatever ``after`` records (a leak check) is simply missing,
            # and the pages say so (a missing check never reads as "clean").
            logger.exception("After-render step of %s (%s) failed", done.pk, done.kind)
    return done
