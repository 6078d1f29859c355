"""Commissioning: the panel page, terms of reference, appointments."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import reverse

from agencies.views.http import AuthenticatedHttpRequest
from reviews import forms, services
from reviews.models import PanelAppointment, Review
from reviews.views import sections
from reviews.views.base import back_to, review_form_view, section_view
from scr.formviews import record_form

__all__ = [
    "panel_appointment_end",
    "review_appoint",
    "review_panel",
    "review_terms",
]


review_panel = section_view("review_panel", sections.panel)


@login_required
def review_terms(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def initial(review: Review) -> dict:
        latest = review.terms.prefetch_related("agencies_in_scope").first()
        if latest is None:
            return {"expected_version": 0,
                    "agencies_in_scope": list(review.agencies_involved.all())}
        return {"expected_version": latest.version, "scope_start": latest.scope_start,
                "scope_end": latest.scope_end, "method": latest.method,
                "key_lines_of_enquiry": latest.key_lines_of_enquiry,
                "agencies_in_scope": list(latest.agencies_in_scope.all())}

    return review_form_view(
        request, pk, forms.TermsForm,
        lambda data, review: services.terms_create(by=request.user, review=review, **data),
        title="Terms of reference", submit="Save a new version",
        success="Terms of reference saved.", initial=initial, section="review_panel")


@login_required
def review_appoint(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.AppointPersonForm,
        lambda data, review: services.panel_appoint(by=request.user, review=review, **data),
        title="Appoint to the panel", submit="Appoint", success="Appointment made.",
        section="review_panel",
        link=("Someone not listed? Give them the independent reviewer or panel member role",
              reverse("people")))


@login_required
def panel_appointment_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, PanelAppointment, forms.ReasonMixin,
        lambda data, obj: services.panel_appointment_end(by=request.user, appointment=obj,
                                                         reason=data["reason"]),
        pk=pk, title=lambda appointment: f"End appointment: {appointment}",
        submit="End appointment", success="Appointment ended.", back=back_to("review_panel"))
