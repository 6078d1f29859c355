"""Evidence pages: the review's grid, one page per request, its answer (the agency report,
its versions and their comparison), and documents (upload, scoped download, withdraw).

Every page fetches through a model's ``for_user`` (out of scope: 404; in scope but not
allowed: 403) and logs the view; forms go through ``record_form`` and one service each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse

from agencies.views.http import AuthenticatedHttpRequest
from reviews import forms, selectors, services
from reviews.models import (
    AgencyReport,
    EvidenceDocument,
    EvidenceRequest,
    EvidenceSubmission,
    ReportSnapshot,
    Review,
)
from reviews.views import sections
from reviews.views.base import back_to, section_view
from scr.access import scoped_object_or_404
from scr.accesslog import record_access
from scr.documents import document_response
from scr.formviews import record_form
from scr.models import AccessEvent

__all__ = [
    "evidence_accept_many",
    "evidence_document_download",
    "evidence_document_restore",
    "evidence_document_upload",
    "evidence_document_withdraw",
    "evidence_report_edit",
    "evidence_request",
    "evidence_request_accept",
    "evidence_request_acknowledge",
    "evidence_request_add",
    "evidence_request_compare",
    "evidence_request_edit",
    "evidence_request_return",
    "evidence_request_share",
    "evidence_request_submit",
    "evidence_request_withdraw",
    "evidence_submission",
    "factual_check_answer",
    "factual_check_send",
    "review_evidence",
]


review_evidence = section_view("review_evidence", sections.evidence)


def _request_url(obj: Any) -> str:
    return reverse("evidence_request", args=[getattr(obj, "request_id", None) or obj.pk])


def _caption(obj: Any) -> str:
    request = getattr(obj, "request", obj)
    return f"{request.review.reference} – {request}"


@login_required
def evidence_accept_many(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Accept several submitted answers at once (the business manager or the review's own
    reviewer): one page, one button."""
    review = scoped_object_or_404(Review, request.user, "change", pk=pk)
    return record_form(
        request, review, forms.AcceptManyForm,
        lambda data, obj: services.evidence_requests_accept(by=request.user, review=obj,
                                                            requests=data["requests"]),
        title="Accept evidence", submit="Accept the selected evidence",
        success=lambda done: f"{len(done)} accepted.",
        form_kwargs=lambda obj: {"review": obj}, back=back_to("review_evidence"),
        caption=review.reference)


@login_required
def evidence_request_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Send requests to several agencies at once: the business manager or the review's own
    reviewer (``change`` on the review)."""
    review = scoped_object_or_404(Review, request.user, "change", pk=pk)
    return record_form(
        request, review, forms.EvidenceSendForm,
        lambda data, obj: services.evidence_requests_send(by=request.user, review=obj, **data),
        title="Request evidence from agencies", submit="Send requests",
        success="Evidence requested. The agencies' leads have been e-mailed.",
        form_kwargs=lambda obj: {"review": obj}, back=back_to("review_evidence"),
        caption=review.reference)


@login_required
def evidence_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One request: what is asked, its state history, the answer as this person may see it."""
    evidence = scoped_object_or_404(EvidenceRequest, request.user, pk=pk)
    record_access(request, AccessEvent.Action.VIEW, evidence)
    context = selectors.request_page(request.user, evidence)
    if evidence.kind == "chronology":
        context["chronology_url"] = sections.chronology_url(request.user, evidence.review)
    if evidence.is_factual_check and context["actions"].answer:
        context["answer_form"] = forms.FactualAnswerForm(
            initial={"expected_number": context["next_number"]})
    return render(request, "reviews/evidence_request.html", context)


def _request_form(request: AuthenticatedHttpRequest, pk: int, form_class: type,
                  save: Callable[[dict[str, Any], EvidenceRequest], Any], *, action: Any,
                  title: str, submit: str, success: str, **options: Any) -> HttpResponse:
    return record_form(request, EvidenceRequest, form_class, save, pk=pk, action=action,
                       title=title, submit=submit, success=success, back=_request_url,
                       caption=_caption, **options)


@login_required
def evidence_request_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _request_form(
        request, pk, forms.EvidenceEditForm,
        lambda data, obj: services.evidence_request_edit(by=request.user, request=obj, **data),
        action="manage", title="Change the request", submit="Save", success="Request changed.",
        initial=lambda obj: {"description": obj.description, "due_on": obj.due_on})


@login_required
def evidence_request_acknowledge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _request_form(
        request, pk, forms.ConfirmForm,
        lambda data, obj: services.evidence_request_acknowledge(by=request.user, request=obj),
        action="change", title="Acknowledge the request", submit="Acknowledge",
        success="Request acknowledged.",
        intro="Tell the review that your agency has the request and is working on it.")


@login_required
def evidence_request_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _request_form(
        request, pk, forms.SubmitForm,
        lambda data, obj: services.evidence_request_submit(by=request.user, request=obj, **data),
        action="change", title="Submit your answer", submit="Submit", success="Submitted.",
        initial=lambda obj: {"expected_number": obj.submissions.count()},
        form_kwargs=lambda obj: {"kind": obj.kind},
        intro="Submitting sends your answer and any documents not yet submitted to the review. "
              "Each submission is kept as a numbered version that cannot be changed.")


@login_required
def evidence_request_return(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _request_form(
        request, pk, forms.ReturnForm,
        lambda data, obj: services.evidence_request_return(by=request.user, request=obj, **data),
        action="manage", title="Return for more", submit="Return",
        success="Returned. The agency's leads have been e-mailed.")


@login_required
def evidence_request_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _request_form(
        request, pk, forms.ConfirmForm,
        lambda data, obj: services.evidence_request_accept(by=request.user, request=obj),
        action="manage", title="Accept the evidence", submit="Accept", success="Accepted.")


@login_required
def evidence_request_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _request_form(
        request, pk, forms.WithdrawForm,
        lambda data, obj: services.evidence_request_withdraw(by=request.user, request=obj,
                                                             **data),
        action="manage", title="Withdraw the request", submit="Withdraw",
        success="Request withdrawn.", danger=True)


@login_required
def evidence_request_share(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _request_form(
        request, pk, forms.ConfirmForm,
        lambda data, obj: services.evidence_answer_share(by=request.user, request=obj),
        action="manage", title="Share the answer with the panel", submit="Share with the panel",
        success="Shared with the panel.",
        intro="Panel members will be able to read every submitted version and document.")


@login_required
def evidence_report_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The agency report's draft: the agency's leads only (its own form, private)."""
    return _request_form(
        request, pk, forms.AgencyReportForm,
        lambda data, obj: services.agency_report_save(by=request.user, request=obj, **data),
        action="change", title="Agency report (IMR)", submit="Save draft",
        success="Draft saved. Only your agency can see it until you submit it.",
        form_kwargs=lambda obj: {"instance": selectors.draft_for(request.user, obj)
                                 or AgencyReport(request=obj)})


@login_required
def evidence_submission(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One submitted version, as it was submitted."""
    submission = scoped_object_or_404(EvidenceSubmission, request.user, pk=pk)
    record_access(request, AccessEvent.Action.VIEW, submission,
                  review_id=submission.request.review_id)
    return render(request, "reviews/evidence_submission.html",
                  selectors.submission_page(request.user, submission))


@login_required
def evidence_request_compare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Two versions of the answer side by side (``?old=1&new=2``), changes marked."""
    evidence = scoped_object_or_404(EvidenceRequest, request.user, pk=pk)
    context = selectors.compare_page(request.user, evidence, request.GET)
    if context is None:
        raise Http404
    record_access(request, AccessEvent.Action.VIEW, evidence, label="compare")
    return render(request, "reviews/evidence_compare.html", context)


@login_required
def evidence_document_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    replaces = selectors.replaced_document(request.user, pk, request.GET.get("replaces"))
    return _request_form(
        request, pk, forms.DocumentUploadForm,
        lambda data, obj: services.evidence_document_upload(
            by=request.user, request=obj, upload=data["file"], replaces=replaces),
        action="change", submit="Upload", success="Document uploaded.",
        title=f"Replace {replaces.original_filename}" if replaces else "Upload a document")


def _document_form(request: AuthenticatedHttpRequest, pk: int, save: Callable[..., Any], *,
                   title: str, submit: str, success: str) -> HttpResponse:
    return record_form(request, EvidenceDocument, forms.DocumentReasonForm,
                       lambda data, obj: save(by=request.user, document=obj, **data), pk=pk,
                       action="change", title=lambda d: f"{title}: {d.original_filename}",
                       submit=submit, success=success, back=_request_url, caption=_caption)


@login_required
def evidence_document_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _document_form(request, pk, services.evidence_document_withdraw,
                          title="Withdraw", submit="Withdraw", success="Document withdrawn.")


@login_required
def evidence_document_restore(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _document_form(request, pk, services.evidence_document_restore,
                          title="Restore", submit="Restore", success="Document restored.")


@login_required
def evidence_document_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The only way a stored file leaves: scoped (404 outside), logged, an attachment."""
    document = EvidenceDocument._base_manager.filter(pk=pk).first()
    if document is None:
        raise Http404
    return document_response(request, document, lambda user, doc: EvidenceDocument.objects
                             .for_user(user).filter(pk=doc.pk).exists())


@login_required
def factual_check_send(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Send a version of the report to agencies for a factual-accuracy check, each with the
    sections about it: the business manager or the review's reviewer."""
    return record_form(
        request, ReportSnapshot, forms.FactualCheckSendForm,
        lambda data, obj: services.factual_check_send(
            by=request.user, snapshot=obj, agency_sections=data["agency_sections"],
            due_on=data["due_on"], description=data["description"]),
        pk=pk, action="change", title=lambda s: f"Send {s} for factual-accuracy checking",
        submit="Send for checking",
        success="Sent for factual-accuracy checking. The agencies' leads have been e-mailed.",
        form_kwargs=lambda obj: {"snapshot": obj},
        back=lambda s: f"{reverse('snapshot', args=[s.pk])}#factual-checks",
        caption=lambda s: s.review.reference,
        intro="Each agency reads only the sections ticked for it, as they are in this version, "
              "and answers “accurate” or with the corrections needed by the due date.")


@login_required
def factual_check_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The agency's answer to a factual-accuracy check (its leads only; the sections are
    on the request's page)."""
    return _request_form(
        request, pk, forms.FactualAnswerForm,
        lambda data, obj: services.factual_check_answer(by=request.user, request=obj, **data),
        action="change", title="Answer the factual-accuracy check", submit="Send your answer",
        success="Answer sent to the review.",
        initial=lambda obj: {"expected_number": obj.submissions.count()},
        intro="Read the sections on the request's page. Your answer is kept as a numbered "
              "version that cannot be changed.")
