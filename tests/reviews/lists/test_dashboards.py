"""Dashboards and "your tasks": what each role is shown."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from reviews import services
from reviews.models import PanelAppointment, Review, Stage
from scr.models import AccessEvent
from scr.workdays import add_working_days
from tests.conftest import Personas, at_stage, client_for, publish

pytestmark = pytest.mark.django_db


def open_review(people: Personas, *, aware_days_ago: int, involved: list | None = None) -> Review:
    today = timezone.localdate()
    involved = involved or [people.police]
    review = services.review_create(
        by=people.manager, incident_date=today - timedelta(days=aware_days_ago + 1),
        aware_date=today - timedelta(days=aware_days_ago), what_happened="Jayden Doe was hurt.",
        harm=Review.Harm.DEATH, abuse_or_neglect=Review.AbuseNeglect.KNOWN, criteria_met=True,
        referring_agency=involved[0], agencies_involved=involved)
    services.subject_add(by=people.manager, review=review, kind="child", pseudonym="Child A",
                         full_name="Jayden Doe")
    return review


def test_every_model_can_be_scoped_to_a_user() -> None:
    for app in ("scr", "agencies", "reviews", "actionplans", "search"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical") or model._meta.auto_created:
                continue
            assert hasattr(model._default_manager, "for_user"), model._meta.label


def test_manager_dashboard_filters_by_stage_and_rag_and_sorts_by_next_due_date(
    personas: Personas,
) -> None:
    overdue = open_review(personas, aware_days_ago=30)  # notification 5 working days: red
    fresh = open_review(personas, aware_days_ago=0)  # due in 5 working days: amber
    services.review_transition(by=personas.manager, review=fresh, to=Stage.NOTIFICATION,
                               expected_from=Stage.REFERRAL)
    client = client_for(personas.manager)

    body = client.get("/reviews/").content.decode()
    assert body.index(overdue.reference) < body.index(fresh.reference)

    red = client.get("/reviews/", {"rag": "red"}).content.decode()
    assert overdue.reference in red and fresh.reference not in red
    amber = client.get("/reviews/", {"rag": "amber"}).content.decode()
    assert fresh.reference in amber and overdue.reference not in amber
    in_notification = client.get("/reviews/", {"stage": "notification"}).content.decode()
    assert fresh.reference in in_notification and overdue.reference not in in_notification


def test_manager_exports_the_dashboard_as_csv_and_the_export_is_logged(
    personas: Personas,
) -> None:
    review = open_review(personas, aware_days_ago=2)
    response = client_for(personas.manager).get("/reviews/export.csv")
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["LCSPR reference"] for r in rows] == [review.reference]
    due = add_working_days(review.aware_date, 5)
    assert rows[0]["Next due date"] == due.isoformat()
    assert rows[0]["Stage"] == "Referral"
    assert rows[0]["Next clock"] == "Notify the national Panel"
    assert rows[0]["Child (pseudonym)"] == "Child A"
    assert rows[0]["RAG status"] in {"Green", "Amber"}
    assert "Jayden" not in text
    assert AccessEvent.objects.filter(action=AccessEvent.Action.EXPORT).count() == 1


def test_board_dashboard_counts_without_naming_anyone(personas: Personas) -> None:
    late = open_review(personas, aware_days_ago=40)
    decided = open_review(personas, aware_days_ago=60)
    today = timezone.localdate()
    at_stage(decided, Stage.DECISION)
    services.decision_record(by=personas.manager, review=decided, decision="review",
                             decision_date=today - timedelta(days=50), decision_reasons="Met.")
    publish(decided, personas.manager)
    body = client_for(personas.board).get("/board/").content.decode()
    assert "Jayden" not in body and "Child A" not in body
    assert 'id="missed-count">2<' in body  # both notifications were never sent
    assert late.reference in body
    assert 'id="median-days">50<' in body


def test_board_member_sees_published_reviews_only_under_pseudonyms(personas: Personas) -> None:
    review = open_review(personas, aware_days_ago=60)
    hidden = open_review(personas, aware_days_ago=61)
    publish(review, personas.manager)
    client = client_for(personas.board)
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "Child A" in page
    assert "Jayden" not in page
    assert client.get(f"/reviews/{hidden.pk}/").status_code == 404


def test_each_role_sees_its_own_tasks_on_the_home_page(personas: Personas) -> None:
    review = open_review(personas, aware_days_ago=1, involved=[personas.police])
    services.evidence_request_create(by=personas.manager, review=review, agency=personas.police,
                                     due_on=timezone.localdate() + timedelta(days=5),
                                     description="IMR and chronology")
    services.panel_appoint(by=personas.manager, review=review, user=personas.reviewer,
                           panel_role=PanelAppointment.PanelRole.REVIEWER,
                           independence_declaration="Independent.")
    services.panel_appoint(by=personas.manager, review=review, user=personas.panel,
                           panel_role=PanelAppointment.PanelRole.MEMBER,
                           agency=personas.education)
    manager_home = client_for(personas.manager).get("/").content.decode()
    assert f"{review.reference}: Notify the national Panel" in manager_home
    police_home = client_for(personas.police_lead).get("/").content.decode()
    assert "Police to send “IMR and chronology”" in police_home
    assert client_for(personas.health_lead).get("/").content.decode().count(
        review.reference) == 0
    assert "you are the independent reviewer" in client_for(personas.reviewer).get(
        "/").content.decode()
    assert "you sit on the panel" in client_for(personas.panel).get("/").content.decode()


def test_agency_leads_see_only_their_own_agencys_evidence_in_counts_and_history(
    personas: Personas,
) -> None:
    review = open_review(personas, aware_days_ago=30, involved=[personas.police, personas.health])
    today = timezone.localdate()
    for agency, text in ((personas.police, "Police IMR"),
                         (personas.health, "Health IMR about the GP surgery")):
        request = services.evidence_request_create(by=personas.manager, review=review,
                                                   agency=agency, due_on=today,
                                                   description=text)
        # Arrange an overdue request (due dates cannot be set in the past through the service).
        type(request).objects.filter(pk=request.pk).update(due_on=today - timedelta(days=1))
    police = client_for(personas.police_lead)
    history = police.get(f"/reviews/{review.pk}/history/").content.decode()
    assert "Police IMR" in history
    assert "GP surgery" not in history
    row = police.get("/reviews/").context["rows"][0]
    assert row.evidence_overdue == 1
    manager_row = client_for(personas.manager).get("/reviews/").context["rows"][0]
    assert manager_row.evidence_overdue == 2
