"""The report's PDFs and its publication: render requests, leak-hit waivers, publishing
the clean (or waived) PDF and the takedown-review decisions.

The approved version's HTML for WeasyPrint, in two kinds, and the leak check that runs on
every anonymised render:

- ``reviews.report_published`` — the publishable report: every part of the snapshot and
  the board's response turned into publishable text by ``scr.anonymise.anonymise`` with the
  review's register (``review_register``), then Markdown → sanitised HTML.
- ``reviews.report_confidential`` — the same text with the real names, marked
  "CONFIDENTIAL – NOT FOR PUBLICATION" on every page (an ``@page`` margin box); for the
  drafting team and the panel, never the library.

Both have a cover page (the pseudonymous title, the partnership's name), contents with page
numbers (``target-counter``), a running header and page numbers, tables whose rows never
split and whose header repeats, and the board's response as its own section. Text typed by
people never reaches CSS: the running title comes from the document through
``string-set``, not from a ``content:`` string built here.

``leak_check_render`` (the ``after`` step of the published kind) reads the PDF's own text
(``scr.anonymise.leak_check``, pdftotext; the period under review in the terms of
reference is the one kind of full date allowed) and stores a ``LeakCheck`` with one ``LeakHit``
per hit. It is idempotent: a render is checked once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from agencies.models import User
from agencies.models.roles import Role
from reviews.formats.markdown import render_markdown
from reviews.models import (
    BoardResponse,
    DismissedName,
    LeakCheck,
    LeakHit,
    Publication,
    Report,
    ReportSnapshot,
    Review,
    Stage,
    TakedownDecision,
)
from reviews.models.publication import CONFIDENTIAL_KIND, PUBLISHED_KIND
from reviews.selectors.publication import active_render, approved_snapshot, publishable_render
from reviews.selectors.register import review_register
from reviews.services.base import open_review_locked, require_changer
from reviews.services.clocks import review_refresh_clocks
from reviews.services.lifecycle import check_publishable
from scr.anonymise import LeakCheckError, anonymise, leak_check_pages, pdf_pages
from scr.documents import sha256_of
from scr.history import save_with_history
from scr.models import RenderRecord
from scr.renders import render_request
from scr.rules import fresh_locked, require_reason
from scr.workdays import add_months

__all__ = [
    "confidential_html",
    "leak_check_render",
    "leak_hit_waive",
    "panel_notice_record",
    "publication_publish",
    "publication_takedown_decide",
    "published_html",
    "report_render_request",
    "report_title",
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
    require_changer(by, stored, "dismiss a possible name")
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
        check_publishable(stored, {"published_on": on})
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


logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Part:
    anchor: str
    title: str
    html: str


def vocabulary_long() -> str:
    return ("Serious Case Review" if settings.REVIEW_VOCABULARY == "SCR"
            else "Local Child Safeguarding Practice Review")


def report_title(review: Review) -> str:
    """The pseudonymous title: the kind of review and the child's pseudonym."""
    child = (review.subjects.filter(kind="child", withdrawn=False).order_by("pk")
             .values_list("pseudonym", flat=True).first())
    return f"{vocabulary_long()}: {child}" if child else vocabulary_long()


def _board_markdown(response: BoardResponse | None) -> str:
    if response is None:
        return "The board's response has not been recorded."
    lines = [response.response, "", "### How the board will monitor the actions", "",
             response.monitoring, ""]
    items = list(response.items.select_related("finding", "recommendation"))
    if items:
        lines += ["### The board's decisions", ""]
        for item in items:
            what = item.finding or item.recommendation
            action = f" – {item.action}" if item.action else ""
            lines.append(f"- **{what}**: {item.get_decision_display()}{action}")
    return "\n".join(lines)


def _html(snapshot: ReportSnapshot, *, publishable: bool) -> str:
    review = snapshot.review
    register = review_register(review) if publishable else []

    def text(value: str) -> str:
        value = value or ""
        if publishable:
            value = anonymise(value, register, review.incident_date).text
        return render_markdown(value)

    def plain(value: str) -> str:
        return anonymise(value, register, review.incident_date).text if publishable else value

    parts = [Part(f"part-{p.position}", plain(p.title), mark_safe(text(p.body)))  # noqa: S308
             for p in snapshot.parts.order_by("position")]
    response = (review.board_responses.filter(recorded_at__lte=timezone.now())
                .order_by("-version").first())
    parts.append(Part("board-response", "The board's response",
                      mark_safe(text(_board_markdown(response)))))  # noqa: S308
    now = timezone.localdate()
    return render_to_string("reviews/report_pdf.html", {
        "title": report_title(review), "partnership": settings.PARTNERSHIP_NAME,
        "reference": review.reference, "parts": parts, "confidential": not publishable,
        "month": now.strftime("%B %Y"), "version": snapshot.number})


def published_html(snapshot: ReportSnapshot) -> str:
    """The renderer of ``reviews.report_published``."""
    return _html(snapshot, publishable=True)


def confidential_html(snapshot: ReportSnapshot) -> str:
    """The renderer of ``reviews.report_confidential``."""
    return _html(snapshot, publishable=False)


def public_dates(review: Review) -> set[date]:
    """Dates a report states on purpose and that identify no one: the period under review
    in the terms of reference (printed in its appendix). Every other full date is a hit."""
    found: set[date] = set()
    for start, end in review.terms.values_list("scope_start", "scope_end"):
        found |= {start, end}
    return found


def leak_check_render(record: RenderRecord) -> LeakCheck:
    """Check one anonymised render's PDF (once), storing what it found."""
    existing = LeakCheck._base_manager.filter(render=record).first()
    if existing is not None:
        return existing
    snapshot = ReportSnapshot._base_manager.select_related("review").get(pk=record.object_id)
    review = snapshot.review
    pages: list[str] = []
    error = ""
    hits = []
    try:
        with record.file.open("rb") as stored:
            pages = pdf_pages(stored.read())
        hits = leak_check_pages(pages, review_register(review),
                                allow=[settings.PARTNERSHIP_NAME],
                                allowed_dates=public_dates(review))
    except (LeakCheckError, OSError) as failed:
        logger.warning("Leak check of render %s failed: %s", record.pk, failed)
        error = f"The PDF's text could not be read: {failed}"[:500]
    by = record.created_by
    with transaction.atomic():
        check = LeakCheck(review=review, render=record, snapshot=snapshot, pages=len(pages),
                          text="\n\f".join(pages), error=error)
        save_with_history(check, by=by, reason="leak check")
        for hit in hits:
            save_with_history(LeakHit(
                review=review, leak_check=check, render=record, page=hit.page, kind=hit.kind[:40],
                matched=hit.text[:300], pseudonym=(hit.pseudonym or "")[:100],
                context=hit.context[:500]), by=by, reason="leak check hit")
    return check
