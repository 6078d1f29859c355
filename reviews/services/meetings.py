"""Meetings and learning events: recording them, their attendees, actions, minutes and,
for practitioner learning events, attendees' feedback (which may be anonymous).

A rapid review meeting's record is where the review's ``rapid_review_meeting_on`` comes
from: recording or moving it sets the review's date through ``update_review`` (the
guard Rapid review → Decision reads that date), the earliest rapid review meeting held.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from agencies.models import Agency, User
from reviews.models import LearningFeedback, Meeting, MeetingAction, MeetingAttendee, MeetingMinutes, Review
from reviews.services import handoffs
from reviews.services.base import open_review_locked, require_changer
from reviews.services.lifecycle import update_review
from scr.documents import document_store_version
from scr.history import mark_history, save_with_history
from scr.rules import fresh_locked, require_reason

__all__ = [
    "learning_feedback_give",
    "meeting_action_add",
    "meeting_action_done",
    "meeting_attendee_add",
    "meeting_minutes_upload",
    "meeting_record",
    "meeting_update",
]


def _require(by: User, meeting_or_review: Meeting | Review) -> None:
    review = meeting_or_review if isinstance(meeting_or_review, Review) else meeting_or_review.review
    require_changer(by, review, "record its meetings")


@transaction.atomic(savepoint=False)
def _sync_rapid_review_date(*, by: User, review: Review, reason: str) -> None:
    """The review's rapid review meeting date is its earliest rapid review meeting's."""
    held = review.meetings.filter(kind=Meeting.Kind.RAPID_REVIEW, withdrawn=False).aggregate(
        first=Min("held_on"))["first"]
    if held is not None and held != review.rapid_review_meeting_on:
        update_review(by=by, review=review, reason=reason,
                       recorded="Rapid review meeting recorded", rapid_review_meeting_on=held)


@transaction.atomic(durable=True)
def meeting_record(*, by: User, review: Review, kind: str, held_on: date, agenda: str = "",
                   notes: str = "", reason: str = "") -> Meeting:
    """Record a meeting that was held. A rapid review meeting sets the review's meeting
    date; changing a date already recorded on the review needs ``reason``."""
    review = open_review_locked(review)
    _require(by, review)
    meeting = Meeting(review=review, kind=kind, held_on=held_on, agenda=agenda, notes=notes)
    meeting.full_clean(exclude=["review"])
    save_with_history(meeting, by=by, reason="Meeting recorded")
    if kind == Meeting.Kind.RAPID_REVIEW:
        _sync_rapid_review_date(by=by, review=review, reason=reason)
    return meeting


@transaction.atomic(durable=True)
def meeting_update(*, by: User, meeting: Meeting, reason: str, **fields: Any) -> Meeting:
    reason = require_reason(reason)
    _require(by, meeting)
    review = open_review_locked(meeting.review)
    stored = fresh_locked(meeting)
    for name in ("held_on", "agenda", "notes"):
        if name in fields:
            setattr(stored, name, fields[name])
    stored.full_clean(exclude=["review"])
    save_with_history(stored, by=by, reason=reason)
    if stored.kind == Meeting.Kind.RAPID_REVIEW:
        _sync_rapid_review_date(by=by, review=review, reason=reason)
    meeting.refresh_from_db()
    return meeting


@transaction.atomic(durable=True)
def meeting_attendee_add(*, by: User, meeting: Meeting, user: User | None = None,
                         role: str = "", agency: Agency | None = None) -> MeetingAttendee:
    _require(by, meeting)
    open_review_locked(meeting.review)
    if user is None and not role.strip():
        raise ValidationError("Select a person, or enter the attendee's role (and agency).")
    if user is not None and meeting.attendees.filter(user=user, withdrawn=False).exists():
        raise ValidationError({"user": f"{user} is already listed as attending"})
    attendee = MeetingAttendee(review_id=meeting.review_id, meeting=meeting, user=user,
                               role=role.strip(), agency=agency)
    save_with_history(attendee, by=by, reason="Attendee recorded")
    if user is not None:  # a learning event's attendee is asked for feedback
        handoffs.notify_learning_event(by=by, meeting=meeting, attendees=[user])
    return attendee


@transaction.atomic(durable=True)
def meeting_action_add(*, by: User, meeting: Meeting, description: str, owner: str,
                       due_on: date) -> MeetingAction:
    _require(by, meeting)
    open_review_locked(meeting.review)
    action = MeetingAction(review_id=meeting.review_id, meeting=meeting,
                           description=description.strip(), owner=owner.strip(), due_on=due_on)
    if due_on < meeting.held_on:
        raise ValidationError({"due_on": "The due date cannot be before the meeting"})
    action.full_clean(exclude=["review", "meeting"])
    return save_with_history(action, by=by, reason="Action arising recorded")


@transaction.atomic(durable=True)
def meeting_action_done(*, by: User, action: MeetingAction, done_on: date) -> MeetingAction:
    _require(by, action.meeting)
    open_review_locked(action.review)
    stored = fresh_locked(action)
    if stored.done_on is not None:
        raise ValidationError("This action is already done. Nothing was changed.")
    if done_on < stored.meeting.held_on:
        raise ValidationError({"done_on": "It cannot be done before the meeting"})
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": "The date cannot be in the future"})
    stored.done_on = done_on
    save_with_history(stored, by=by, reason="Action done")
    action.refresh_from_db()
    return action


@transaction.atomic(durable=True)
def meeting_minutes_upload(*, by: User, meeting: Meeting, upload: File) -> MeetingMinutes:
    """The minutes as a secure document: a new version each upload (scr.documents)."""
    _require(by, meeting)
    open_review_locked(meeting.review)
    return document_store_version(model=MeetingMinutes, by=by, upload=upload, meeting=meeting,
                                  reason="Minutes uploaded")


@transaction.atomic(durable=True)
def learning_feedback_give(*, by: User, meeting: Meeting, what_helped: str,
                           what_could_improve: str, anonymous: bool) -> LearningFeedback:
    """Feedback on a practitioner learning event from someone who may see it. Anonymous
    feedback keeps no link to its author: ``given_by`` stays empty and the history names
    no user (``LearningFeedback.save``)."""
    if not Meeting.objects.for_user(by, "view").filter(pk=meeting.pk).exists():
        raise ValidationError("You cannot give feedback on this meeting.")
    if meeting.kind != Meeting.Kind.LEARNING_EVENT:
        raise ValidationError("Feedback is taken on practitioner learning events only.")
    open_review_locked(meeting.review)
    if not (what_helped.strip() or what_could_improve.strip()):
        raise ValidationError("Enter what helped or what could be better.")
    feedback = LearningFeedback(review_id=meeting.review_id, meeting=meeting,
                                what_helped=what_helped.strip(),
                                what_could_improve=what_could_improve.strip(),
                                given_by=None if anonymous else by)
    mark_history(feedback, by=None, reason="Feedback given")  # save() drops any user anyway
    feedback.save()
    return feedback
