"""The national Panel page of a review: the rapid review report to send (its PDFs), the
Panel's replies with the step each led to, and national reviews recorded against the review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from agencies.models.roles import Role
from agencies.views.http import AuthenticatedHttpRequest
from reviews import services
from reviews.forms import NationalReviewForm, PanelReplyForm
from reviews.models import NationalReview, PanelReply, Review
from reviews.selectors.publication import render_rows_of
from reviews.services.national import (
    PANEL_REPLY_STAGES,
    RAPID_REVIEW_REPORT_KIND,
    RAPID_REVIEW_REPORT_STAGES,
)
from reviews.views.base import review_form_view
from reviews.views.sections import section_context
from scr import filetypes
from scr.access import scoped_object_or_404
from scr.accesslog import record_access
from scr.documents import file_response
from scr.formviews import initial_from, record_form
from scr.models import AccessEvent, RenderRecord

__all__ = ["national_review_update", "panel_reply_add", "rapid_review_report_download",
           "rapid_review_report_render", "review_national_panel"]


def _identifiable_review(request: AuthenticatedHttpRequest, pk: int) -> Review:
    """Out of scope 404; in scope without identifiable access (the board) 403."""
    review = scoped_object_or_404(Review, request.user, "view", pk=pk)
    if not Review.objects.for_user(request.user, "view_identifiable").filter(pk=pk).exists():
        raise PermissionDenied
    return review


@login_required
def review_national_panel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = _identifiable_review(request, pk)
    record_access(request, AccessEvent.Action.VIEW, review)
    manager = request.user.has_role(Role.BUSINESS_MANAGER)
    rows = render_rows_of(review, (RAPID_REVIEW_REPORT_KIND,))
    return render(request, "reviews/review_national_panel.html", {
        **section_context(request.user, review, "review"),
        "rows": rows, "manager": manager,
        "replies": PanelReply.objects.for_user(request.user, "view").filter(
            review=review).select_related("recorded_by"),
        "national_reviews": NationalReview.objects.for_user(request.user, "view").filter(
            review=review),
        "may_render": manager and review.stage in RAPID_REVIEW_REPORT_STAGES,
        "may_reply": manager and review.stage in PANEL_REPLY_STAGES})


@require_POST
@login_required
def rapid_review_report_render(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = scoped_object_or_404(Review, request.user, "manage", pk=pk)
    try:
        services.rapid_review_report_request(by=request.user, review=review)
        messages.success(request, "The rapid review report is being made.")
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    return redirect("review_national_panel", pk=review.pk)


@login_required
def rapid_review_report_download(request: AuthenticatedHttpRequest,
                                 pk: int) -> HttpResponseBase:
    """The confidential rapid review report: those with identifiable access to the review."""
    record = get_object_or_404(RenderRecord._base_manager, pk=pk, kind=RAPID_REVIEW_REPORT_KIND,
                               status=RenderRecord.Status.DONE)
    review = get_object_or_404(Review.objects.for_user(request.user, "view_identifiable"),
                               pk=record.object_id)
    return file_response(request, record.file, sha256=record.sha256,
                         filename=f"{review.reference}-rapid-review-CONFIDENTIAL.pdf",
                         content_type=filetypes.PDF, logged=review,
                         label=f"{record.kind} render {record.pk}")


@login_required
def panel_reply_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, PanelReplyForm,
        lambda data, review: services.panel_reply_record(by=request.user, review=review, **data),
        section="review_national_panel", title="Record the national Panel's reply",
        submit="Record the reply", success="The Panel's reply is recorded.",
        intro="Disagreeing with the decision reopens it for the partnership to reconsider; "
              "considering a national review records one against this review.")


@login_required
def national_review_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, NationalReview, NationalReviewForm,
        lambda data, obj: services.national_review_update(by=request.user,
                                                          national_review=obj, **data),
        pk=pk, action="manage", title="Update the national review", submit="Save",
        success="National review updated.",
        back=lambda n: reverse("review_national_panel", args=[n.review_id]),
        caption=lambda n: n.review.reference, initial=initial_from(NationalReviewForm))
