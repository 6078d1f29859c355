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


def arrange_clean_briefing(p: Any) -> Any:
    """A draft learning briefing of a published review whose anonymised render (a stand-in
    PDF made from today's inputs) was leak-checked clean: ready to publish."""
    from datetime import timedelta

    from reviews import services
    from reviews.models import BRIEFING_KIND, Briefing
    from tests.personas import publish

    today = timezone.localdate()
    review = services.review_create(
        by=p.manager, incident_date=today - timedelta(days=90),
        aware_date=today - timedelta(days=89), what_happened="Kayden Smith was injured.",
        harm="serious_harm", abuse_or_neglect="suspected", criteria_met=True,
        referring_agency=p.police, agencies_involved=[p.police])
    services.subject_add(by=p.manager, review=review, kind="child", pseudonym="Child A",
                         full_name="Kayden Smith")
    publish(review, p.manager)
    briefing = services.briefing_draft(by=p.manager, review=review)
    record = RenderRecord(content_type=ContentType.objects.get_for_model(Briefing),
                          object_id=briefing.pk, kind=BRIEFING_KIND,
                          status=RenderRecord.Status.DONE, created_by=p.manager,
                          started_at=timezone.now(), finished_at=timezone.now())
    record.file.save("briefing.pdf", ContentFile(STAND_IN_PDF), save=False)
    record.size, record.sha256 = len(STAND_IN_PDF), hashlib.sha256(STAND_IN_PDF).hexdigest()
    record.inputs_digest = render_inputs(BRIEFING_KIND, briefing)
    save_with_history(record, by=p.manager, reason="arranged")
    save_with_history(LeakCheck(review=review, render=record, pages=1, text="Child A"),
                      by=p.manager, reason="arranged")
    return briefing
