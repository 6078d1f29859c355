"""The learning page: themes across reviews, as tables with a chart beside each."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from actionplans.views.charts import bar_chart
from agencies.models.roles import Role
from agencies.views.http import AuthenticatedHttpRequest
from learning.selectors import themes_page
from scr.access import role_required

__all__ = ["learning_themes"]


@role_required(Role.BOARD_MEMBER, Role.BUSINESS_MANAGER)
def learning_themes(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = themes_page(request.user)
    return render(request, "learning/themes.html", {
        "page": page, "is_manager": request.user.has_role(Role.BUSINESS_MANAGER),
        "reviews_chart": bar_chart("Published reviews with each theme",
                                   [(name, total, "blue") for name, _, total in page.by_year],
                                   "reviews"),
        "answers_chart": bar_chart("Recommendations answering each theme",
                                   [(a.name, len(a.recommendations), "green")
                                    for a in page.answers], "recommendations")})
