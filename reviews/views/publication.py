"""Report and publication dates, correcting a publication date; the approved version's
PDFs, their leak checks and waivers, publishing; the published-reports library."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from agencies.models.roles import Role
from agencies.views.http import AuthenticatedHttpRequest
from reviews import forms, services
from reviews.forms import (
    DismissNameForm,
    LibrarySearchForm,
    PanelNoticeForm,
    PublishForm,
    RenderForm,
    TakedownForm,
    WaiverForm,
)
from reviews.models import LeakHit, Publication, ReportSnapshot, Review, Stage
from reviews.models.publication import CONFIDENTIAL_KIND
from reviews.models.scope import report_access
from reviews.selectors.publication import (
    REPORT_KINDS,
    approved_snapshot,
    library_search,
    live_publication,
    possible_unregistered_names,
    publication_blockers,
    publishable_render,
    render_rows,
    takedown_due,
)
from reviews.services.publication import RENDER_STAGES
from reviews.views.base import review_form_view
from reviews.views.sections import section_context
from scr import filetypes
from scr.access import scoped_object_or_404
from scr.accesslog import record_access
from scr.documents import file_response, sha256_of
from scr.formviews import initial_from, record_form
from scr.models import AccessEvent, RenderRecord
from scr.reauth import recent_authentication_required

__all__ = [
    "leak_hit_waive",
    "library",
    "library_download",
    "publication_panel_notice",
    "publication_publish",
    "publication_takedown_review",
    "report_render_download",
    "report_render_request",
    "report_renders_status",
    "review_publication",
    "review_publication_correct",
    "review_report_dates",
    "unregistered_name_dismiss",
]

logger = logging.getLogger(__name__)


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


# ---------------------------------------------------------------- the report's PDFs


def _pdf_reader(request: AuthenticatedHttpRequest, pk: int) -> Review:
    """A review whose PDFs this person reads: the drafting team and the review's panel.
    Out of scope 404; in scope without a seat on the report 403."""
    review = scoped_object_or_404(Review, request.user, pk=pk)
    if not report_access(request.user, review).reads_versions:
        raise PermissionDenied
    return review


def _renders(request: AuthenticatedHttpRequest, snapshot: ReportSnapshot | None,
             ) -> dict[str, Any]:
    """What the renders table needs (the page and the table htmx polls)."""
    rows = render_rows(snapshot)
    return {"rows": rows, "may_waive": request.user.has_role(Role.BUSINESS_MANAGER),
            "polling": any(r.record.status in ("queued", "running") for r in rows)}


def _publication_page(request: AuthenticatedHttpRequest, review: Review) -> dict[str, Any]:
    snapshot = approved_snapshot(review)
    drafting = report_access(request.user, review).drafting
    manager = request.user.has_role(Role.BUSINESS_MANAGER)
    blockers = publication_blockers(review)
    publication = live_publication(review)
    renders = _renders(request, snapshot)
    sendable = None if blockers or publication else publishable_render(review)
    notice = next((r.check for r in renders["rows"]
                   if sendable is not None and r.record.pk == sendable.pk), None)
    return {
        **renders, "notice": notice, "may_notify": (manager and notice is not None
                                                    and review.stage in RENDER_STAGES),
        "snapshot": snapshot, "blockers": blockers,
        "publication": publication, "may_render": drafting and review.stage in RENDER_STAGES,
        "may_publish": (manager and not blockers and publication is None
                        and review.stage == Stage.PUBLICATION
                        and notice is not None and notice.panel_notified_on is not None),
        "render_form": RenderForm(),
    }


@login_required
def review_publication(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The approved version's PDFs, their leak checks, and publishing the clean one."""
    review = _pdf_reader(request, pk)
    record_access(request, AccessEvent.Action.VIEW, review, label="publication")
    page = _publication_page(request, review)
    return render(request, "reviews/review_publication.html", {
        **section_context(request.user, review, "review_publication"), **page,
        "possible_names": possible_unregistered_names(review, page["snapshot"])})


@login_required
def report_renders_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The renders table alone (htmx polls it while a render is queued or running)."""
    review = _pdf_reader(request, pk)
    record_access(request, AccessEvent.Action.VIEW, review, label="publication renders")
    return render(request, "reviews/_renders.html", {
        "review": review, **_renders(request, approved_snapshot(review))})


@require_POST
@login_required
def report_render_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = _pdf_reader(request, pk)
    if not report_access(request.user, review).drafting:
        raise PermissionDenied
    form = RenderForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose which PDF to make.")
    else:
        try:
            services.report_render_request(by=request.user, review=review,
                                           kind=form.cleaned_data["kind"])
            messages.success(request, "The PDF is being made.")
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
    return redirect("review_publication", pk=review.pk)


@login_required
def report_render_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """A finished PDF of the report: for the drafting team and the review's panel only
    (anyone else: 404, as if it did not exist); each download an access event."""
    record = get_object_or_404(RenderRecord._base_manager, pk=pk, kind__in=REPORT_KINDS,
                               status=RenderRecord.Status.DONE)
    snapshot = get_object_or_404(ReportSnapshot._base_manager, pk=record.object_id)
    review = scoped_object_or_404(Review, request.user, pk=snapshot.review_id)
    if not report_access(request.user, review).reads_versions:
        raise Http404
    confidential = record.kind == CONFIDENTIAL_KIND
    name = f"{review.reference}-{'CONFIDENTIAL' if confidential else 'anonymised'}-v{snapshot.number}.pdf"
    return file_response(request, record.file.open("rb"), filename=name,
                         content_type=filetypes.PDF, logged=review,
                         label=f"{record.kind} render {record.pk}")


@login_required
@recent_authentication_required
def leak_hit_waive(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A business manager waives one hit, with a reason (re-authenticated first)."""
    return record_form(
        request, LeakHit, WaiverForm,
        lambda data, hit: services.leak_hit_waive(by=request.user, hit=hit, **data),
        pk=pk, action="manage", title=lambda h: f"Waive the hit on page {h.page}",
        submit="Waive this hit", success="Hit waived.",
        back=lambda h: reverse("review_publication", args=[h.review_id]),
        caption=lambda h: h.review.reference,
        intro=lambda h: f"Found: “{h.matched}” ({h.kind}) – “{h.context}”.")


@login_required
def publication_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, PublishForm,
        lambda data, review: services.publication_publish(by=request.user, review=review,
                                                          **data),
        section="review_publication", title="Publish the report", submit="Publish",
        success="Published: the anonymised PDF is in the library.",
        intro="The clean (or waived) anonymised PDF of the approved version is published "
              "as it is, and never changed afterwards.")


@login_required
def unregistered_name_dismiss(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Dismiss a possible unregistered name (the Publication page links here with it)."""
    return record_form(
        request, Review, DismissNameForm,
        lambda data, review: services.unregistered_name_dismiss(by=request.user, review=review,
                                                                **data),
        pk=pk, action="change", title="Dismiss a possible name", submit="Dismiss it",
        success="Dismissed: it is no longer listed.",
        back=lambda review: reverse("review_publication", args=[review.pk]),
        caption=lambda review: review.reference,
        initial=lambda review: {"name": request.GET.get("name", "")[:100]},
        intro="Dismiss it only if it is nobody's name (a place, a building, a word). If it "
              "is a person's name, register the person instead: the anonymiser then "
              "replaces it.")


@login_required
def publication_panel_notice(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, PanelNoticeForm,
        lambda data, review: services.panel_notice_record(by=request.user, review=review,
                                                          **data),
        section="review_publication", title="Record the notice to the national Panel",
        submit="Record the notice",
        success="Recorded: this PDF was sent to the national Panel.",
        intro="Send the national Panel the clean (or waived) anonymised PDF shown on the "
              "Publication page, at least 7 working days before publication, then record "
              "the day you sent it. Only the PDF the Panel was sent can be published.")


# ---------------------------------------------------------------- the library


@login_required
def library(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The published-reports library: every signed-in person; anonymised PDFs only."""
    years = sorted({d.year for d in Publication.objects.for_user(request.user, "view").filter(
        status=Publication.Status.PUBLISHED).values_list("published_on", flat=True)},
        reverse=True)
    form = LibrarySearchForm(request.GET or None, years=years)
    criteria: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        criteria = {"text": data["q"] or "", "year": data["year"],
                    "theme": data["theme"].pk if data["theme"] else None}
    found = library_search(request.user, **criteria) if not form.errors else []
    return render(request, "reviews/library.html", {
        "form": form, "publications": found, "searched": bool(request.GET),
        "due": takedown_due(request.user)})


@login_required
def library_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """A published PDF, checked against its SHA-256 before it is sent (read in chunks, then
    streamed from the same open file): a file that changed is refused (and logged), never
    served."""
    publication = scoped_object_or_404(Publication, request.user, "view", pk=pk,
                                       status=Publication.Status.PUBLISHED)
    stored = publication.file.open("rb")
    if sha256_of(stored) != publication.sha256:
        stored.close()
        logger.error("Published PDF %s (%s) does not match its SHA-256: refused",
                     publication.pk, publication.review_id)
        return render(request, "reviews/publication_integrity.html",
                      {"publication": publication}, status=500)
    return file_response(request, stored, filename=f"{publication.review.reference}-published.pdf",
                         content_type=filetypes.PDF, logged=publication)


@login_required
def publication_takedown_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Publication, TakedownForm,
        lambda data, pub: services.publication_takedown_decide(by=request.user,
                                                               publication=pub, **data),
        pk=pk, action="manage", title=lambda p: f"Takedown review: {p.title}",
        submit="Record the decision", success="Decision recorded.",
        back=lambda p: reverse("library"), caption=lambda p: p.review.reference,
        intro=lambda p: f"Published {p.published_on:%-d %B %Y}; review due "
                        f"{p.takedown_review_on:%-d %B %Y}. Keeping it sets the next review "
                        "12 months on; withdrawing removes it from the library (the record "
                        "stays).")
