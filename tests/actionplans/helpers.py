"""Arrange helpers for action-plan tests: a review in Monitoring with recommendations, and
actions made through the service."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from actionplans import services
from actionplans.models import Action, ActionPlan
from agencies.models import Agency
from reviews import services as review_services
from reviews.models import Finding, Recommendation, Review, Stage
from tests.personas import Personas, at_stage, publish

CHILD = "Kayden Smith"


def today() -> date:
    return timezone.localdate()


def monitoring_review(p: Personas, involved: list[Agency] | None = None,
                      recommendations: int = 1) -> Review:
    """A published review at Action plan and monitoring, the child Kayden Smith ("Child A")
    in its register, with ``recommendations`` recommendations whose text names the child."""
    involved = involved or [p.police, p.social_care]
    review = review_services.review_create(
        by=p.manager, incident_date=today() - timedelta(days=400),
        aware_date=today() - timedelta(days=399), what_happened="Kayden Smith was injured.",
        harm=Review.Harm.SERIOUS_HARM, abuse_or_neglect=Review.AbuseNeglect.SUSPECTED,
        criteria_met=True, referring_agency=involved[0], agencies_involved=involved)
    review_services.subject_add(by=p.manager, review=review, kind="child", pseudonym="Child A",
                                full_name=CHILD)
    publish(review, p.manager)
    at_stage(review, Stage.MONITORING)
    for n in range(1, recommendations + 1):
        add_recommendation(p, review, n)
    return review


def add_recommendation(p: Personas, review: Review, number: int) -> Recommendation:
    finding = Finding.objects.create(
        review=review, number=number, title=f"Finding {number}",
        statement="Information about Kayden Smith was not shared.",
        why_it_matters="It happens across the area.", created_by=p.reviewer)
    rec = Recommendation.objects.create(
        review=review, number=number,
        text=f"Police and health should share what they know about children like {CHILD}.",
        scope=Recommendation.Scope.LOCAL, outcome_expected="Strategy meetings hear from police.",
        created_by=p.reviewer)
    rec.findings.add(finding)
    return rec


def an_action(p: Personas, rec: Recommendation, **fields: Any) -> Action:
    values: dict[str, Any] = {
        "scope": "local", "action_text": f"Audit strategy meetings about {CHILD}'s school.",
        "lead_agency": p.police, "owner": p.police_lead,
        "target_date": today() + timedelta(days=120),
        "success_measure": "Police attend 95% of strategy meetings."}
    values.update(fields)
    return services.action_create(by=p.manager, recommendation=rec, **values)


def sign_off_arranged(review: Review, by: Any) -> ActionPlan:
    """Arrange only: the board's sign-off of the plan's closure recorded (for tests of the
    review's own moves that are not about action plans)."""
    plan, _ = ActionPlan.objects.get_or_create(review=review, defaults={"created_by": by})
    plan.closure_signed_off_at = timezone.now() + timedelta(seconds=1)
    plan.closure_signed_off_by = by
    plan.save()
    return plan
