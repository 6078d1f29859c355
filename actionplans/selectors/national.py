"""Reads of national reports: each recommendation with the local actions mapped to it that
this person may read, and their progress."""

from __future__ import annotations

from dataclasses import dataclass

from actionplans.models import (
    Action,
    NationalRecommendation,
    NationalRecommendationAction,
    NationalReport,
)
from agencies.models import User

__all__ = ["NationalRow", "national_report_page"]


@dataclass(frozen=True)
class NationalRow:
    recommendation: NationalRecommendation
    actions: tuple[Action, ...]


def national_report_page(user: User, report: NationalReport) -> list[NationalRow]:
    """Every recommendation of the report with its mapped actions (withdrawn mappings left
    out), three queries whatever the size."""
    recommendations = list(NationalRecommendation.objects.for_user(user).filter(report=report))
    mapped: dict[int, list[Action]] = {}
    for mapping in (NationalRecommendationAction.objects.for_user(user, "view")
                    .filter(recommendation__report=report, withdrawn=False)
                    .select_related("action__review", "action__lead_agency",
                                    "action__recommendation")
                    .order_by("action__review__reference", "action__recommendation__number",
                              "action__number")):
        mapped.setdefault(mapping.recommendation_id, []).append(mapping.action)
    return [NationalRow(r, tuple(mapped.get(r.pk, []))) for r in recommendations]
