"""Meetings and learning events, and the family involvement log.

Meetings are the review team's (business manager, reviewer, panel); an agency lead opens
only a meeting they attended (to give feedback on a learning event). The family log is
the team's who hold identifiable access; the business manager and the reviewer keep both.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse

from agencies.models import User
from agencies.views.http import AuthenticatedHttpRequest
from reviews import services
from reviews.forms import (
    ActionDoneForm,
    FamilyCommentForm,
    FamilyContactForm,
    FamilyInvolvementEditForm,
    FamilyInvolvementForm,
    LearningFeedbackForm,
    MeetingActionForm,
    MeetingAttendeeForm,
    MeetingEditForm,
    MeetingForm,
    MinutesForm,
)
from reviews.models import FamilyInvolvement, Meeting, MeetingAction, MeetingMinutes, Review, meeting_reviews
from reviews.selectors import family_log, meeting_page, text_shown_to
from reviews.views.sections import section_context
from scr.access import scoped_object_or_404
from scr.accesslog import record_access
from scr.documents import document_response
from scr.formviews import record_form
from scr.models import AccessEvent

__all__ = [
    "family_comment_add",
    "family_contact_add",
    "family_involvement_add",
    "family_involvement_edit",
    "learning_feedback_add",
    "meeting",
    "meeting_action_add",
    "meeting_action_done",
    "meeting_add",
    "meeting_attendee_add",
    "meeting_edit",
    "meeting_minutes_download",
    "meeting_minutes_upload",
    "review_family",
    "review_meetings",
]


def _team_review(user: User, pk: int) -> Review:
    """In scope but not on the review's team (an agency lead, a board member): 403."""
    review = scoped_object_or_404(Review, user, pk=pk)
    if not meeting_reviews(user).filter(pk=review.pk).exists():
        raise PermissionDenied
    return review


def _meeting_url(obj: Any) -> str:
    return reverse("meeting", args=[getattr(obj, "meeting_id", None) or obj.pk])


def _family_url(obj: Any) -> str:
    return reverse("review_family", args=[obj.review_id])


@login_required
def review_meetings(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = _team_review(request.user, pk)
    record_access(request, AccessEvent.Action.VIEW, review)
    return render(request, "reviews/review_meetings.html", {
        **section_context(request.user, review, "review_meetings"),
        "meetings": list(Meeting.objects.for_user(request.user).filter(
            review=review, withdrawn=False).order_by("-held_on", "-pk")),
        "can_record": meeting_reviews(request.user, "manage").filter(pk=review.pk).exists()})


@login_required
def meeting_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = scoped_object_or_404(Review, request.user, "change", pk=pk)
    return record_form(
        request, review, MeetingForm,
        lambda data, obj: services.meeting_record(by=request.user, review=obj, **data),
        title="Record a meeting", submit="Save", success="Meeting recorded.",
        back=reverse("review_meetings", args=[review.pk]),
        intro="A rapid review meeting's date becomes the review's rapid review meeting date.")


@login_required
def meeting(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One meeting: agenda, notes, attendees, actions, minutes and (learning events) feedback."""
    found = scoped_object_or_404(Meeting, request.user, pk=pk)
    record_access(request, AccessEvent.Action.VIEW, found)
    return render(request, "reviews/meeting.html", {
        **section_context(request.user, found.review, "review_meetings"),
        **meeting_page(request.user, found, text_shown_to(request.user, found.review))})


@login_required
def meeting_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Meeting, MeetingEditForm,
        lambda data, obj: services.meeting_update(by=request.user, meeting=obj, **data),
        pk=pk, title=lambda m: f"Change the {m.get_kind_display().lower()}", submit="Save",
        success="Meeting changed.", back=_meeting_url,
        initial=lambda m: {"held_on": m.held_on, "agenda": m.agenda, "notes": m.notes})


@login_required
def meeting_attendee_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Meeting, MeetingAttendeeForm,
        lambda data, obj: services.meeting_attendee_add(by=request.user, meeting=obj, **data),
        pk=pk, title="Add an attendee", submit="Add", success="Attendee added.",
        back=_meeting_url, caption=str, form_kwargs=lambda m: {"review": m.review})


@login_required
def meeting_action_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Meeting, MeetingActionForm,
        lambda data, obj: services.meeting_action_add(by=request.user, meeting=obj, **data),
        pk=pk, title="Record an action arising", submit="Save", success="Action recorded.",
        back=_meeting_url, caption=str)


@login_required
def meeting_action_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, MeetingAction, ActionDoneForm,
        lambda data, obj: services.meeting_action_done(by=request.user, action=obj, **data),
        pk=pk, title="Mark the action done", submit="Save", success="Action marked done.",
        back=_meeting_url, caption=lambda a: a.description[:80])


@login_required
def meeting_minutes_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Meeting, MinutesForm,
        lambda data, obj: services.meeting_minutes_upload(by=request.user, meeting=obj,
                                                          upload=data["upload"]),
        pk=pk, title="Upload the minutes", submit="Upload", success="Minutes uploaded.",
        back=_meeting_url, caption=str)


@login_required
def meeting_minutes_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    document = scoped_object_or_404(MeetingMinutes, request.user, pk=pk)
    return document_response(request, document, lambda user, doc: MeetingMinutes.objects.for_user(
        user).filter(pk=doc.pk).exists())


@login_required
def learning_feedback_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, Meeting, LearningFeedbackForm,
        lambda data, obj: services.learning_feedback_give(by=request.user, meeting=obj, **data),
        pk=pk, action="view", title="Feedback on the learning event", submit="Send feedback",
        success="Thank you: your feedback was saved.", back=_meeting_url, caption=str)


# ---------------------------------------------------------------- family involvement


@login_required
def review_family(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = scoped_object_or_404(Review, request.user, pk=pk)
    if not meeting_reviews(request.user, "view_identifiable").filter(pk=review.pk).exists():
        raise PermissionDenied  # in scope, but not the team with identifiable access
    record_access(request, AccessEvent.Action.VIEW, review)
    return render(request, "reviews/review_family.html", {
        **section_context(request.user, review, "review_family"),
        **family_log(request.user, review)})


@login_required
def family_involvement_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = scoped_object_or_404(Review, request.user, "change", pk=pk)
    return record_form(
        request, review, FamilyInvolvementForm,
        lambda data, obj: services.family_involvement_record(by=request.user, review=obj, **data),
        title="Add a family member to the log", submit="Save", success="Added to the log.",
        form_kwargs=lambda obj: {"review": obj}, back=reverse("review_family", args=[review.pk]))


@login_required
def family_involvement_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    fields = [f for f in FamilyInvolvementEditForm.base_fields if f != "reason"]
    return record_form(
        request, FamilyInvolvement, FamilyInvolvementEditForm,
        lambda data, obj: services.family_involvement_update(by=request.user, involvement=obj,
                                                             **data),
        pk=pk, title=lambda i: f"Change the log for {i.subject}", submit="Save",
        success="Log updated.", back=_family_url, initial=lambda i: {
            **{f: getattr(i, f) for f in fields}, "invited": "yes" if i.invited else "no"})


@login_required
def family_contact_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, FamilyInvolvement, FamilyContactForm,
        lambda data, obj: services.family_contact_add(by=request.user, involvement=obj, **data),
        pk=pk, title=lambda i: f"Record a contact with {i.subject}", submit="Save",
        success="Contact recorded.", back=_family_url)


@login_required
def family_comment_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return record_form(
        request, FamilyInvolvement, FamilyCommentForm,
        lambda data, obj: services.family_comment_add(by=request.user, involvement=obj, **data),
        pk=pk, title=lambda i: f"Record {i.subject}'s comments on the draft report",
        submit="Save", success="Comments recorded.", back=_family_url,
        form_kwargs=lambda i: {"review": i.review})
