"""The pseudonym register: the people page, a person's page with their identifiers and
name variants, and the forms that change them, the register's import and its template. The
register is kept by those who may change the review and see identities
(``may_keep_register``: business managers and the review's appointed reviewer); the panel
reads it; agency leads and the board never change it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from agencies.views.http import AuthenticatedHttpRequest
from reviews import forms, services
from reviews.formats.register import register_template_csv, register_template_xlsx
from reviews.models import NameVariantChoice, Review, Subject, SubjectIdentifier
from reviews.models.scope import can_see_identities, may_keep_register
from reviews.selectors import subject_page
from reviews.views import sections
from reviews.views.base import back_to, section_view
from scr.access import scoped_object_or_404
from scr.accesslog import mark_case_data, record_access
from scr.documents import attachment
from scr.formviews import handle_form, record_form
from scr.models import AccessEvent

__all__ = [
    "name_variant_add",
    "name_variant_choice_withdraw",
    "name_variant_remove",
    "register_import",
    "register_template",
    "review_people",
    "subject_add",
    "subject_detail",
    "subject_edit",
    "subject_identifier_add",
    "subject_identifier_withdraw",
    "subject_identifiers_add",
    "subject_withdraw",
]


review_people = section_view("review_people", sections.people)


def _subject_url(obj: Subject | SubjectIdentifier | NameVariantChoice) -> str:
    return reverse("subject_detail", args=[getattr(obj, "subject_id", obj.pk)])


@login_required
def subject_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A person's page: pseudonym for everyone who sees the review; real name, identifiers
    (each with its warning if it does not look right) and name variants only with
    identifiable access."""
    subject = scoped_object_or_404(Subject, request.user, "view", pk=pk)
    record_access(request, AccessEvent.Action.VIEW, subject)
    identifiable = can_see_identities(request.user, subject.review)
    return render(request, "reviews/subject.html", {
        **sections.section_context(request.user, subject.review, "review_people"),
        **subject_page(subject, identifiable),
        "can_change_register": may_keep_register(request.user, subject.review)})


def _warnings(identifiers: Iterable[SubjectIdentifier]) -> str:
    odd = [f"{i.get_kind_display()} “{i.value}”: {i.warning}" for i in identifiers if i.warning]
    return (" Check " + " ".join(odd)) if odd else ""


def _keeper_review(request: AuthenticatedHttpRequest, pk: int) -> Review:
    """A review whose register this person keeps: out of scope 404, in scope but not a
    keeper 403."""
    review = scoped_object_or_404(Review, request.user, "view", pk=pk)
    if not may_keep_register(request.user, review):
        raise PermissionDenied
    return review


@login_required
def subject_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = _keeper_review(request, pk)
    return record_form(
        request, review, forms.PersonInCaseForm,
        lambda data, obj: services.subject_add(by=request.user, review=obj, **data),
        title="Add a person to the pseudonym register", submit="Add",
        success=lambda subject: "Added to the register." + _warnings(
            subject.identifiers.all()),
        back=back_to("review_people"), caption=review.reference,
        link=("Import the register from a spreadsheet instead",
              reverse("register_import", args=[review.pk])))


@login_required
def register_import(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Upload the register as a CSV or XLSX file: all rows or none."""
    review = _keeper_review(request, pk)
    back = reverse("review_people", args=[review.pk])
    form = forms.RegisterImportForm(request.POST or None, request.FILES or None)

    def imported(result: services.RegisterImportResult) -> str:
        for warning in result.warnings:
            messages.warning(request, warning)
        return (f"Imported {result.people} {'person' if result.people == 1 else 'people'} and "
                f"{result.identifiers} identifier{'s' if result.identifiers != 1 else ''}.")

    done = handle_form(request, form, lambda data, _: services.register_import(
        by=request.user, review=review, upload=data["file"]), success=imported, done_url=back)
    if done:
        return done
    if request.method == "GET":
        record_access(request, AccessEvent.Action.VIEW, review)
    mark_case_data(request)
    return render(request, "reviews/register_import.html", {
        "form": form, "back": back, "review": review, "caption": review.reference,
        "title": "Import the pseudonym register", "submit": "Import"})


@login_required
def register_template(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    """The empty register template to fill in (no case data)."""
    if fmt == "csv":
        response = HttpResponse(register_template_csv(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            register_template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        raise Http404
    return attachment(response, f"register-template.{fmt}")


T = TypeVar("T", Subject, SubjectIdentifier, NameVariantChoice)


def _for_manager(request: AuthenticatedHttpRequest, model: type[T], pk: int) -> T:
    """A record of the register this person keeps (``may_keep_register``): out of scope
    404, in scope but not a keeper 403."""
    record = scoped_object_or_404(model, request.user, "view", pk=pk)
    subject = record if isinstance(record, Subject) else record.subject
    if not may_keep_register(request.user, subject.review):
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
        success=lambda identifier: "Identifier added." + _warnings([identifier]),
        back=_subject_url,
        link=("Add several at once", reverse("subject_identifiers_add", args=[pk])))


@login_required
def subject_identifiers_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, _for_manager(request, Subject, pk), forms.SubjectIdentifiersForm,
        lambda data, obj: services.subject_identifiers_add(by=request.user, subject=obj,
                                                           **data),
        title=lambda s: f"Add names, addresses and numbers for {s.pseudonym}", submit="Add",
        success=lambda added: (f"{len(added)} identifier{'s' if len(added) != 1 else ''} "
                               "added." + _warnings(added)),
        back=_subject_url)


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
