"""The yearly reports: the list, starting one (business managers), a report's page (the
period's figures, each a link to its records, and the narrative), its sections, its CSV and
XLSX, its PDF (made, leak-checked and published through the publication path) and the
published PDF's download (the board's)."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from actionplans.selectors import PeriodFigures, period_figures
from actionplans.views.figures import period_context
from agencies.models.roles import Role
from agencies.views.http import AuthenticatedHttpRequest
from learning import forms, services
from learning.models import SECTIONS, YearlyReport
from learning.selectors import latest_render, yearly_renders, yearly_sections
from scr import filetypes
from scr.access import role_required, scoped_object_or_404
from scr.accesslog import record_access
from scr.documents import attachment, file_response
from scr.formviews import form_page, handle_form, record_form
from scr.models import AccessEvent
from scr.spreadsheets import csv_lines, xlsx_bytes

__all__ = ["yearly_report", "yearly_report_add", "yearly_report_csv", "yearly_report_download",
           "yearly_report_publish", "yearly_report_render", "yearly_report_xlsx",
           "yearly_reports", "yearly_section"]

SECTION_TITLES = {name: title for name, title, _ in SECTIONS}


@role_required(Role.BOARD_MEMBER, Role.BUSINESS_MANAGER)
def yearly_reports(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "learning/yearly_reports.html", {
        "reports": YearlyReport.objects.for_user(request.user),
        "is_manager": request.user.has_role(Role.BUSINESS_MANAGER)})


@role_required(Role.BUSINESS_MANAGER)
def yearly_report_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = forms.YearlyReportForm(request.POST or None)
    done = handle_form(request, form, lambda data, _: services.yearly_report_create(
        by=request.user, **data), success="Yearly report started.",
        done_url=lambda report: reverse("yearly_report", args=[report.pk]))
    return done or form_page(request, form, title="Start a yearly report", submit="Start",
                             back=reverse("yearly_reports"))


@role_required(Role.BOARD_MEMBER, Role.BUSINESS_MANAGER)
def yearly_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = scoped_object_or_404(YearlyReport, request.user, "view", pk=pk)
    record_access(request, AccessEvent.Action.VIEW, report)
    return render(request, "learning/yearly_report.html", {
        "report": report, "sections": yearly_sections(request.user, report),
        "renders": yearly_renders(report), "latest": latest_render(report),
        "is_manager": request.user.has_role(Role.BUSINESS_MANAGER),
        **period_context(request.user, report.start, report.end)})


@role_required(Role.BUSINESS_MANAGER)
def yearly_section(request: AuthenticatedHttpRequest, pk: int, section: str) -> HttpResponse:
    if section not in SECTION_TITLES:
        raise Http404("No such section")
    return record_form(
        request, YearlyReport, forms.SectionForm,
        lambda data, obj: services.yearly_section_save(by=request.user, report=obj,
                                                       section=section, **data),
        pk=pk, action="manage", title=SECTION_TITLES[section], caption=lambda r: r.title,
        submit="Save the section", success="Section saved.", log_view=False,
        back=lambda r: reverse("yearly_report", args=[r.pk]),
        initial=lambda r: {"text": getattr(r, section)})


def _figure_rows(figures: PeriodFigures) -> Iterable[list[object]]:
    yield from ([f.label, f.value] for f in figures.figures.values())
    yield ["Practitioners the briefings reached", figures.practitioners_reached]
    median = figures.median_days_to_publication
    yield ["Median days from decision to publication", "" if median is None else median]
    yield from ([f"Theme: {t.name} (reviews in the period; reviews ever)", len(t.reviews),
                 t.reviews_ever] for t in figures.themes)


def _export(request: AuthenticatedHttpRequest, pk: int) -> tuple[YearlyReport, PeriodFigures]:
    report = scoped_object_or_404(YearlyReport, request.user, "view", pk=pk)
    record_access(request, AccessEvent.Action.EXPORT, report, label="Yearly report figures")
    return report, period_figures(request.user, report.start, report.end)


HEADER = ["Figure", "Number", "Reviews ever"]


@role_required(Role.BOARD_MEMBER, Role.BUSINESS_MANAGER)
def yearly_report_csv(request: AuthenticatedHttpRequest, pk: int) -> StreamingHttpResponse:
    report, figures = _export(request, pk)
    return attachment(StreamingHttpResponse(csv_lines(HEADER, _figure_rows(figures)),
                                            content_type="text/csv"), f"{report.title}.csv")


@role_required(Role.BOARD_MEMBER, Role.BUSINESS_MANAGER)
def yearly_report_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report, figures = _export(request, pk)
    return attachment(HttpResponse(xlsx_bytes("Yearly report", HEADER, _figure_rows(figures)),
                                   content_type=filetypes.XLSX), f"{report.title}.xlsx")


@require_POST
@role_required(Role.BUSINESS_MANAGER)
def yearly_report_render(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = scoped_object_or_404(YearlyReport, request.user, "manage", pk=pk)
    services.yearly_report_render(by=request.user, report=report)
    return redirect("yearly_report", pk=pk)


@role_required(Role.BUSINESS_MANAGER)
def yearly_report_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, YearlyReport, forms.PublishForm,
        lambda data, obj: services.yearly_report_publish(by=request.user, report=obj, **data),
        pk=pk, action="manage", title="Publish the yearly report to the board",
        caption=lambda r: r.title, submit="Publish", success="Published to the board.",
        back=lambda r: reverse("yearly_report", args=[r.pk]), log_view=False)


@role_required(Role.BOARD_MEMBER, Role.BUSINESS_MANAGER)
def yearly_report_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The published PDF (a business manager: the latest PDF before it is published)."""
    report = scoped_object_or_404(YearlyReport, request.user, "view", pk=pk)
    record = report.published_render
    if record is None and request.user.has_role(Role.BUSINESS_MANAGER):
        record = latest_render(report)
    if record is None:
        raise Http404("No PDF of this report yet")
    return file_response(request, record.file, sha256=record.sha256,
                         filename=f"{report.title}.pdf", content_type=filetypes.PDF,
                         logged=report)
