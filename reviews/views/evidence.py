"""Evidence requests: the evidence page, requesting, marking as received."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from scr.access import scoped_object_or_404
from scr.formviews import form_page, handle_form

from .. import forms, sections, services
from ..models import (
    EvidenceRequest,
)
from .base import review_form_view, section_view

__all__ = [
    "evidence_request_add",
    "evidence_request_received",
    "review_evidence",
]


review_evidence = section_view("review_evidence", sections.evidence)


@login_required
def evidence_request_add(request: HttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.EvidenceRequestForm,
        lambda data, review: services.evidence_request_create(by=request.user, review=review,
                                                              **data),
        title="Request evidence from an agency", submit="Send request",
        success="Evidence requested.", form_kwargs=lambda review: {"review": review},
        section="review_evidence")


@login_required
def evidence_request_received(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = scoped_object_or_404(EvidenceRequest, request.user, "manage", pk=pk)
    form = forms.ReceivedForm(request.POST or None)
    url = reverse("review_evidence", args=[evidence.review_id])
    done = handle_form(request, form, lambda data, obj: services.evidence_request_received(
        by=request.user, request=obj, **data), success="Evidence marked as received.",
        done_url=url, obj=evidence)
    return done or form_page(request, form, title=f"Received: {evidence}", submit="Save",
                             back=url)
