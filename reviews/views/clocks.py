"""Clocks: the clocks page, parallel processes, pauses, delay explanations."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from agencies.views.http import AuthenticatedHttpRequest
from reviews import forms, services
from reviews.models import ClockPause, ParallelProcess
from reviews.views import sections
from reviews.views.base import back_to, review_form_view, section_view
from scr.formviews import record_form

__all__ = [
    "clock_pause",
    "clock_resume",
    "parallel_process_add",
    "parallel_process_clear",
    "review_clocks",
    "review_explain_delay",
]


review_clocks = section_view("review_clocks", sections.clocks)


@login_required
def parallel_process_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.ParallelProcessForm,
        lambda data, review: services.parallel_process_open(by=request.user, review=review,
                                                            **data),
        title="Record a parallel process", submit="Save", success="Parallel process recorded.",
        section="review_clocks")


@login_required
def parallel_process_clear(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, ParallelProcess, forms.ClearForm,
        lambda data, obj: services.parallel_process_clear(by=request.user, process=obj, **data),
        pk=pk, title=lambda process: f"Clear: {process}", submit="Save",
        success="Parallel process cleared.", back=back_to("review_clocks"))


@login_required
def clock_pause(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.PauseForm,
        lambda data, review: services.clock_pause(by=request.user, review=review, **data),
        title="Pause a clock", submit="Pause", success="Clock paused.", section="review_clocks")


@login_required
def clock_resume(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, ClockPause, forms.ResumeForm,
        lambda data, obj: services.clock_resume(by=request.user, pause=obj, **data),
        pk=pk, title=lambda pause: f"Resume: {pause}", submit="Resume", success="Clock resumed.",
        back=back_to("review_clocks"))


@login_required
def review_explain_delay(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.DelayForm,
        lambda data, review: services.delay_explain(by=request.user, review=review, **data),
        title="Explain a delay", submit="Save", success="Explanation recorded.", section="review_clocks")
