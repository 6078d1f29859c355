"""The national Panel (issue 21, item 5): the rapid review report assembled from what is
recorded, the Panel's reply as a structured outcome with the step each outcome leads to, and
national recommendations mapped to local actions."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from actionplans import services as plans
from actionplans.models import NationalRecommendationAction
from reviews import services
from reviews.models import (
    EvidenceKind,
    NationalReview,
    PanelReply,
    Review,
    Stage,
    StageChange,
)
from reviews.services.national import RAPID_REVIEW_REPORT_KIND
from scr.anonymise import pdf_pages
from scr.models import RenderRecord
from scr.renders import render_run
from tests.conftest import Personas, at_stage


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def today() -> date:
    return timezone.localdate()


def decided(p: Personas, decision: str = Review.Decision.NO_REVIEW,
            stage: str = Stage.DECISION) -> Review:
    review = services.review_create(
        by=p.manager, incident_date=today() - timedelta(days=30),
        aware_date=today() - timedelta(days=29),
        what_happened="Kayden Smith was admitted with a fracture.",
        harm=Review.Harm.SERIOUS_HARM, abuse_or_neglect=Review.AbuseNeglect.SUSPECTED,
        criteria_met=True, referring_agency=p.social_care, agencies_involved=[p.police])
    services.subject_add(by=p.manager, review=review, kind="child", pseudonym="Child A",
                         full_name="Kayden Smith")
    at_stage(review, Stage.DECISION)
    services.decision_record(by=p.manager, review=review, decision=decision,
                             decision_date=today() - timedelta(days=10),
                             decision_reasons="The learning is already known locally.")
    if stage == Stage.NO_REVIEW:
        services.review_transition(by=p.manager, review=review, to=Stage.NO_REVIEW,
                                   expected_from=Stage.DECISION)
    elif stage != Stage.DECISION:
        at_stage(review, stage)
    return review


def test_the_rapid_review_report_states_summaries_chronology_and_the_decision(
        personas: Personas) -> None:
    p = personas
    review = decided(p)
    request = services.evidence_request_create(
        by=p.manager, review=review, agency=p.police, kind=EvidenceKind.SUMMARY,
        due_on=today() + timedelta(days=3), description="Rapid review summary")
    services.evidence_request_submit(by=p.police_lead, request=request, expected_number=0,
                                     note="Police attended twice; no referral was made.")
    services.chronology_entry_add(by=p.police_lead, review=review, agency=p.police,
                                  occurred_on=today() - timedelta(days=40), source="Log",
                                  what_happened="Officers attended a domestic incident.",
                                  practitioner_role="PC", child_seen=False,
                                  significance="key")
    services.chronology_submit(by=p.police_lead, review=review, agency=p.police)
    with pytest.raises(ValidationError, match="Only a business manager"):
        services.rapid_review_report_request(by=p.reviewer, review=review)
    record = services.rapid_review_report_request(by=p.manager, review=review)
    done = render_run(record.pk) or RenderRecord.objects.get(pk=record.pk)
    assert done.kind == RAPID_REVIEW_REPORT_KIND and done.status == "done", done.error
    text = " ".join("\n".join(pdf_pages(done.file.open("rb").read())).split())
    assert "CONFIDENTIAL – NOT FOR PUBLICATION" in text
    assert "Police attended twice; no referral was made." in text
    assert "Officers attended a domestic incident." in text
    assert "Do not carry out a review" in text and "The learning is already known locally." in text


def test_the_report_needs_the_decision_and_its_reasons(personas: Personas) -> None:
    review = services.review_create(
        by=personas.manager, incident_date=today() - timedelta(days=3),
        aware_date=today() - timedelta(days=2), what_happened="An injury.",
        harm=Review.Harm.SERIOUS_HARM, abuse_or_neglect=Review.AbuseNeglect.SUSPECTED,
        criteria_met=True, referring_agency=personas.police, agencies_involved=[personas.police])
    at_stage(review, Stage.RAPID_REVIEW)
    with pytest.raises(ValidationError, match="Record the decision and its reasons first"):
        services.rapid_review_report_request(by=personas.manager, review=review)


def test_the_panel_agreeing_records_the_reply_and_nothing_else(personas: Personas) -> None:
    review = decided(personas, stage=Stage.NO_REVIEW)
    reply = services.panel_reply_record(by=personas.manager, review=review,
                                        outcome=PanelReply.Outcome.AGREES,
                                        replied_on=today(), summary="No national interest.")
    review.refresh_from_db()
    assert review.stage == Stage.NO_REVIEW and review.national_panel_reply_on == today()
    assert review.national_panel_reply == "Agrees with the decision. No national interest."
    assert reply.decision_at_reply == Review.Decision.NO_REVIEW
    assert reply.history.get().history_user == personas.manager
    assert not NationalReview.objects.exists()


def test_the_panel_disagreeing_with_no_review_reopens_the_decision(personas: Personas) -> None:
    review = decided(personas, stage=Stage.NO_REVIEW)
    reply = services.panel_reply_record(by=personas.manager, review=review,
                                        outcome=PanelReply.Outcome.DISAGREES, replied_on=today())
    review.refresh_from_db()
    assert review.stage == Stage.DECISION
    move = StageChange.objects.filter(review=review).latest("at")
    assert (move.from_stage, move.to_stage) == (Stage.NO_REVIEW, Stage.DECISION)
    assert "national Panel disagrees" in move.reason
    assert reply.awaiting_reconsideration
    services.decision_record(by=personas.manager, review=review,
                             decision=Review.Decision.REVIEW, decision_date=today(),
                             decision_reasons="The Panel's view: wider learning.",
                             reason="Reconsidered after the Panel's reply")
    reply.refresh_from_db()
    assert not reply.awaiting_reconsideration and reply.reconsidered_at is not None


def test_a_disagreement_lets_the_decision_be_recorded_again_at_commissioning(
        personas: Personas) -> None:
    review = decided(personas, decision=Review.Decision.REVIEW, stage=Stage.COMMISSIONING)
    with pytest.raises(ValidationError, match="only during the notification"):
        services.decision_record(by=personas.manager, review=review,
                                 decision=Review.Decision.NO_REVIEW, decision_date=today(),
                                 decision_reasons="x", reason="y")
    services.panel_reply_record(by=personas.manager, review=review,
                                outcome=PanelReply.Outcome.DISAGREES, replied_on=today())
    review.refresh_from_db()
    assert review.stage == Stage.COMMISSIONING
    services.decision_record(by=personas.manager, review=review,
                             decision=Review.Decision.NO_REVIEW, decision_date=today(),
                             decision_reasons="Reconsidered.", reason="The Panel disagreed")
    review.refresh_from_db()
    assert review.decision == Review.Decision.NO_REVIEW
    with pytest.raises(ValidationError, match="only during the notification"):
        services.decision_record(by=personas.manager, review=review,
                                 decision=Review.Decision.REVIEW, decision_date=today(),
                                 decision_reasons="Again.", reason="Again")


def test_considering_a_national_review_records_one_against_the_review(
        personas: Personas) -> None:
    review = decided(personas, decision=Review.Decision.REVIEW, stage=Stage.COMMISSIONING)
    reply = services.panel_reply_record(by=personas.manager, review=review,
                                        outcome=PanelReply.Outcome.CONSIDERING_NATIONAL,
                                        replied_on=today())
    national = NationalReview.objects.get(review=review)
    assert national.reply == reply and national.status == NationalReview.Status.CONSIDERING
    services.national_review_update(by=personas.manager, national_review=national,
                                    status=NationalReview.Status.COMMISSIONED, status_on=today())
    assert national.status == NationalReview.Status.COMMISSIONED
    assert national.history.count() == 2


def test_a_reply_is_refused_without_a_decision_in_the_future_or_by_anyone_else(
        personas: Personas) -> None:
    review = decided(personas)
    for bad, message in (({"replied_on": today() + timedelta(days=1)}, "future"),
                         ({"replied_on": today() - timedelta(days=20)}, "before the rapid"),
                         ({"outcome": "maybe"}, "Choose what the Panel replied")):
        fields = {"outcome": PanelReply.Outcome.AGREES, "replied_on": today(), **bad}
        with pytest.raises(ValidationError, match=message):
            services.panel_reply_record(by=personas.manager, review=review, **fields)
    for outsider in (personas.reviewer, personas.police_lead, personas.board):
        with pytest.raises(ValidationError, match="Only a business manager"):
            services.panel_reply_record(by=outsider, review=review, outcome="agrees",
                                        replied_on=today())
    assert not PanelReply.objects.exists()


def test_the_board_never_reads_the_panels_reply(personas: Personas) -> None:
    review = decided(personas)
    services.panel_reply_record(by=personas.manager, review=review, outcome="agrees",
                                replied_on=today())
    assert PanelReply.objects.for_user(personas.board).count() == 0
    assert PanelReply.objects.for_user(personas.police_lead).count() == 1  # involved agency
    assert PanelReply.objects.for_user(personas.health_lead).count() == 0


def test_national_recommendations_are_mapped_to_local_actions_and_unmapped(
        personas: Personas) -> None:
    from tests.actionplans.helpers import add_recommendation, an_action, monitoring_review

    review = monitoring_review(personas)
    action = an_action(personas, add_recommendation(personas, review, 2))
    report = plans.national_report_record(
        by=personas.manager, title="Child protection in England", published_on=today(),
        recommendations=["Strengthen multi-agency safeguarding arrangements.",
                         "Improve information sharing."])
    first, second = report.recommendations.order_by("number")
    assert (first.number, second.number) == (1, 2)
    mapping = plans.national_recommendation_map(by=personas.manager, recommendation=second,
                                                action=action)
    with pytest.raises(ValidationError, match="already mapped"):
        plans.national_recommendation_map(by=personas.manager, recommendation=second,
                                          action=action)
    with pytest.raises(ValidationError, match="Only a business manager"):
        plans.national_recommendation_map(by=personas.police_lead, recommendation=first,
                                          action=action)
    visible = NationalRecommendationAction.objects.for_user
    assert list(visible(personas.manager)) == [mapping]
    plans.national_mapping_withdraw(by=personas.manager, mapping=mapping, reason="Wrong action")
    assert mapping.withdrawn and mapping.history.count() == 2
    plans.national_recommendation_map(by=personas.manager, recommendation=second, action=action)
    with pytest.raises(ValidationError, match="cannot be in the future"):
        plans.national_report_record(by=personas.manager, title="Later",
                                     published_on=today() + timedelta(days=1))
