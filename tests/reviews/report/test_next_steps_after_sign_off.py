"""After sign-off and after publication, the business manager is led to the next step
(issue 19's browser journey found both pages silent about it): the signed-off report's task
and the sign-off page lead to the Publication page (the anonymised PDF) once the board has
responded; the Publication page, once published, leads to the action plan."""

from __future__ import annotations

from html import unescape
from pathlib import Path
from typing import Any

from django.urls import reverse

from reviews.models import Stage
from tests.conftest import Personas, at_stage, client_for
from tests.publishing import arrange_publication
from tests.reporting import add_finding, add_recommendation, approve_all, report_world, submitted
from tests.reviews.publication.test_publication import approved


def test_a_signed_off_report_with_the_boards_response_leads_the_manager_to_the_pdf(
        personas: Personas) -> None:
    w = approved(personas)  # every approval given, the board's response recorded
    publication = reverse("review_publication", args=[w.review.pk])
    manager = client_for(personas.manager)

    home = unescape(manager.get("/").content.decode())
    assert (f'href="{publication}">{w.review.reference}: the report is signed off and the '
            f"board has responded: make the anonymised PDF") in home
    sign_off = unescape(manager.get(reverse("review_sign_off", args=[w.review.pk])).content.decode())
    assert 'id="next-step"' in sign_off and f'href="{publication}"' in sign_off


def test_a_signed_off_report_without_the_boards_response_asks_for_it_first(
        personas: Personas) -> None:
    w = report_world(personas, stage=Stage.REPORT)
    add_recommendation(w, [add_finding(w)])
    submission = submitted(w)
    at_stage(w.review, Stage.SIGN_OFF)
    approve_all(w, submission)  # every approval, no board response yet
    manager = client_for(personas.manager)
    home = unescape(manager.get("/").content.decode())
    assert f"{w.review.reference}: the report is signed off: record the board's response" in home
    sign_off = unescape(manager.get(reverse("review_sign_off", args=[w.review.pk])).content.decode())
    assert "Next: the board's response, below." in sign_off


def test_the_publication_page_of_a_published_review_leads_to_the_action_plan(
        personas: Personas, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    w = report_world(personas, stage=Stage.PUBLICATION)
    arrange_publication(w.review, personas.manager)
    url = reverse("review_publication", args=[w.review.pk])
    assert "Next: the action plan." in client_for(personas.manager).get(url).content.decode()
    at_stage(w.review, Stage.MONITORING)  # once monitoring has started, it is said no more
    assert "Next: the action plan." not in client_for(personas.manager).get(url).content.decode()
