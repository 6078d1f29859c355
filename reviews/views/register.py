"""The pseudonym register: the people page, adding, changing, withdrawing."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from scr.access import scoped_object_or_404
from scr.accesslog import record_access
from scr.formviews import form_page, handle_form
from scr.models import AccessEvent

from .. import forms, pageforms, sections, services
from ..access import can_see_identities
from ..models import (
    Subject,
)
from .base import review_form_view, section_view

__all__ = [
    "review_people",
    "subject_add",
    "subject_edit",
    "subject_withdraw",
]


review_people = section_view("review_people", sections.people)


@login_required
def subject_add(request: HttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, pageforms.PersonInCaseForm,
        lambda data, review: services.subject_add(by=request.user, review=review, **data),
        title="Add a person to the pseudonym register", submit="Add",
        success="Added to the register.", section="review_people")


def _subject_for_manager(request: HttpRequest, pk: int) -> Subject:
    subject = scoped_object_or_404(Subject, request.user, "manage", pk=pk)
    if not can_see_identities(request.user, subject.review):
        raise PermissionDenied
    return subject


@login_required
def subject_edit(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _subject_for_manager(request, pk)
    if request.method == "GET":
        record_access(request, AccessEvent.Action.VIEW, subject)
    names = list(forms.SubjectForm.base_fields)
    form = pageforms.PersonInCaseEditForm(request.POST or None, instance=subject)
    url = reverse("review_people", args=[subject.review_id])

    def save(data: dict, obj: Subject) -> None:
        obj.refresh_from_db()
        services.subject_update(by=request.user, subject=obj, reason=data["reason"],
                                **{n: data[n] for n in names})

    done = handle_form(request, form, save, success="Register updated.", done_url=url,
                       obj=subject)
    return done or form_page(request, form, title=f"Change {subject.pseudonym}", submit="Save",
                             back=url)


@login_required
def subject_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _subject_for_manager(request, pk)
    form = forms.ReasonMixin(request.POST or None)
    url = reverse("review_people", args=[subject.review_id])
    done = handle_form(request, form, lambda data, obj: services.subject_withdraw(
        by=request.user, subject=obj, reason=data["reason"]), success="Taken off the register.",
        done_url=url, obj=subject)
    return done or form_page(request, form, title=f"Take {subject.pseudonym} off the register",
                             submit="Take off the register", back=url,
                             intro="The record is kept in the history.")
