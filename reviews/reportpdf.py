"""The report as a PDF: the approved version's HTML for WeasyPrint, in two kinds, and the
leak check that runs on every anonymised render.

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
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from scr.anonymise import LeakCheckError, anonymise, leak_check_pages, pdf_pages
from scr.history import save_with_history
from scr.models import RenderRecord

from .markdown import render_markdown
from .models import BoardResponse, LeakCheck, LeakHit, ReportSnapshot, Review
from .models.publication import CONFIDENTIAL_KIND, PUBLISHED_KIND
from .selectors.register import review_register

__all__ = ["CONFIDENTIAL_KIND", "PUBLISHED_KIND", "confidential_html", "leak_check_render",
           "published_html", "report_title"]

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
