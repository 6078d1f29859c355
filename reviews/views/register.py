"""The pseudonym register: the people page, adding, changing, withdrawing."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from agencies.http import AuthenticatedHttpRequest
from scr.access import scoped_object_or_404
from scr.formviews import record_form

from .. import forms, pageforms, sections, services
from ..access import can_see_identities
from ..models import Subject
from .base import back_to, review_form_view, section_view

__all__ = [
    "review_people",
    "subject_add",
    "subject_edit",
    "subject_withdraw",
]


review_people = section_view("review_people", sections.people)


@login_required
def subject_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, pageforms.PersonInCaseForm,
        lambda data, review: services.subject_add(by=request.user, review=review, **data),
        title="Add a person to the pseudonym register", submit="Add",
        success="Added to the register.", section="review_people")


def _subject_for_manager(request: AuthenticatedHttpRequest, pk: int) -> Subject:
    subject = scoped_object_or_404(Subject, request.user, "manage", pk=pk)
    if not can_see_identities(request.user, subject.review):
        raise PermissionDenied
    return subject


@login_required
def subject_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    names = list(forms.SubjectForm.base_fields)

    def save(data: dict, obj: Subject) -> None:
        obj.refresh_from_db()
        services.subject_update(by=request.user, subject=obj, reason=data["reason"],
                                **{n: data[n] for n in names})

    return record_form(request, _subject_for_manager(request, pk), pageforms.PersonInCaseEditForm,
                       save, form_kwargs=lambda subject: {"instance": subject}, log_view=True,
                       title=lambda subject: f"Change {subject.pseudonym}", submit="Save",
                       success="Register updated.", back=back_to("review_people"))


@login_required
def subject_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, _subject_for_manager(request, pk), forms.ReasonMixin,
        lambda data, obj: services.subject_withdraw(by=request.user, subject=obj,
                                                    reason=data["reason"]),
        title=lambda subject: f"Take {subject.pseudonym} off the register",
        submit="Take off the register", success="Taken off the register.",
        back=back_to("review_people"), intro="The record is kept in the history.")
