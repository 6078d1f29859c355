"""A review's action plan: its page, adding monitoring reviews, the board's sign-off of
closure, exports (CSV, XLSX, PDF through a render record) and the import."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from actionplans import forms, services
from actionplans.models import EXPORT_COLUMNS, Action, ActionPlan
from actionplans.selectors import (
    actions_of,
    board_plan,
    closure_blockers,
    plan_page,
    plan_status_counts,
)
from actionplans.selectors.measures import plan_measure_summary
from actionplans.selectors.plans import plan_actions, plan_rows
from actionplans.views.base import get_plan_for_board, plan_back, plan_or_404, plan_review
from actionplans.views.measures import movement_context
from agencies.models.roles import Role
from agencies.views.http import AuthenticatedHttpRequest
from scr import filetypes
from scr.access import scoped_object_or_404
from scr.accesslog import record_access
from scr.documents import attachment, file_response
from scr.formviews import handle_form, record_form
from scr.models import AccessEvent, RenderRecord
from scr.renders import render_request
from scr.spreadsheets import csv_lines, xlsx_bytes

__all__ = [
    "action_plan",
    "action_plan_board",
    "action_plan_export_csv",
    "action_plan_export_xlsx",
    "action_plan_import",
    "action_plan_pdf",
    "action_plan_pdf_download",
    "action_plan_sign_off",
    "monitoring_review_add",
]



@login_required
def action_plan(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review, plan = plan_review(request.user, pk)
    record_access(request, AccessEvent.Action.VIEW, plan or review, review_id=review.pk)
    page = plan_page(request.user, review, plan)
    return render(request, "actionplans/plan.html", {
        "page": page, "link_actions": True, **movement_context([s for _, s in page.measures]),
        "measures": page.measures})


@login_required
def monitoring_review_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = scoped_object_or_404(ActionPlan, request.user, "manage", review_id=pk)
    return record_form(
        request, plan, forms.MonitoringForm,
        lambda data, obj: services.monitoring_review_record(by=request.user, plan=obj, **data),
        title="Record a monitoring review", caption=plan.review.reference, submit="Save",
        success="Monitoring review recorded.", back=plan_back(pk))


@login_required
def action_plan_sign_off(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The board signs off the plan's closure: a page of counts (no names), then the review
    closes. Anyone else: 403 on a plan they may see, 404 on any other review id."""
    plan = get_plan_for_board(request.user, pk)
    form = forms.SignOffForm(request.POST or None)
    done = handle_form(request, form, lambda data, p: services.plan_sign_off_closure(
        by=request.user, plan=p, **data), success="Closure signed off: the review is closed.",
        done_url=reverse("board_actions"), obj=plan)
    return done or render(request, "actionplans/sign_off.html", {
        "plan": plan, "form": form, "blockers": closure_blockers(plan),
        "counts": plan_status_counts(plan), "measures": (measures := plan_measure_summary(
            Action.objects.filter(plan=plan))), **movement_context([s for _, s in measures])})


@login_required
def action_plan_board(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The plan a board member signs off, read-only and anonymised: every recommendation
    and action with its texts through the pseudonymiser, never an owner's name."""
    plan = get_plan_for_board(request.user, pk, managers_read=True)
    record_access(request, AccessEvent.Action.VIEW, plan, label="plan for the board")
    board = request.user.has_role(Role.BOARD_MEMBER)
    return render(request, "actionplans/board_plan.html", {
        "plan": plan, "recommendations": board_plan(plan),
        "back": reverse("action_plan_sign_off" if board else "action_plan", args=[pk]),
        "back_label": "Sign off the plan's closure" if board else "The action plan"})


def _export_rows(request: AuthenticatedHttpRequest, pk: int) -> tuple[ActionPlan, list[list[object]]]:
    plan = plan_or_404(request.user, pk)
    record_access(request, AccessEvent.Action.EXPORT, plan)
    actions = plan_actions(plan, actions_of(request.user, Action.objects.filter(plan=plan)))
    return plan, list(plan_rows(request.user, actions))


@login_required
def action_plan_export_csv(request: AuthenticatedHttpRequest, pk: int) -> StreamingHttpResponse:
    plan, rows = _export_rows(request, pk)
    return attachment(StreamingHttpResponse(csv_lines(list(EXPORT_COLUMNS), rows),
                                            content_type="text/csv; charset=utf-8"),
                      f"{plan.review.reference}-action-plan.csv")


@login_required
def action_plan_export_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan, rows = _export_rows(request, pk)
    workbook = xlsx_bytes("Action plan", list(EXPORT_COLUMNS), rows)
    return attachment(HttpResponse(workbook, content_type=filetypes.XLSX),
                      f"{plan.review.reference}-action-plan.xlsx")


@require_http_methods(["GET", "POST"])
@login_required
def action_plan_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The plan's PDFs (render records): their state, and a button to render a new one."""
    plan = scoped_object_or_404(ActionPlan, request.user, "manage", review_id=pk)
    if request.method == "POST":
        render_request(by=request.user, target=plan, kind="actionplans.plan")
        return redirect("action_plan_pdf", pk=pk)
    record_access(request, AccessEvent.Action.VIEW, plan)
    renders = RenderRecord._base_manager.filter(object_id=plan.pk, kind="actionplans.plan")
    return render(request, "actionplans/pdf.html", {"plan": plan, "renders": renders})


@login_required
def action_plan_pdf_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    record = get_object_or_404(RenderRecord._base_manager, pk=pk, kind="actionplans.plan",
                               status=RenderRecord.Status.DONE)
    plan = scoped_object_or_404(ActionPlan, request.user, "manage", pk=record.object_id)
    return file_response(request, record.file, sha256=record.sha256,
                         filename=f"{plan.review.reference}-action-plan.pdf",
                         content_type=filetypes.PDF, logged=plan)


@login_required
def action_plan_import(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review, _plan = plan_review(request.user, pk, "manage")
    return record_form(
        request, review, forms.ImportForm,
        lambda data, obj: services.plan_import(by=request.user, review=obj, upload=data["file"]),
        title="Import an action plan", submit="Import", caption=review.reference,
        success=lambda n: f"{n} action{'s' if n != 1 else ''} imported.", back=plan_back(pk),
        intro="The first sheet's first row must be these headings, in this order (the "
              f"export's columns): {', '.join(EXPORT_COLUMNS)}. Every row is checked; a file "
              "with any bad row imports nothing.")
