"""RAG is computed from status, milestones and dates (actionplans/rag.py), never typed: the
rules as a table of cases, each checked through the SQL expression every page uses."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import override_settings

from actionplans.models import Action, ActionStatus, Milestone
from tests.actionplans.helpers import an_action, monitoring_review
from tests.personas import Personas

pytestmark = pytest.mark.django_db

S = ActionStatus
DAY = date(2027, 3, 1)  # the day the RAG is judged on

# (status, target date relative to DAY, late milestone?, expected RAG, why)
CASES = [
    (S.VERIFIED, -30, True, "blue", "verified is complete, whatever the dates"),
    (S.CLOSED, -30, False, "blue", "formally closed is complete"),
    (S.COMPLETED, -30, True, "green", "completed, awaiting verification"),
    (S.IN_PROGRESS, -1, False, "red", "the target date has passed"),
    (S.NOT_STARTED, -1, False, "red", "not started and past the target date"),
    (S.IN_PROGRESS, 200, True, "amber", "a milestone is late"),
    (S.IN_PROGRESS, 0, False, "amber", "due today: within the amber days"),
    (S.IN_PROGRESS, 30, False, "amber", "due within ACTION_RAG_AMBER_DAYS (30)"),
    (S.IN_PROGRESS, 31, False, "green", "in progress, due in 31 days"),
    (S.NOT_STARTED, 90, False, "amber", "not started within ACTION_RAG_NOT_STARTED_AMBER_DAYS"),
    (S.NOT_STARTED, 91, False, "green", "not started, target far enough away"),
]


def _arrange(p: Personas) -> list[Action]:
    review = monitoring_review(p)
    rec = review.recommendations.get()
    actions = []
    for status, days, late_milestone, _rag, _why in CASES:
        action = an_action(p, rec, target_date=date.today() + timedelta(days=400))
        # Arrange the state directly: the table is about the rule, not the moves.
        Action.objects.filter(pk=action.pk).update(
            status=status, target_date=DAY + timedelta(days=days), start_date=DAY - timedelta(
                days=365))
        if late_milestone:
            Milestone.objects.create(review=review, action=action, description="Training",
                                     due_on=DAY - timedelta(days=1))
        Milestone.objects.create(review=review, action=action, description="Done on time",
                                 due_on=DAY - timedelta(days=5), done=True)
        actions.append(action)
    return actions


@override_settings(ACTION_RAG_AMBER_DAYS=30, ACTION_RAG_NOT_STARTED_AMBER_DAYS=90)
def test_rag_rules_as_a_table_of_cases(personas: Personas) -> None:
    actions = _arrange(personas)
    got = dict(Action.objects.with_rag(DAY).values_list("pk", "rag"))
    for action, (status, days, late, expected, why) in zip(actions, CASES, strict=True):
        assert got[action.pk] == expected, f"{why}: {status}, target {days:+d} days, " \
                                           f"late milestone {late}"


@override_settings(ACTION_RAG_AMBER_DAYS=10)
def test_the_amber_window_is_a_setting(personas: Personas) -> None:
    action = an_action(personas, monitoring_review(personas).recommendations.get())
    Action.objects.filter(pk=action.pk).update(status=S.IN_PROGRESS,
                                               target_date=DAY + timedelta(days=20))
    assert Action.objects.with_rag(DAY).get(pk=action.pk).rag == "green"


def test_rag_cannot_be_typed(personas: Personas) -> None:
    assert "rag" not in {f.name for f in Action._meta.get_fields()}
