"""The yearly report: created for a period, its narrative written section by section (each
save in the history with who and why), and published to the board through the publication
path (docs/publication.md, docs/learning.md):

1. anonymise — every narrative section through ``scr.anonymise.anonymise`` with the register
   of every review (``reviews.selectors.review_registers``): the yearly report can mention any
   case, so every registered person's names and identifiers are replaced;
2. render — the figures (``actionplans.selectors.period_figures``, the board's own) and the
   anonymised sections to HTML, then a tagged PDF through ``scr.renders`` (a render record,
   the ``pdf`` queue);
3. leak check — the PDF's own text (``scr.anonymise.pdf_pages`` + ``leak_check_pages``) against
   every register, the partnership's name and the period's two dates allowed, stored as a
   ``YearlyLeakCheck``;
4. publish — only the latest render, made from what the report is now (``render_is_current``:
   its inputs digest), whose check is clean. A hit cannot be waived here: the business
   manager corrects the text (or the register) and makes the PDF again.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from actionplans.selectors import period_figures
from agencies.models import User
from agencies.models.roles import Role
from learning.models import SECTIONS, YEARLY_KIND, YearlyLeakCheck, YearlyReport
from learning.selectors.yearly import latest_render
from reviews.formats.markdown import render_markdown
from reviews.models import Review
from reviews.selectors import review_registers
from scr.anonymise import LeakCheckError, anonymise, leak_check_pages, pdf_pages
from scr.history import save_with_history
from scr.models import RenderRecord
from scr.pseudonymise import RegisterEntry
from scr.renders import render_is_current, render_request
from scr.rules import fresh_locked, require_reason

__all__ = ["YEARLY_KIND", "every_register", "yearly_html", "yearly_inputs", "yearly_leak_check",
           "yearly_report_create", "yearly_report_publish", "yearly_report_render",
           "yearly_section_save"]

SECTION_NAMES = {name for name, _, _ in SECTIONS}
logger = logging.getLogger(__name__)


def _require_manager(by: User) -> None:
    if not by.has_role(Role.BUSINESS_MANAGER):
        raise ValidationError("Only a business manager can change the yearly report.")


@transaction.atomic(durable=True)
def yearly_report_create(*, by: User, title: str, start: date, end: date) -> YearlyReport:
    _require_manager(by)
    if end < start:
        raise ValidationError({"end": "The end of the period must be on or after its start"})
    if not title.strip():
        raise ValidationError({"title": "Enter the title of the report"})
    return save_with_history(YearlyReport(title=title.strip(), start=start, end=end,
                                          created_by=by), by=by, reason="Yearly report started")


@transaction.atomic(durable=True)
def yearly_section_save(*, by: User, report: YearlyReport, section: str, text: str,
                        reason: str = "") -> YearlyReport:
    """Save one narrative section; the history keeps every earlier text, who and why."""
    _require_manager(by)
    if section not in SECTION_NAMES:
        raise ValidationError("No such section of the yearly report.")
    locked = fresh_locked(report)
    if locked.published_render_id:
        raise ValidationError("This yearly report is published: its text cannot change. "
                              "Start a new report for the period instead. Nothing was changed.")
    setattr(locked, section, text.strip())
    save_with_history(locked, by=by, reason=reason.strip() or f"{section} section saved")
    report.refresh_from_db()
    return locked


def every_register() -> list[RegisterEntry]:
    """Every registered person of every review: the yearly report may mention any case."""
    registers = review_registers(Review._base_manager.values_list("pk", flat=True))
    return [entry for entries in registers.values() for entry in entries]


def _sections(report: YearlyReport, register: list[RegisterEntry]) -> list[tuple[str, str, str]]:
    """(anchor, title, anonymised text) of each section written."""
    out = []
    for name, title, _ in SECTIONS:
        text = getattr(report, name)
        if text.strip():
            out.append((name, title, anonymise(text, register).text))
    return out


def yearly_inputs(report: YearlyReport) -> str:
    """What the PDF is made from besides its own record: the figures and the registers."""
    report = YearlyReport.objects.get(pk=report.pk)
    figures = period_figures(report.created_by, report.start, report.end)
    inputs = [[getattr(report, n) for n, _, _ in SECTIONS], sorted(figures.values().items()),
              sorted(repr(e) for e in every_register()), settings.PARTNERSHIP_NAME,
              str(settings.LEAK_CHECK_FULL_DATES)]
    return hashlib.sha256(repr(inputs).encode()).hexdigest()


def yearly_html(report: YearlyReport) -> str:
    """The renderer of ``learning.yearly_report``: the figures, then the anonymised narrative."""
    report = YearlyReport.objects.get(pk=report.pk)
    figures = period_figures(report.created_by, report.start, report.end)
    parts = [(anchor, title, mark_safe(render_markdown(text)))  # noqa: S308  (sanitised by nh3)
             for anchor, title, text in _sections(report, every_register())]
    return render_to_string("learning/yearly_pdf.html", {
        "report": report, "figures": figures, "parts": parts,
        "partnership": settings.PARTNERSHIP_NAME,
        "month": timezone.localdate().strftime("%B %Y")})


def yearly_leak_check(record: RenderRecord) -> YearlyLeakCheck:
    """The after-step of ``learning.yearly_report``: read the PDF's text, search it (once)."""
    existing = YearlyLeakCheck.objects.filter(render=record).first()
    if existing is not None:
        return existing
    report = YearlyReport.objects.get(pk=record.object_id)
    pages: list[str] = []
    hits: list[dict[str, object]] = []
    error = ""
    try:
        with record.file.open("rb") as stored:
            pages = pdf_pages(stored.read())
        hits = [{"page": h.page, "kind": h.kind, "text": h.text[:300],
                 "pseudonym": h.pseudonym or "", "context": h.context[:500]}
                for h in leak_check_pages(pages, every_register(),
                                          allow=[settings.PARTNERSHIP_NAME],
                                          allowed_dates=[report.start, report.end],
                                          allowed_names=settings.PUBLIC_NAMES,
                                          full_dates=settings.LEAK_CHECK_FULL_DATES)]
    except (LeakCheckError, OSError) as failed:
        logger.warning("Leak check of yearly render %s failed: %s", record.pk, failed)
        error = f"The PDF's text could not be read: {failed}"[:500]
    with transaction.atomic():
        return save_with_history(YearlyLeakCheck(
            report=report, render=record, pages=len(pages), text="\n\f".join(pages), hits=hits,
            error=error), by=record.created_by, reason="leak check")


@transaction.atomic(durable=True)
def yearly_report_render(*, by: User, report: YearlyReport) -> RenderRecord:
    """Queue the yearly report's anonymised PDF (rendered and leak-checked by the worker)."""
    _require_manager(by)
    return render_request(by=by, target=fresh_locked(report), kind=YEARLY_KIND)


@transaction.atomic(durable=True)
def yearly_report_publish(*, by: User, report: YearlyReport, reason: str = "Published to the board"
                          ) -> YearlyReport:
    """Publish the latest PDF to the board: only one made from the report as it is now,
    whose leak check read it and found nothing."""
    _require_manager(by)
    require_reason(reason)
    locked = fresh_locked(report)
    render = latest_render(locked)
    if render is None:
        raise ValidationError("Make the PDF first. Nothing was published.")
    if not render_is_current(render):
        raise ValidationError("The PDF was made before the report's text, its figures or a "
                              "register last changed: make it again. Nothing was published.")
    check = YearlyLeakCheck.objects.filter(render=render).first()
    if check is None or check.error:
        raise ValidationError("The PDF's leak check has not run (or could not read it): make "
                              "the PDF again. Nothing was published.")
    if check.hits:
        raise ValidationError(f"The leak check found {len(check.hits)} possible identifying "
                              "detail(s) in the PDF: correct the text and make the PDF again. "
                              "Nothing was published.")
    locked.published_render, locked.published_at, locked.published_by = render, timezone.now(), by
    save_with_history(locked, by=by, reason=reason.strip())
    report.refresh_from_db()
    return locked
