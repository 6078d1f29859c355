"""What every record of a review shares: date rules, scope and history.

``ReviewRecord`` is the abstract base of every model that belongs to one review, so
"every record has scope and history" is built in rather than remembered: it brings the
review-scoped manager (``for_user`` follows the review's own scope) and
``HistoricalRecords(inherit=True)``. The date rules (``date_errors``/``check_dates``)
are the one validator of "not in the future" and "not before what it follows" that
every model's ``clean()`` calls.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agencies.models import User
from scr.actions import Action
from scr.history import EVERY_FIELD

__all__ = [
    "DATE_LABELS",
    "NoOneQuerySet",
    "ReviewRecord",
    "ReviewScopedQuerySet",
    "check_dates",
    "date_errors",
    "review_record_models",
]


DATE_LABELS = {
    "incident_date": "The date of the incident",
    "aware_date": "The date the local authority became aware",
    "notification_sent_on": "The notification date",
    "rapid_review_meeting_on": "The rapid review meeting date",
    "agency_summaries_received_on": "The date summaries were received",
    "rapid_review_report_sent_on": "The date the report was sent",
    "national_panel_reply_on": "The date of the national Panel's reply",
    "decision_date": "The date of the decision",
    "final_report_received_on": "The date the final report was received",
    "national_panel_sent_report_on": "The date the report was sent",
    "published_on": "The publication date",
    "appointed_on": "The date appointed", "ended_on": "The end date",
    "opened_on": "The start date", "cleared_on": "The date cleared",
    "paused_on": "The date paused", "resumed_on": "The date resumed",
    "requested_on": "The date requested", "received_on": "The date received",
    "accepted_on": "The date accepted",
    "records_secured_on": "The date the records were secured",
    "date_of_birth": "The date of birth",
}


def date_errors(record: models.Model, *, past_only: tuple[str, ...] = (),
                order: tuple[tuple[str, str, str], ...] = ()) -> dict[str, str]:
    """The date rules every dated record shares, written once: none of ``past_only`` in
    the future, and each (later, earlier, message) pair in order. Returns field → message."""
    today = timezone.localdate()
    errors: dict[str, str] = {}
    for name in past_only:
        value = getattr(record, name)
        if value and value > today:
            errors[name] = f"{DATE_LABELS.get(name, 'The date')} cannot be in the future"
    for later, earlier, message in order:
        first, then = getattr(record, earlier), getattr(record, later)
        if first and then and then < first:
            errors.setdefault(later, message)
    return errors


def check_dates(record: models.Model, **rules: tuple) -> None:
    errors = date_errors(record, **rules)
    if errors:
        raise ValidationError(errors)


class ReviewScopedQuerySet(models.QuerySet):
    """Records that belong to one review take their scope from that review."""

    review_action: dict[str, Action] = {"view": "view", "change": "manage", "manage": "manage",
                     "view_history": "view_history", "view_identifiable": "view_identifiable"}

    def for_user(self, user: User, action: Action = "view") -> Self:
        mapped = self.review_action.get(action)
        if mapped is None:
            return self.none()
        field = getattr(self.model, "REVIEW_FIELD", "review")
        # The review model as the foreign key names it (first path step): no import of
        # ``lifecycle``, which builds on this module.
        review: Any = self.model._meta.get_field(field.split("__")[0]).related_model
        if "__" in field:
            for step in field.split("__")[1:]:
                review = review._meta.get_field(step).related_model
        return self.filter(**{f"{field}__in": review.objects.for_user(user, mapped).values("pk")})


class NoOneQuerySet(models.QuerySet):
    """Bookkeeping no page shows: in no one's scope."""

    def for_user(self, user: User, action: Action = "view") -> Self:
        return self.none()


class ReviewRecord(models.Model):
    """A record that belongs to one review: scoped by that review, with its history.

    Subclasses declare their own ``review`` foreign key, because each has its own
    ``related_name`` (``subjects``, ``panel``, ``terms``...); ``REVIEW_FIELD`` names it
    for the scope. A subclass with a narrower scope overrides ``objects`` with a
    ``ReviewScopedQuerySet`` subclass (evidence requests do). A many-to-many field whose
    changes belong in the history is named in ``_history_m2m_fields``.
    """

    REVIEW_FIELD: ClassVar[str] = "review"
    # The agency a record belongs to, if it belongs to one and never moves to another (a
    # chronology entry, an evidence request and its answer): the review's timeline keeps it
    # on each version's row (``reviews.models.history``), so that the History page of an
    # agency's lead, who reads only their own agency's such records, walks only the rows of
    # their agency and of no agency. ``None``: the record belongs to no agency (or may move).
    HISTORY_AGENCY_FIELD: ClassVar[str | None] = None

    objects = ReviewScopedQuerySet.as_manager()
    history = HistoricalRecords(inherit=True)
    # Which fields of a version each reader sees in its history (scr.history): by default
    # every field, to whoever the scope lets read the record. A record whose page shows some
    # readers less overrides it.
    history_fields = EVERY_FIELD

    class Meta:
        abstract = True

    @classmethod
    def history_is_review_wide(cls) -> bool:
        """Whoever may read the review's history reads every version of this kind of record
        in it: the model keeps ``history_in`` and the review's own scope (its manager's
        ``for_user`` is ``ReviewScopedQuerySet``'s, ``view_history`` mapped to itself). The
        History page then asks no scope of this kind at all (``reviews.selectors.history``)."""
        if cls.history_in.__func__ is not ReviewRecord.history_in.__func__:  # type: ignore[attr-defined]  # a classmethod is bound
            return False
        scope = type(cls._default_manager.all())
        return getattr(scope, "for_user", None) is ReviewScopedQuerySet.for_user and getattr(
            scope, "review_action", {}).get("view_history") == "view_history"

    @classmethod
    def history_in(cls, user: User, review: models.Model) -> models.QuerySet:
        """This kind of record's history rows in ``review``, for a viewer whom the page has
        already let read the review's history: the rows of the records in the model's own
        ``for_user(user, "view_history")``, the scope the record's own history page checks.
        Where that scope *is* the review's (the manager's ``for_user`` is
        ``ReviewScopedQuerySet``'s own), one plain query (no scope subquery to build again
        per kind of record); a narrower scope is asked, whether or not the subclass also
        overrides this."""
        if cls.history_is_review_wide():
            return cls.history.filter(**{f"{cls.REVIEW_FIELD}_id": review.pk})
        visible = cls._default_manager.for_user(
            user, "view_history").filter(**{cls.REVIEW_FIELD: review})
        return cls.history.filter(id__in=visible.values("pk"))


def review_record_models() -> list[type[ReviewRecord]]:
    """Every kind of record a review has, by name: the parts of its merged history."""
    found = [m for m in apps.get_models() if issubclass(m, ReviewRecord)]
    return sorted(found, key=lambda m: str(m._meta.verbose_name))
