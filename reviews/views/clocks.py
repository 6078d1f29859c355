"""Clocks: the clocks page, parallel processes, pauses, delay explanations."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from scr.access import scoped_object_or_404
from scr.formviews import form_page, handle_form

from .. import forms, sections, services
from ..models import (
    ClockPause,
    ParallelProcess,
)
from .base import review_form_view, section_view

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
def parallel_process_add(request: HttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.ParallelProcessForm,
        lambda data, review: services.parallel_process_open(by=request.user, review=review,
                                                            **data),
        title="Record a parallel process", submit="Save", success="Parallel process recorded.",
        section="review_clocks")


@login_required
def parallel_process_clear(request: HttpRequest, pk: int) -> HttpResponse:
    process = scoped_object_or_404(ParallelProcess, request.user, "manage", pk=pk)
    form = forms.ClearForm(request.POST or None)
    url = reverse("review_clocks", args=[process.review_id])
    done = handle_form(request, form, lambda data, obj: services.parallel_process_clear(
        by=request.user, process=obj, **data), success="Parallel process cleared.",
        done_url=url, obj=process)
    return done or form_page(request, form, title=f"Clear: {process}", submit="Save", back=url)


@login_required
def clock_pause(request: HttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.PauseForm,
        lambda data, review: services.clock_pause(by=request.user, review=review, **data),
        title="Pause a clock", submit="Pause", success="Clock paused.", section="review_clocks")


@login_required
def clock_resume(request: HttpRequest, pk: int) -> HttpResponse:
    pause = scoped_object_or_404(ClockPause, request.user, "manage", pk=pk)
    form = forms.ResumeForm(request.POST or None)
    url = reverse("review_clocks", args=[pause.review_id])
    done = handle_form(request, form, lambda data, obj: services.clock_resume(
        by=request.user, pause=obj, **data), success="Clock resumed.", done_url=url, obj=pause)
    return done or form_page(request, form, title=f"Resume: {pause}", submit="Resume", back=url)


@login_required
def review_explain_delay(request: HttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.DelayForm,
        lambda data, review: services.delay_explain(by=request.user, review=review, **data),
        title="Explain a delay", submit="Save", success="Explanation recorded.", section="review_clocks")
