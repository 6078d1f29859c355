"""Arrange helpers for publication: a finished anonymised render of the approved version
whose leak check found nothing (no WeasyPrint: a stand-in PDF, made from today's register),
and a publication record for a review with no report (the permission matrix's published
review)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone

from reviews.models import BoardResponse, LeakCheck, Publication, ReportSnapshot, Review
from reviews.models.publication import PUBLISHED_KIND
from reviews.selectors.publication import approved_snapshot
from scr.history import save_with_history
from scr.models import RenderRecord
from scr.renders import render_inputs
from scr.workdays import add_months

STAND_IN_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PUBLISHED_TEXT = "Local Child Safeguarding Practice Review: Child A. Information sharing."


def render_of(snapshot: ReportSnapshot, by: Any, *, kind: str = PUBLISHED_KIND,
              pdf: bytes = STAND_IN_PDF) -> RenderRecord:
    record = RenderRecord(content_type=ContentType.objects.get_for_model(ReportSnapshot),
                          object_id=snapshot.pk, kind=kind, status=RenderRecord.Status.DONE,
                          created_by=by, started_at=timezone.now(), finished_at=timezone.now())
    record.file.save(f"{kind}.pdf", ContentFile(pdf), save=False)
    record.size, record.sha256 = len(pdf), hashlib.sha256(pdf).hexdigest()
    # Made from today's register and decisions (as a render run now would record).
    record.inputs_digest = render_inputs(kind, snapshot)
    return save_with_history(record, by=by, reason="arranged")


def arrange_clean_render(review: Review, by: Any, text: str = PUBLISHED_TEXT) -> RenderRecord:
    """A done anonymised render of the approved version, leak-checked clean."""
    snapshot = approved_snapshot(review)
    assert snapshot is not None, "arrange an approved version first"
    record = render_of(snapshot, by)
    save_with_history(LeakCheck(review=review, render=record, snapshot=snapshot, pages=1,
                                text=text), by=by, reason="arranged")
    return record


def arrange_publication(review: Review, by: Any, *, text: str = PUBLISHED_TEXT,
                        title: str = "Local Child Safeguarding Practice Review: Child A",
                        published_on: Any = None) -> Publication:
    """A publication record straight in the database (the review has no report)."""
    on = published_on or review.published_on or timezone.localdate()
    snapshot = save_with_history(ReportSnapshot(review=review, number=1, name="Final",
                                                revision=0, created_by=by), by=by, reason="x")
    response = save_with_history(BoardResponse(review=review, version=1,
                                               response="The board accepts the findings.",
                                               monitoring="Quarterly.", recorded_by=by),
                                 by=by, reason="arranged")
    record = render_of(snapshot, by)
    publication = Publication(review=review, render=record, snapshot=snapshot,
                              board_response=response, title=title, size=len(STAND_IN_PDF),
                              sha256=hashlib.sha256(STAND_IN_PDF).hexdigest(), text=text,
                              published_on=on, takedown_review_on=add_months(on, 12),
                              published_by=by)
    publication.file.save("published.pdf", ContentFile(STAND_IN_PDF), save=False)
    return save_with_history(publication, by=by, reason="arranged")
