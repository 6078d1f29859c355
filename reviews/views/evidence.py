"""Evidence requests: the evidence page, requesting, marking as received."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from agencies.http import AuthenticatedHttpRequest
from scr.formviews import record_form

from .. import forms, sections, services
from ..models import EvidenceRequest
from .base import back_to, review_form_view, section_view

__all__ = [
    "evidence_request_add",
    "evidence_request_received",
    "review_evidence",
]


review_evidence = section_view("review_evidence", sections.evidence)


@login_required
def evidence_request_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.EvidenceRequestForm,
        lambda data, review: services.evidence_request_create(by=request.user, review=review,
                                                              **data),
        title="Request evidence from an agency", submit="Send request",
        success="Evidence requested.", form_kwargs=lambda review: {"review": review},
        section="review_evidence")


@login_required
def evidence_request_received(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, EvidenceRequest, forms.ReceivedForm,
        lambda data, obj: services.evidence_request_received(by=request.user, request=obj,
                                                             **data),
        pk=pk, title=lambda evidence: f"Received: {evidence}", submit="Save",
        success="Evidence marked as received.", back=back_to("review_evidence"))
