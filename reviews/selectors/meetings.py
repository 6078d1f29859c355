"""Reading a meeting's page and the family involvement log, a fixed number of queries each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch

from reviews.models import FamilyInvolvement, Meeting, MeetingMinutes, Review
from reviews.models.scope import may_change
from reviews.selectors.register import TextShown

if TYPE_CHECKING:
    from agencies.models import User

__all__ = ["family_log", "meeting_page"]


def meeting_page(user: User, meeting: Meeting, shown: TextShown) -> dict[str, Any]:
    """The meeting, its attendees, actions, minutes (latest first) and feedback; free text
    as the person may read it; what they may do here."""
    can_manage = Meeting.objects.for_user(user, "manage").filter(pk=meeting.pk).exists()
    feedback = list(meeting.feedback.select_related("given_by")) if meeting.takes_feedback else []
    return {
        "meeting": meeting, "agenda": shown(meeting.agenda), "notes": shown(meeting.notes),
        "attendees": list(meeting.attendees.filter(withdrawn=False).select_related(
            "user", "agency")),
        "actions": [(a, shown(a.description)) for a in meeting.actions.all()],
        # Files are identifiable papers: listed only to those who may download them.
        "minutes": list(MeetingMinutes.objects.for_user(user).filter(meeting=meeting)),
        "feedback": [(f, shown(f.what_helped), shown(f.what_could_improve)) for f in feedback],
        "can_manage_meeting": can_manage,
    }


def family_log(user: User, review: Review) -> dict[str, Any]:
    """Each family member's involvement with their contacts and comments (three queries)."""
    involvements = list(FamilyInvolvement.objects.for_user(user).filter(review=review)
                        .select_related("subject").prefetch_related(
        "contacts", Prefetch("comments")).order_by("subject__kind", "subject__pseudonym"))
    return {"involvements": involvements,
            "can_keep_log": may_change(user, review)}
