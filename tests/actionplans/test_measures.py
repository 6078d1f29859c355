"""Measured impact: an action's baseline and measurements, recorded by its agency's lead or
a business manager, shown as a table and chart; the plan says which measures moved; the
board sees the recommendations done but not shown to work."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actionplans import services
from actionplans.models import Action, ImpactEvidence, Measurement
from actionplans.selectors import plan_measure_summary, unmoved_recommendations
from tests.actionplans.helpers import an_action, monitoring_review, today
from tests.personas import Personas, client_for

pytestmark = pytest.mark.django_db


def baseline(p: Personas, action: Action, value: str = "40", days_ago: int = 60,
             better: str = "higher") -> Measurement:
    return services.measurement_record(
        by=p.police_lead, action=action, value=Decimal(value), unit="%",
        measured_on=today() - timedelta(days=days_ago), source="Audit of strategy meetings",
        is_baseline=True, improves_when=better)


def measure(p: Personas, action: Action, value: str, days_ago: int = 10, by: Any = None,
            **evidence: Any) -> Measurement:
    return services.measurement_record(
        by=by or p.police_lead, action=action, value=Decimal(value), unit="%",
        measured_on=today() - timedelta(days=days_ago), source="Re-audit", **evidence)


def test_the_agency_lead_records_a_baseline_and_measurements_with_history(
        personas: Personas) -> None:
    action = an_action(personas, monitoring_review(personas).recommendations.get())
    base = baseline(personas, action)
    later = measure(personas, action, "65", evidence_title="Re-audit report",
                    upload=SimpleUploadedFile("audit.txt", b"Police attended 65 of 100.\n"))
    assert base.history.get().history_user == personas.police_lead
    assert later.evidence == ImpactEvidence.objects.get(action=action, title="Re-audit report")
    [(_, series)] = plan_measure_summary(Action.objects.filter(pk=action.pk))
    assert series.summary == "Went up from 40% to 65% (an improvement)."
    measure(personas, action, "30", days_ago=1, by=personas.manager)
    [(_, series)] = plan_measure_summary(Action.objects.filter(pk=action.pk))
    assert series.summary == "Went down from 40% to 30% (the wrong way)."


def test_a_lower_is_better_measure_that_went_down_improved(personas: Personas) -> None:
    action = an_action(personas, monitoring_review(personas).recommendations.get())
    baseline(personas, action, "12", better="lower")
    measure(personas, action, "5")
    [(_, series)] = plan_measure_summary(Action.objects.filter(pk=action.pk))
    assert series.improved and series.move == "down"


@pytest.mark.parametrize("who", ["health_lead", "board", "reviewer"])
def test_only_the_actions_agency_lead_or_a_manager_may_record(personas: Personas,
                                                              who: str) -> None:
    action = an_action(personas, monitoring_review(personas).recommendations.get())
    with pytest.raises(ValidationError, match="You cannot change this action"):
        services.measurement_record(by=getattr(personas, who), action=action,
                                    value=Decimal(1), measured_on=today(), source="x",
                                    is_baseline=True, improves_when="higher")
    assert not Measurement.objects.exists()


def test_bad_measurements_are_refused_and_nothing_is_saved(personas: Personas) -> None:
    action = an_action(personas, monitoring_review(personas).recommendations.get())
    with pytest.raises(ValidationError, match="Record the baseline first"):
        measure(personas, action, "50")
    with pytest.raises(ValidationError) as error:
        baseline(personas, action, better="")
    assert "improves_when" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        baseline(personas, action, days_ago=-1)
    assert "today or in the past" in str(error.value)
    baseline(personas, action, days_ago=30)
    with pytest.raises(ValidationError, match="already has a baseline"):
        baseline(personas, action)
    with pytest.raises(ValidationError, match="on or after the baseline"):
        measure(personas, action, "50", days_ago=31)
    assert Measurement.objects.count() == 1


def test_a_measurement_is_withdrawn_with_a_reason_not_deleted(personas: Personas) -> None:
    action = an_action(personas, monitoring_review(personas).recommendations.get())
    base = baseline(personas, action)
    with pytest.raises(ValidationError):
        services.measurement_withdraw(by=personas.police_lead, measurement=base, reason=" ")
    services.measurement_withdraw(by=personas.police_lead, measurement=base,
                                  reason="Typed the wrong audit")
    base.refresh_from_db()
    assert base.withdrawn and base.history.first().history_change_reason == "Typed the wrong audit"
    baseline(personas, action, "41")  # a new baseline once the old one is withdrawn


def test_the_action_page_shows_the_table_and_an_accessible_chart(personas: Personas) -> None:
    action = an_action(personas, monitoring_review(personas).recommendations.get())
    baseline(personas, action)
    measure(personas, action, "65")
    page = client_for(personas.police_lead).get(reverse("action", args=[action.pk]))
    html = page.content.decode()
    assert 'id="measurements"' in html and 'role="img"' in html and "<desc" in html
    assert "baseline " in html and "65%" in html
    plan = client_for(personas.manager).get(reverse("action_plan", args=[action.review_id]))
    assert "Went up from 40% to 65% (an improvement)." in plan.content.decode()
    assert client_for(personas.health_lead).get(
        reverse("measurement_add", args=[action.pk])).status_code == 404


def test_the_board_sees_recommendations_done_whose_measures_did_not_move(
        personas: Personas) -> None:
    review = monitoring_review(personas, recommendations=3)
    recs = list(review.recommendations.order_by("number"))
    still, improved, open_ = (an_action(personas, r) for r in recs)
    for action, later in ((still, "40"), (improved, "70")):
        baseline(personas, action)
        measure(personas, action, later)
    baseline(personas, open_)
    for action in (still, improved):
        services.action_close(by=personas.manager, action=action, reason="Superseded")
    found = unmoved_recommendations(personas.board)
    assert [(r.reference, r.number) for r in found] == [(review.reference, 1)]
    assert unmoved_recommendations(personas.health_lead) == []
    page = client_for(personas.board).get(reverse("board_actions")).content.decode()
    assert "Recommendation 1" in page and "Recommendation 2" not in page.split('id="unmoved"')[1]
