"""National reports (the Panel's own, and national reviews of our cases): their
recommendations and the local actions mapped to each, with those actions' progress."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from actionplans import services
from actionplans.forms.national import (
    NationalMapForm,
    NationalRecommendationForm,
    NationalReportForm,
)
from actionplans.models import Action, NationalRecommendation, NationalReport
from actionplans.selectors.national import national_report_page
from agencies.models.roles import Role
from agencies.views.http import AuthenticatedHttpRequest
from scr.access import role_required, scoped_object_or_404
from scr.formviews import form_page, handle_form, record_form

__all__ = ["national_recommendation_add", "national_recommendation_map", "national_report",
           "national_report_add", "national_reports"]


@login_required
def national_reports(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "actionplans/national_reports.html", {
        "reports": NationalReport.objects.for_user(request.user).prefetch_related(
            "recommendations"),
        "manager": request.user.has_role(Role.BUSINESS_MANAGER)})


@role_required(Role.BUSINESS_MANAGER)
def national_report_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = NationalReportForm(request.POST or None)
    done = handle_form(request, form, lambda data, _: services.national_report_record(
        by=request.user, **data), success="National report recorded.",
        done_url=lambda r: reverse("national_report", args=[r.pk]))
    return done or form_page(request, form, title="Record a national report",
                             submit="Record it", back=reverse("national_reports"))


@login_required
def national_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = scoped_object_or_404(NationalReport, request.user, pk=pk)
    return render(request, "actionplans/national_report.html", {
        "report": report, "rows": national_report_page(request.user, report),
        "manager": request.user.has_role(Role.BUSINESS_MANAGER)})


@login_required
def national_recommendation_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, NationalReport, NationalRecommendationForm,
        lambda data, obj: services.national_recommendation_add(by=request.user, report=obj,
                                                               **data),
        pk=pk, action="manage", title="Add a recommendation", submit="Add it",
        success="Recommendation added.", back=lambda r: reverse("national_report", args=[r.pk]),
        caption=str, log_view=False)


@login_required
def national_recommendation_map(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    actions = Action.objects.for_user(request.user, "view").select_related(
        "review", "recommendation").order_by("review__reference", "recommendation__number",
                                             "number")
    return record_form(
        request, NationalRecommendation, NationalMapForm,
        lambda data, obj: services.national_recommendation_map(
            by=request.user, recommendation=obj, action=data["action"]),
        pk=pk, action="manage", title="Map a local action to this recommendation",
        submit="Map it", success="Mapped: the action's progress shows against it.",
        back=lambda r: reverse("national_report", args=[r.report_id]),
        caption=lambda r: r.text[:120], form_kwargs=lambda r: {"actions": actions},
        log_view=False)
