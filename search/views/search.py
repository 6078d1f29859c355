"""The search box's page: results across reviews, for every signed-in member of staff."""

from __future__ import annotations

from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from agencies.models.roles import Role
from agencies.views.http import AuthenticatedHttpRequest
from search.forms import SearchForm
from search.selectors import search_records
from search.views.presenters import highlighted

__all__ = ["search"]


@login_required
def search(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    found = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        page = form.cleaned_data["page"] or 1
        found = search_records(request.user, form.cleaned_data["q"], page=page)
        found = replace(found, results=[replace(r, snippet=highlighted(r.snippet))
                                        for r in found.results])
    return render(request, "search/search.html", {
        "form": form, "found": found,
        "is_manager": request.user.has_role(Role.BUSINESS_MANAGER),
        "query": urlencode({"q": found.text}) if found else ""})
