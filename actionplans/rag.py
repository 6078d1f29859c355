"""The RAG of an action, computed from its status, milestones and dates (never typed).

One definition, as a SQL expression, so lists, exports, the digest and the board's counts
over every action all read the same rule (and the board's figures are one query). The
rules, first match wins (docs/action-plans.md; the day counts are settings):

| # | when | RAG |
|---|---|---|
| 1 | verified, or formally closed | blue (complete) |
| 2 | completed (awaiting verification) | green |
| 3 | the target date has passed | red |
| 4 | a milestone's date has passed and it is not done | amber |
| 5 | the target date is within ``ACTION_RAG_AMBER_DAYS`` (30) | amber |
| 6 | not started and the target date is within ``ACTION_RAG_NOT_STARTED_AMBER_DAYS`` (90) | amber |
| 7 | otherwise | green |
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Case, Value, When
from django.utils import timezone

__all__ = ["rag_expression"]


def rag_expression(on: date | None = None) -> Case:
    """The RAG of each action of a queryset on the day ``on`` (today by default)."""
    from actionplans.models import FINISHED, ActionStatus, Milestone, Rag

    today = on or timezone.localdate()
    # Uncorrelated ("id IN (...)"): PostgreSQL hashes the late milestones' actions once
    # rather than probing the milestones once per action (the board counts 100,000 actions).
    late_milestone = Milestone._base_manager.filter(done=False, due_on__lt=today).values(
        "action_id")
    return Case(
        When(status__in=sorted(FINISHED), then=Value(Rag.BLUE)),
        When(status=ActionStatus.COMPLETED, then=Value(Rag.GREEN)),
        When(target_date__lt=today, then=Value(Rag.RED)),
        When(pk__in=late_milestone, then=Value(Rag.AMBER)),
        When(target_date__lte=today + timedelta(days=settings.ACTION_RAG_AMBER_DAYS),
             then=Value(Rag.AMBER)),
        When(status=ActionStatus.NOT_STARTED,
             target_date__lte=today + timedelta(days=settings.ACTION_RAG_NOT_STARTED_AMBER_DAYS),
             then=Value(Rag.AMBER)),
        default=Value(Rag.GREEN),
        output_field=models.CharField(),
    )
