"""A person across reviews (business managers only): the search, with its reason, and the
log of every such search."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render

from agencies.models.roles import Role
from agencies.views.http import AuthenticatedHttpRequest
from reviews.models import Subject
from scr.access import role_required, scoped_object_or_404
from scr.forms import add_service_errors
from search import services
from search.forms import PersonLookupForm
from search.models import PersonLookup
from search.selectors import PersonQuery

__all__ = ["person_lookup", "person_lookup_log"]


@role_required(Role.BUSINESS_MANAGER)
def person_lookup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """``?subject=<pk>``: a person of one review's register, looked for in the others."""
    subject = None
    if request.GET.get("subject", "").isdigit():
        subject = scoped_object_or_404(Subject, request.user, "view_identifiable",
                                       pk=int(request.GET["subject"]))
    form = PersonLookupForm(request.POST or None)
    lookup = matches = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lookup, matches = services.person_lookup_run(
                by=request.user, reason=data["reason"],
                query=PersonQuery(name="" if subject else data["name"],
                                  identifier_kind=data["identifier_kind"],
                                  identifier="" if subject else data["identifier"],
                                  subject=subject))
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, "search/person_lookup.html", {
        "form": form, "subject": subject, "lookup": lookup, "matches": matches})


@role_required(Role.BUSINESS_MANAGER)
def person_lookup_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    lookups = PersonLookup.objects.for_user(request.user).select_related("by", "subject")[:200]
    return render(request, "search/person_lookup_log.html", {"lookups": lookups})
