"""The board's view of action plans (counts and charts, no names) and a person's actions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from actionplans import forms
from actionplans.models import OPEN_STATUSES, Action, Rag
from actionplans.selectors import actions_of, board_figures, unmoved_recommendations
from actionplans.views.charts import bar_chart
from actionplans.views.figures import period_context
from agencies.models.roles import Role
from agencies.views.http import AuthenticatedHttpRequest
from scr.access import role_required

__all__ = ["actions_mine", "board_actions"]


@role_required(Role.BOARD_MEMBER, Role.BUSINESS_MANAGER)
def board_actions(request: AuthenticatedHttpRequest) -> HttpResponse:
    figures = board_figures(request.user)
    period_form = forms.PeriodForm(request.GET or None)
    rag_chart = bar_chart("Actions by RAG", [(str(Rag(r).label), n, r) for r, n in
                                             figures.rag_totals.items()], "actions")
    agency_chart = bar_chart("Overdue actions by agency",
                             [(name, n, "red") for name, n in figures.overdue_by_agency],
                             "overdue actions")
    return render(request, "actionplans/board.html", {
        "figures": figures, "rag_chart": rag_chart, "agency_chart": agency_chart,
        "rags": list(Rag), "unmoved": unmoved_recommendations(request.user),
        "period_form": period_form, **period_context(request.user, *period_form.period())})


@login_required
def actions_mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The actions someone owns or their agency leads (a business manager: every open one);
    ``?overdue=1`` keeps the overdue ones."""
    user = request.user
    qs = Action.objects.filter(status__in=OPEN_STATUSES)
    if not user.has_role(Role.BUSINESS_MANAGER):
        qs = qs.filter(Q(owner=user) | Q(lead_agency_id__in=sorted(user.agency_ids(
            Role.AGENCY_LEAD))))
    if request.GET.get("overdue"):
        qs = qs.filter(target_date__lt=timezone.localdate())
    return render(request, "actionplans/actions.html", {
        "actions": actions_of(user, qs)[:500], "overdue": bool(request.GET.get("overdue"))})
