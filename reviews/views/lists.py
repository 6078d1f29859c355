"""Lists across reviews: the dashboard, its CSV export, the board."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString

from agencies.models import User
from agencies.models.roles import Role
from agencies.views.http import AuthenticatedHttpRequest
from reviews import forms
from reviews.selectors import (
    OPEN,
    DashboardRow,
    board_stats,
    dashboard_csv_header,
    dashboard_csv_row,
    dashboard_page,
    dashboard_reviews,
    dashboard_rows,
)
from reviews.views.presenters import dashboard_card_html, dashboard_row_html
from scr.access import role_required
from scr.accesslog import record_access
from scr.documents import attachment
from scr.figures import cached_figure
from scr.models import AccessEvent
from scr.spreadsheets import csv_lines

__all__ = [
    "board",
    "review_export",
    "review_list",
]


def _page_of_rows(user: User, filters: dict[str, str], number: str,
                  ) -> tuple[Page, list[DashboardRow], list[SafeString], list[SafeString]]:
    """The dashboard's page, its rows and their HTML (table rows, and cards for small
    screens), built once and cached together."""
    page, rows = dashboard_page(user, filters, number)
    return (page, rows, [dashboard_row_html(row) for row in rows],
            [dashboard_card_html(row) for row in rows])


@login_required
def review_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The dashboard: open reviews by default, any stage (ended ones too) when filtered."""
    form = forms.DashboardFilterForm(request.GET or None)
    filters = form.filters()
    raw = request.GET.get("page", "")
    number = raw if raw.isdigit() and len(raw) < 7 else "1"  # get_page's own fallback
    key = ":".join([*(filters[k] for k in sorted(filters)), number])  # codes and digits only
    page, rows, rows_html, cards_html = cached_figure(f"dashboard2:{key}", request.user,
                               lambda: _page_of_rows(request.user, filters, number))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reviews/list.html", {
        "form": form, "page": page, "rows": rows, "rows_html": rows_html,
        "cards_html": cards_html,
        "query": query.urlencode(), "only_open": filters["stage"] == OPEN,
        "is_manager": request.user.has_role(Role.BUSINESS_MANAGER),
    })


@role_required(Role.BUSINESS_MANAGER)
def review_export(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """The dashboard as it is filtered, in words: labels, not codes; the partnership's
    own name for a review (SCR or LCSPR) in the headers."""
    filters = forms.DashboardFilterForm(request.GET or None).filters()
    reviews = dashboard_reviews(request.user, **filters)
    record_access(request, AccessEvent.Action.EXPORT, label="Reviews dashboard CSV")
    rows = (dashboard_csv_row(row) for row in dashboard_rows(reviews.iterator(chunk_size=500)))
    return attachment(StreamingHttpResponse(csv_lines(dashboard_csv_header(), rows),
                                            content_type="text/csv"), "reviews.csv")


@role_required(Role.BOARD_MEMBER, Role.BUSINESS_MANAGER)
def board(request: AuthenticatedHttpRequest) -> HttpResponse:
    stats = cached_figure("board", request.user, lambda: board_stats(request.user))
    return render(request, "reviews/board.html", {"stats": stats})
