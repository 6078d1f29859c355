"""Report and publication dates, and correcting a publication date."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from agencies.http import AuthenticatedHttpRequest
from scr.formviews import initial_from

from .. import forms, services
from .base import review_form_view

__all__ = [
    "review_publication_correct",
    "review_report_dates",
]


@login_required
def review_report_dates(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.ReportDatesForm,
        lambda data, review: services.report_and_publication_record(
            by=request.user, review=review, **data),
        title="Record report and publication dates", submit="Save", success="Dates recorded.",
        initial=initial_from(forms.ReportDatesForm))


@login_required
def review_publication_correct(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.PublicationCorrectionForm,
        lambda data, review: services.publication_date_correct(by=request.user, review=review,
                                                               **data),
        title="Correct the publication date", submit="Save the correction",
        success="Publication date corrected.", initial=initial_from(forms.PublicationCorrectionForm))
