"""What the review service tests share: a referral, a review opened from one, an
appointment, terms of reference, and checks that nothing was saved."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from agencies.models import Agency, User
from reviews import services
from reviews.models import (
    InvolvedAgency,
    PanelAppointment,
    Review,
    ReviewGroupObjectPermission,
    TermsOfReference,
)
from reviews.selectors.clocks import Clock, review_clocks
from tests.conftest import Personas


def today() -> date:
    return timezone.localdate()


def open_review(p: Personas, *, incident_date: date | None = None, aware_date: date | None = None,
                involved: list[Agency] | None = None, **extra: Any) -> Review:
    aware = aware_date or today() - timedelta(days=3)
    return services.review_create(
        by=p.manager, incident_date=incident_date or aware - timedelta(days=2), aware_date=aware,
        what_happened="An infant was admitted with unexplained injuries",
        harm=Review.Harm.SERIOUS_HARM, abuse_or_neglect=Review.AbuseNeglect.SUSPECTED,
        criteria_met=True, referring_agency=p.social_care,
        agencies_involved=[p.police, p.health] if involved is None else involved, **extra)


def referral(p: Personas, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "by": p.manager, "incident_date": today() - timedelta(days=10),
        "aware_date": today() - timedelta(days=5), "what_happened": "A child died at home",
        "harm": Review.Harm.DEATH, "abuse_or_neglect": Review.AbuseNeglect.KNOWN,
        "criteria_met": True, "referring_agency": p.social_care,
        "agencies_involved": [p.police, p.health],
    }
    fields.update(overrides)
    return fields


def assert_nothing_saved() -> None:
    assert Review.objects.count() == 0
    assert Review.history.count() == 0
    assert InvolvedAgency.objects.count() == 0
    assert ReviewGroupObjectPermission.objects.count() == 0


def clock(review: Review, kind: str) -> Clock:
    return next(c for c in review_clocks(review) if c.kind == kind)


def appoint(p: Personas, review: Review, user: User,
            role: str = PanelAppointment.PanelRole.REVIEWER) -> PanelAppointment:
    return services.panel_appoint(by=p.manager, review=review, user=user, panel_role=role,
                                  independence_declaration="No connection with the case or "
                                                           "any agency involved")


def visible_to(user: User, action: str = "view") -> set[int]:
    return set(Review.objects.for_user(user, action).values_list("pk", flat=True))



def save_terms(p: Personas, review: Review, expected_version: int, **overrides: Any
               ) -> TermsOfReference:
    fields: dict[str, Any] = {
        "scope_start": today() - timedelta(days=400), "scope_end": today() - timedelta(days=30),
        "key_lines_of_enquiry": "Was the risk to the baby recognised?",
        "method": TermsOfReference.Method.SYSTEMS, "agencies_in_scope": [p.police, p.health],
    }
    fields.update(overrides)
    return services.terms_create(by=p.manager, review=review, expected_version=expected_version,
                                 **fields)

