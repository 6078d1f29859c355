"""What reminders were sent: to me, per review and per agency (business managers), pausing a
person's reminders and naming an agency's senior lead."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from actionplans import forms, services
from actionplans.models import Digest, ReminderPause, SeniorLead
from agencies.models import Agency, User
from agencies.models.roles import Role
from agencies.views.http import AuthenticatedHttpRequest
from reviews.models import Review
from scr.access import role_required, scoped_object_or_404
from scr.accesslog import record_access
from scr.formviews import handle_form, record_form
from scr.models import AccessEvent

__all__ = [
    "agency_senior_lead",
    "digest",
    "reminder_pause_add",
    "reminder_pause_end",
    "reminders_agency",
    "reminders_mine",
    "reminders_review",
]


@login_required
def reminders_mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "actionplans/reminders.html", {
        "title": "Reminders sent to you", "digests": Digest.objects.filter(
            recipient=request.user)[:100],
        "pauses": ReminderPause.objects.filter(user=request.user)})


@login_required
def digest(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(Digest.objects.for_user(request.user).select_related("recipient"),
                            pk=pk)
    record_access(request, AccessEvent.Action.VIEW, obj)
    return render(request, "actionplans/digest.html", {"digest": obj})


@login_required
def reminders_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = scoped_object_or_404(Review, request.user, "manage", pk=pk)
    record_access(request, AccessEvent.Action.VIEW, review)
    return render(request, "actionplans/reminders.html", {
        "title": f"Reminders about {review.reference}", "show_recipient": True,
        "digests": Digest.objects.filter(reviews=review).select_related("recipient")[:200]})


@role_required(Role.BUSINESS_MANAGER)
def reminders_agency(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(Agency, pk=pk)
    return render(request, "actionplans/reminders.html", {
        "title": f"Reminders about {agency}", "show_recipient": True, "agency": agency,
        "senior_lead": SeniorLead.objects.filter(agency=agency).select_related("user").first(),
        "digests": Digest.objects.filter(agencies=agency).select_related("recipient")[:200]})


@login_required
def reminder_pause_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Pause a person's reminders; the page lists their pauses, each with a link to end it."""
    person = scoped_object_or_404(User, request.user, "manage", pk=pk)
    form = forms.PauseForm(request.POST or None)
    done = handle_form(request, form, lambda data, p: services.reminder_pause(
        by=request.user, user=p, **data), success="Reminders paused.",
        done_url=reverse("reminder_pause_add", args=[pk]), obj=person)
    return done or render(request, "actionplans/pause.html", {
        "form": form, "person": person, "back": reverse("person", args=[pk]),
        "pauses": ReminderPause.objects.filter(user=person)})


@login_required
def reminder_pause_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, ReminderPause, forms.PauseEndForm,
        lambda data, pause: services.reminder_pause_end(by=request.user, pause=pause, **data),
        pk=pk, title=lambda p: f"Resume reminders for {p.user}", submit="End the pause",
        success="Pause ended.", back=lambda p: reverse("reminder_pause_add", args=[p.user_id]),
        log_view=False)


@role_required(Role.BUSINESS_MANAGER)
def agency_senior_lead(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(Agency, pk=pk)
    return record_form(
        request, agency, forms.SeniorLeadForm,
        lambda data, a: services.senior_lead_name(by=request.user, agency=a, **data),
        title=f"Senior lead of {agency}", submit="Save", success="Senior lead named.",
        back=reverse("reminders_agency", args=[pk]), form_kwargs=lambda a: {"agency": a},
        log_view=False)
