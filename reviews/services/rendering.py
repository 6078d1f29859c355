"""The report's PDFs and its publication: render requests, leak-hit waivers, publishing
the clean (or waived) PDF and the takedown-review decisions."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from agencies.models import User
from agencies.roles import Role
from scr.documents import sha256_of
from scr.history import save_with_history
from scr.models import RenderRecord
from scr.renders import render_request
from scr.rules import fresh_locked, require_reason
from scr.workdays import add_months

from ..models import (
    BoardResponse,
    DismissedName,
    LeakCheck,
    LeakHit,
    Publication,
    Report,
    Review,
    Stage,
    TakedownDecision,
)
from ..models.publication import CONFIDENTIAL_KIND, PUBLISHED_KIND
from ..reportpdf import report_title
from ..selectors.publication import active_render, approved_snapshot, publishable_render
from .base import open_review_locked
from .clocks import review_refresh_clocks
from .publication import _check_publishable

__all__ = [
    "leak_hit_waive",
    "panel_notice_record",
    "publication_publish",
    "publication_takedown_decide",
    "report_render_request",
    "unregistered_name_dismiss",
]

RENDER_STAGES = (Stage.SIGN_OFF, Stage.PUBLICATION)


@transaction.atomic(durable=True)
def report_render_request(*, by: User, review: Review, kind: str) -> RenderRecord:
    """Ask for a PDF of the approved version (``kind``: published or confidential). A
    render of the same version and kind still queued or running is returned rather than
    started twice (the report's row lock makes two requests take turns)."""
    if kind not in (PUBLISHED_KIND, CONFIDENTIAL_KIND):
        raise ValidationError("Choose the anonymised or the confidential PDF.")
    stored = open_review_locked(review)
    if stored.stage not in RENDER_STAGES:
        raise ValidationError("The report's PDFs are made at the Sign-off and Publication "
                              "stages.")
    Report._base_manager.select_for_update().filter(review=stored).first()
    snapshot = approved_snapshot(stored)
    if snapshot is None:
        raise ValidationError("No version of the report has been approved yet: every "
                              "approver must approve the submitted version first.")
    existing = active_render(snapshot, kind)
    if existing is not None:
        return existing
    return render_request(by=by, target=snapshot, kind=kind)


@transaction.atomic(durable=True)
def leak_hit_waive(*, by: User, hit: LeakHit, reason: str) -> LeakHit:
    """A business manager accepts one hit (a town that is also a surname, a public date),
    with a reason kept in the history. The caller has re-authenticated the person."""
    if not by.has_role(Role.BUSINESS_MANAGER):
        raise ValidationError("Only a business manager can waive a leak-check hit.")
    reason = require_reason(reason, "Enter why this hit can be published")
    stored = fresh_locked(hit)
    if stored.waived_at is not None:
        raise ValidationError("This hit has already been waived.")
    if Publication._base_manager.filter(render_id=stored.render_id).exists():
        raise ValidationError("This PDF has been published: its hits can no longer change.")
    stored.waived_at, stored.waived_by, stored.waiver_reason = timezone.now(), by, reason
    save_with_history(stored, by=by, reason=f"Leak-check hit waived: {reason}")
    hit.refresh_from_db()
    return hit


@transaction.atomic(durable=True)
def panel_notice_record(*, by: User, review: Review, sent_on: date) -> LeakCheck:
    """Record that the national Panel was sent the report to be published: this very PDF
    (the approved version's clean, or waived, anonymised render), on ``sent_on``. The
    review's "sent to the national Panel" date follows, so the notice rule (DOMAIN.md: 7
    working days before publication) is judged on the PDF actually sent."""
    if not by.has_role(Role.BUSINESS_MANAGER):
        raise ValidationError("Only a business manager can record the notice to the Panel.")
    stored = open_review_locked(review)
    if stored.stage not in RENDER_STAGES:
        raise ValidationError("The notice is recorded at the Sign-off or Publication stage; "
                              f"this review is at {Stage(stored.stage).label}.")
    if stored.published_on:
        raise ValidationError("This review is published: its notice to the Panel is fixed.")
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": "The date sent cannot be in the future"})
    render = publishable_render(stored)
    if render is None:
        raise ValidationError("There is no clean (or waived) anonymised PDF of the approved "
                              "version: make it first, then send that PDF to the Panel.")
    check = LeakCheck._base_manager.select_for_update().get(render=render)
    check.panel_notified_on = sent_on
    save_with_history(check, by=by, reason="The PDF was sent to the national Panel")
    stored.national_panel_sent_report_on = sent_on
    stored.full_clean()
    save_with_history(stored, by=by, reason="The PDF to be published was sent to the "
                                            "national Panel")
    review_refresh_clocks(stored)
    review.refresh_from_db()
    return check


@transaction.atomic(durable=True)
def unregistered_name_dismiss(*, by: User, review: Review, name: str,
                              reason: str) -> DismissedName:
    """The reviewer or a business manager says a possible unregistered name is nobody's
    name (a place, a word): it is no longer listed for this review; the reason is kept."""
    stored = open_review_locked(review)
    if not Review.objects.for_user(by, "change").filter(pk=stored.pk).exists():
        raise ValidationError("Only the review's independent reviewer or a business manager "
                              "can dismiss a possible name. Nothing was changed.")
    if stored.stage not in RENDER_STAGES:
        raise ValidationError("Possible names are dismissed at the Sign-off or Publication "
                              f"stage; this review is at {Stage(stored.stage).label}.")
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Enter the name to dismiss"})
    reason = require_reason(reason, "Enter why this is nobody's name")
    if DismissedName._base_manager.filter(review=stored, name__iexact=name).exists():
        raise ValidationError({"name": f"“{name}” is already dismissed for this review"})
    dismissed = DismissedName(review=stored, name=name, reason=reason, dismissed_by=by)
    dismissed.full_clean()
    return save_with_history(dismissed, by=by, reason=f"Not a person's name: {reason}")


def _takedown_review_on(published_on: date) -> date:
    return add_months(published_on, settings.PUBLICATION_TAKEDOWN_REVIEW_MONTHS)


@transaction.atomic(durable=True)
def publication_publish(*, by: User, review: Review, published_on: date | None = None,
                        reason: str = "") -> Publication:
    """Publish the approved version's clean (or waived) anonymised PDF: at the Publication
    stage, once every publication rule holds on the date. The PDF is copied and never
    changed again; its SHA-256 is kept and checked on every download. The review's
    publication date is recorded here if it was not already."""
    if not by.has_role(Role.BUSINESS_MANAGER):
        raise ValidationError("Only a business manager can publish a report.")
    stored = open_review_locked(review)
    if stored.stage != Stage.PUBLICATION:
        raise ValidationError("A report is published at the Publication stage; this review "
                              f"is at {Stage(stored.stage).label}.")
    if Publication._base_manager.filter(review=stored,
                                        status=Publication.Status.PUBLISHED).exists():
        raise ValidationError("This review's report is already published.")
    render = publishable_render(stored)
    if render is None:
        raise ValidationError("There is no clean (or waived) anonymised PDF of the approved "
                              "version to publish.")
    on = stored.published_on or published_on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"published_on": "The publication date cannot be in the future"})
    if not stored.published_on:
        _check_publishable(stored, {"published_on": on})
    response = BoardResponse._base_manager.filter(review=stored).order_by("-version").first()
    if response is None:
        raise ValidationError("The board's response must be recorded before publication.")
    with render.file.open("rb") as source:
        pdf = source.read()
    digest = sha256_of(ContentFile(pdf))
    if render.sha256 and digest != render.sha256:
        raise ValidationError("The rendered PDF has changed since it was made: make it again.")
    check = LeakCheck._base_manager.get(render=render)
    if check.panel_notified_on is None:
        raise ValidationError("Record the day this PDF was sent to the national Panel first: "
                              "only the PDF the Panel was sent is published.")
    publication = Publication(
        review=stored, render=render, snapshot_id=render.object_id, board_response=response,
        title=report_title(stored), size=len(pdf), sha256=digest, text=check.text,
        published_on=on, takedown_review_on=_takedown_review_on(on), published_by=by)
    publication.file.save(f"{stored.reference}-published.pdf", ContentFile(pdf), save=False)
    save_with_history(publication, by=by, reason=reason or "Report published")
    if not stored.published_on:
        stored.published_on = on
        stored.full_clean()
        save_with_history(stored, by=by, reason=reason or "Report published")
        review_refresh_clocks(stored)
    review.refresh_from_db()
    return publication


@transaction.atomic(durable=True)
def publication_takedown_decide(*, by: User, publication: Publication, decision: str,
                                reason: str) -> TakedownDecision:
    """Keep a published report (the next review in 12 months) or withdraw it from the
    library (recorded; the file and the record stay)."""
    if not by.has_role(Role.BUSINESS_MANAGER):
        raise ValidationError("Only a business manager can decide on a published report.")
    reason = require_reason(reason, "Enter the reason for the decision")
    stored = fresh_locked(publication)
    if stored.status != Publication.Status.PUBLISHED:
        raise ValidationError("This report has already been withdrawn from the library.")
    if decision not in TakedownDecision.Decision.values:
        raise ValidationError({"decision": "Choose whether to keep or withdraw the report"})
    next_review = None
    if decision == TakedownDecision.Decision.KEEP:
        next_review = _takedown_review_on(max(stored.takedown_review_on, timezone.localdate()))
        stored.takedown_review_on = next_review
    else:
        stored.status = Publication.Status.WITHDRAWN
        stored.withdrawn_at, stored.withdrawal_reason = timezone.now(), reason
    save_with_history(stored, by=by, reason=reason)
    record = TakedownDecision(review_id=stored.review_id, publication=stored, decision=decision,
                              reason=reason, next_review_on=next_review, decided_by=by)
    save_with_history(record, by=by, reason=reason)
    publication.refresh_from_db()
    return record
