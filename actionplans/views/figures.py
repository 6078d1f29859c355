"""The figures of a reporting period as a page part (the board's dashboard and the yearly
report show the same one), and the records behind each figure."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from actionplans import forms
from actionplans.selectors import FIGURE_LABELS, PeriodFigures, figure_records, period_figures
from actionplans.views.charts import bar_chart
from agencies.models import User
from agencies.models.roles import Role
from agencies.views.http import AuthenticatedHttpRequest
from scr.access import role_required

__all__ = ["figure_list", "period_context", "period_query"]


def period_query(start: date, end: date) -> str:
    return urlencode({"start": start.isoformat(), "end": end.isoformat()})


def period_context(user: User, start: date, end: date) -> dict[str, Any]:
    """What ``_period_figures.html`` shows: the figures, the query that links each to its
    records, and the themes' chart (a table beside it)."""
    figures: PeriodFigures = period_figures(user, start, end)
    chart = bar_chart("Themes of the findings of reviews published in the period",
                      [(t.name, len(t.reviews), "blue") for t in figures.themes], "reviews")
    return {"period": figures, "period_query": period_query(start, end),
            "themes_chart": chart}


@role_required(Role.BOARD_MEMBER, Role.BUSINESS_MANAGER)
def figure_list(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    """The records behind one figure of a period: references only (the board reads it)."""
    if key not in FIGURE_LABELS:
        raise Http404("No such figure")
    form = forms.PeriodForm(request.GET or None)
    start, end = form.period()
    figure, rows = figure_records(request.user, key, start, end)
    return render(request, "actionplans/figure_records.html", {
        "figure": figure, "rows": rows, "start": start, "end": end,
        "is_manager": request.user.has_role(Role.BUSINESS_MANAGER)})
