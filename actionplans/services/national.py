"""Recommendations of national reviews mapped to local actions (docs/action-plans.md,
"National recommendations"). The actions themselves are ordinary actions: created, updated,
verified and closed by the services in ``actions``; this module records the national
report, its recommendations and which local actions answer each."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from actionplans.models import (
    Action,
    NationalRecommendation,
    NationalRecommendationAction,
    NationalReport,
)
from actionplans.services.base import require_manager
from agencies.models import User
from reviews.models import NationalReview
from scr.history import save_with_history
from scr.rules import fresh_locked, require_reason

__all__ = [
    "national_mapping_withdraw",
    "national_recommendation_add",
    "national_recommendation_map",
    "national_report_record",
]


@transaction.atomic(durable=True)
def national_report_record(*, by: User, title: str, published_on: date, url: str = "",
                           national_review: NationalReview | None = None,
                           recommendations: Iterable[str] = ()) -> NationalReport:
    """A national report (the Panel's own, or the national review of one of our reviews),
    with its recommendations numbered in the order given."""
    require_manager(by, "Only a business manager can record a national report.")
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": "Enter the report's title"})
    if published_on > timezone.localdate():
        raise ValidationError({"published_on": "The publication date cannot be in the future"})
    report = NationalReport(title=title, published_on=published_on, url=url or "",
                            national_review=national_review, recorded_by=by)
    report.full_clean()
    save_with_history(report, by=by, reason="National report recorded")
    for text in recommendations:
        if text.strip():
            _add(by, report, text)
    return report


def _add(by: User, report: NationalReport, text: str) -> NationalRecommendation:
    number = report.recommendations.count() + 1
    recommendation = NationalRecommendation(report=report, number=number, text=text.strip())
    recommendation.full_clean()
    return save_with_history(recommendation, by=by, reason="National recommendation recorded")


@transaction.atomic(durable=True)
def national_recommendation_add(*, by: User, report: NationalReport,
                                text: str) -> NationalRecommendation:
    require_manager(by, "Only a business manager can record a national recommendation.")
    if not (text or "").strip():
        raise ValidationError({"text": "Enter the recommendation"})
    return _add(by, fresh_locked(report), text)


@transaction.atomic(durable=True)
def national_recommendation_map(*, by: User, recommendation: NationalRecommendation,
                                action: Action) -> NationalRecommendationAction:
    """Map a local action to a national recommendation: the action is then tracked as any
    other, and the national recommendation's page shows its progress."""
    require_manager(by, "Only a business manager can map an action to a national "
                        "recommendation.")
    if NationalRecommendationAction._base_manager.filter(
            recommendation=recommendation, action=action, withdrawn=False).exists():
        raise ValidationError({"action": "This action is already mapped to the recommendation"})
    mapping = NationalRecommendationAction(recommendation=recommendation, action=action,
                                           linked_by=by)
    return save_with_history(mapping, by=by, reason="Local action mapped to a national "
                                                     "recommendation")


@transaction.atomic(durable=True)
def national_mapping_withdraw(*, by: User, mapping: NationalRecommendationAction,
                              reason: str) -> NationalRecommendationAction:
    require_manager(by, "Only a business manager can withdraw a mapping.")
    reason = require_reason(reason)
    stored = fresh_locked(mapping)
    if stored.withdrawn:
        raise ValidationError("This mapping has already been withdrawn.")
    stored.withdrawn, stored.withdrawal_reason = True, reason
    save_with_history(stored, by=by, reason=reason)
    mapping.refresh_from_db()
    return mapping
