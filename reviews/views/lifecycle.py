"""One review's lifecycle: its overview and history, the referral, stage records, moves."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from agencies.models.roles import Role
from agencies.views.http import AuthenticatedHttpRequest
from reviews import forms, services
from reviews.models import Review, Stage
from reviews.selectors import (
    kinds_present,
    move_options,
    narrow_timeline,
    review_history_page,
    review_history_people,
    review_timeline,
    summaries_sentence,
)
from reviews.views import sections
from reviews.views.base import review_form_view, section_view
from reviews.views.sections import section_context
from reviews.workflow import available_moves
from scr.access import role_required, scoped_object_or_404
from scr.accesslog import record_access
from scr.formviews import form_page, handle_form, initial_from
from scr.keyset import without_cursor
from scr.models import AccessEvent

__all__ = [
    "review_create",
    "review_decision",
    "review_detail",
    "review_history",
    "review_move",
    "review_notification",
    "review_rapid_review",
    "review_referral_edit",
]


review_detail = section_view("review", sections.overview)


@login_required
def review_history(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Every change to the review and its records, merged, newest first, filterable by kind
    of record and by person, a page at a time."""
    review = scoped_object_or_404(Review, request.user, "view_history", pk=pk)
    record_access(request, AccessEvent.Action.VIEW, review, label="history")
    kinds = kinds_present(review)
    everything = review_timeline(request.user, review, kinds)
    form = forms.HistoryFilterForm(
        request.GET or None, record_types=[(k.key, k.label) for k in kinds],
        people=review_history_people(request.user, everything))
    page = review_history_page(request.user, narrow_timeline(everything, **form.chosen()),
                               after=request.GET.get("after"), before=request.GET.get("before"))
    return render(request, "reviews/review_history.html", {
        **section_context(request.user, review, "review_history"), "form": form, "page": page,
        "query": without_cursor(request.GET)})


@role_required(Role.BUSINESS_MANAGER)
def review_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = forms.ReferralForm(request.POST or None)
    done = handle_form(request, form,
                       lambda data, _: services.review_create(by=request.user, **data),
                       success="Review opened from the referral.",
                       done_url=lambda review: reverse("review", args=[review.pk]))
    return done or form_page(request, form, title="Record a referral", submit="Open the review",
                     back=reverse("review_list"),
                     intro="A child has died or been seriously harmed and abuse or neglect is "
                           "known or suspected. Record the triggering event.")


@login_required
def review_referral_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    fields = [f for f in forms.ReferralEditForm.base_fields if f != "reason"]

    def save(data: dict, review: Review) -> Review:
        return services.review_update_referral(by=request.user, review=review,
                                               reason=data["reason"],
                                               **{f: data[f] for f in fields})

    return review_form_view(request, pk, forms.ReferralEditForm, save,
                            title="Change the referral", submit="Save",
                            success="Referral updated.",
                            initial=lambda review: {f: getattr(review, f) for f in fields})


@login_required
def review_notification(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.NotificationForm,
        lambda data, review: services.notification_record(by=request.user, review=review, **data),
        title="Record the notification", submit="Save", success="Notification recorded.",
        initial=initial_from(forms.NotificationForm))


@login_required
def review_rapid_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.RapidReviewForm,
        lambda data, review: services.rapid_review_record(by=request.user, review=review, **data),
        title="Record the rapid review", submit="Save", success="Rapid review recorded.",
        initial=initial_from(forms.RapidReviewForm), intro=summaries_sentence)


@login_required
def review_decision(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return review_form_view(
        request, pk, forms.DecisionForm,
        lambda data, review: services.decision_record(by=request.user, review=review, **data),
        title="Record the decision", submit="Save", success="Decision recorded.",
        initial=initial_from(forms.DecisionForm))


@login_required
def review_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Confirm and make one stage move (GET shows what it needs; POST makes it). A form
    sent again after the review moved on (Back, a second tab) says so, with a way back."""
    review = scoped_object_or_404(Review, request.user, pk=pk)
    expected = request.POST.get("expected_from") or request.GET.get("from", "")
    if expected and expected != review.stage:
        return render(request, "reviews/moved.html", {"review": review}, status=409)
    to = request.POST.get("to") or request.GET.get("to", "")
    move = next((m for m in move_options(review, available_moves(review, request.user))
                 if m.to == to), None)
    if move is None or not move.allowed_role:
        raise PermissionDenied
    record_access(request, AccessEvent.Action.VIEW, review, label="stage move")
    form = forms.TransitionForm(request.POST or None,
                                initial={"to": to, "expected_from": review.stage})
    url = reverse("review", args=[review.pk])
    done = move.possible and handle_form(request, form, lambda data, obj: services.review_transition(
        by=request.user, review=obj, to=data["to"], expected_from=data["expected_from"],
        reason=data["reason"]), success=f"Moved to {Stage(to).label}.", done_url=url,
        obj=review)
    return done or render(request, "reviews/move.html", {"form": form, "review": review,
                                                         "move": move, "back": url})
