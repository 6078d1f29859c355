"""The pseudonym register: the people page, a person's page with their identifiers and
name variants, and the forms that change them (managers who may see identities only)."""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from agencies.views.http import AuthenticatedHttpRequest
from reviews import forms, services
from reviews.models import NameVariantChoice, Subject, SubjectIdentifier
from reviews.models.scope import can_see_identities
from reviews.selectors import subject_page
from reviews.views import sections
from reviews.views.base import back_to, review_form_view, section_view
from scr.access import scoped_object_or_404
from scr.accesslog import record_access
from scr.formviews import record_form
from scr.models import AccessEvent

__all__ = [
    "name_variant_add",
    "name_variant_choice_withdraw",
    "name_variant_remove",
    "review_people",
    "subject_add",
    "subject_detail",
    "subject_edit",
    "subject_identifier_add",
    "subject_identifier_withdraw",
    "subject_withdraw",
]


review_people = section_view("review_people", sections.people)


def _subject_url(obj: Subject | SubjectIdentifier | NameVariantChoice) -> str:
    return reverse("subject_detail", args=[getattr(obj, "subject_id", obj.pk)])


@login_required
def subject_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A person's page: pseudonym for everyone who sees the review; real name, identifiers
    and name variants only with identifiable access."""
    subject = scoped_object_or_404(Subject, request.user, "view", pk=pk)
    record_access(request, AccessEvent.Action.VIEW, subject)
    identifiable = can_see_identities(request.user, subject.review)
    return render(request, "reviews/subject.html", {
        **sections.section_context(request.user, subject.review, "review_people"),
        **subject_page(subject, identifiable)})


@login_required
def subject_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.PersonInCaseForm,
        lambda data, review: services.subject_add(by=request.user, review=review, **data),
        title="Add a person to the pseudonym register", submit="Add",
        success="Added to the register. Open their page to add other names, addresses and "
                "numbers.",
        section="review_people")


T = TypeVar("T", Subject, SubjectIdentifier, NameVariantChoice)


def _for_manager(request: AuthenticatedHttpRequest, model: type[T], pk: int) -> T:
    record = scoped_object_or_404(model, request.user, "manage", pk=pk)
    subject = record if isinstance(record, Subject) else record.subject
    if not can_see_identities(request.user, subject.review):
        raise PermissionDenied
    return record


@login_required
def subject_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    names = list(forms.SubjectForm.base_fields)

    def save(data: dict, obj: Subject) -> None:
        obj.refresh_from_db()
        services.subject_update(by=request.user, subject=obj, reason=data["reason"],
                                **{n: data[n] for n in names})

    return record_form(request, _for_manager(request, Subject, pk),
                       forms.PersonInCaseEditForm, save,
                       form_kwargs=lambda subject: {"instance": subject}, log_view=True,
                       title=lambda subject: f"Change {subject.pseudonym}", submit="Save",
                       success="Register updated.", back=_subject_url)


@login_required
def subject_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, _for_manager(request, Subject, pk), forms.ReasonMixin,
        lambda data, obj: services.subject_withdraw(by=request.user, subject=obj,
                                                    reason=data["reason"]),
        title=lambda subject: f"Take {subject.pseudonym} off the register",
        submit="Take off the register", success="Taken off the register.",
        back=back_to("review_people"), intro="The record is kept in the history.")


@login_required
def subject_identifier_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, _for_manager(request, Subject, pk), forms.SubjectIdentifierForm,
        lambda data, obj: services.subject_identifier_add(by=request.user, subject=obj, **data),
        title=lambda s: f"Add a name, address or number for {s.pseudonym}", submit="Add",
        success="Identifier added.", back=_subject_url)


@login_required
def subject_identifier_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, _for_manager(request, SubjectIdentifier, pk), forms.ReasonMixin,
        lambda data, obj: services.subject_identifier_withdraw(
            by=request.user, identifier=obj, reason=data["reason"]),
        title=lambda i: f"Remove the {i.get_kind_display().lower()}: {i.value}",
        submit="Remove", success="Identifier removed.", back=_subject_url,
        intro="It will no longer be searched for. The history keeps it.")


@login_required
def name_variant_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, _for_manager(request, Subject, pk), forms.NameVariantForm,
        lambda data, obj: services.name_variant_add(by=request.user, subject=obj, **data),
        title=lambda s: f"Add a name variant for {s.pseudonym}", submit="Add",
        success="Name variant added.", back=_subject_url)


@login_required
def name_variant_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    variant = request.GET.get("variant", "")
    return record_form(
        request, _for_manager(request, Subject, pk), forms.NameVariantRemoveForm,
        lambda data, obj: services.name_variant_remove(by=request.user, subject=obj, **data),
        initial=lambda s: {"variant": variant},
        title=lambda s: f"Stop matching “{variant}” for {s.pseudonym}", submit="Remove",
        success="Name variant removed.", back=_subject_url,
        intro="Only a generated variant that is wrong here should be removed. It can be "
              "restored from the person's page.")


@login_required
def name_variant_choice_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, _for_manager(request, NameVariantChoice, pk), forms.ReasonMixin,
        lambda data, obj: services.name_variant_choice_withdraw(
            by=request.user, choice=obj, reason=data["reason"]),
        title=lambda c: (f"Restore “{c.text}”" if c.action == "removed"
                         else f"Stop matching “{c.text}”"),
        submit="Confirm", success="Name variants updated.", back=_subject_url)
