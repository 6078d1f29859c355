"""The report through its pages: two people saving the same version, autosave, who may see
a draft, the refusal of an approval of a stale version with the current one linked."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.urls import reverse

from reviews import services
from reviews.models import ReportSection, SectionDraft, SectionVersion, Stage
from tests.concurrency import run_at_once
from tests.conftest import Personas, at_stage, client_for
from tests.reporting import add_finding, report_world, submitted


def _intro(w: object) -> ReportSection:
    review = w.review  # type: ignore[attr-defined]
    if not review.report_sections.exists():
        services.report_start(by=w.p.reviewer, review=review)  # type: ignore[attr-defined]
    return review.report_sections.get(kind="introduction")


def test_two_clients_saving_the_same_base_version_lose_no_words(personas: Personas) -> None:
    w = report_world(personas)
    intro = _intro(w)
    services.section_save(by=personas.reviewer, section=intro, body="The review began.",
                          base_version=0)
    url = reverse("section_edit", args=[intro.pk])
    reviewer, manager = client_for(personas.reviewer), client_for(personas.manager)
    for client in (reviewer, manager):  # both open the editor on version 1
        assert 'name="base_version" value="1"' in client.get(url).content.decode()
    first = reviewer.post(url, {"body": "The review began in May.", "base_version": 1})
    assert first.status_code == 302
    second = manager.post(url, {"body": "The review began in spring.", "base_version": 1})
    page = second.content.decode()
    assert second.status_code == 200
    assert "Your text was not saved" in page
    assert re.search(r"<del[^>]*>.*May\.", page, re.S) and re.search(r"<ins[^>]*>.*spring\.",
                                                                      page, re.S)
    assert "The review began in spring." in page  # the loser's words are in the editor
    assert 'name="base_version" value="2"' in page  # ready to save the merge on version 2
    assert list(SectionVersion.objects.filter(section=intro).order_by("number")
                .values_list("body", flat=True)) == ["The review began.", "The review began in May."]
    merged = manager.post(url, {"body": "The review began in May (spring).", "base_version": 2})
    assert merged.status_code == 302
    assert intro.versions.first().body == "The review began in May (spring)."  # type: ignore[union-attr]


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_saves_of_the_same_base_version_at_the_same_moment_keep_one_and_refuse_one(
        personas: Personas) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent writers (set DATABASE_URL)")
    w = report_world(personas)
    intro = _intro(w)
    outcomes: list[str] = []

    def save() -> str:
        try:
            services.section_save(by=personas.reviewer, section=intro,
                                  body="The same base, saved twice at once.", base_version=0)
            return "saved"
        except services.SectionConflict:
            return "conflict"

    outcomes = run_at_once(save)
    assert sorted(outcomes) == ["conflict", "saved"]
    assert SectionVersion.objects.filter(section=intro).count() == 1


def test_autosave_keeps_unsaved_work_and_the_editor_restores_it(personas: Personas) -> None:
    w = report_world(personas)
    intro = _intro(w)
    client = client_for(personas.reviewer)
    answer = client.post(reverse("section_autosave", args=[intro.pk]),
                         {"body": "Half a thought", "base_version": 0}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and "Autosaved at" in answer.content.decode()
    assert not SectionVersion.objects.exists()  # not a version yet
    page = client.get(reverse("section_edit", args=[intro.pk])).content.decode()
    assert "Half a thought" in page and "unsaved work" in page.lower()
    client.post(reverse("section_edit", args=[intro.pk]), {"body": "A whole thought",
                                                           "base_version": 0})
    assert not SectionDraft.objects.exists()  # the draft became version 1


def test_board_members_and_agency_leads_never_see_a_draft(personas: Personas) -> None:
    w = report_world(personas, stage=Stage.REPORT)
    submission = submitted(w)
    finding = add_finding(w)
    for user in (personas.board, personas.police_lead, personas.health_lead):
        client = client_for(user)
        for url in (reverse("review_report", args=[w.review.pk]),
                    reverse("review_analysis", args=[w.review.pk]),
                    reverse("finding", args=[finding.pk]),
                    reverse("snapshot", args=[submission.snapshot.pk]),
                    reverse("section_edit", args=[_intro(w).pk])):
            assert client.get(url).status_code in (403, 404), (user, url)
    # police is involved in the review (403 on the review's own pages), health is too here:
    # neither reaches a record of the draft (404).
    assert client_for(personas.police_lead).get(
        reverse("snapshot", args=[submission.snapshot.pk])).status_code == 404


def test_panel_members_read_only_versions_shared_with_the_panel(personas: Personas) -> None:
    w = report_world(personas)
    _intro(w)
    unshared = services.snapshot_create(by=personas.reviewer, review=w.review, name="v1 draft")
    shared = services.snapshot_create(by=personas.reviewer, review=w.review, name="v2 for panel")
    services.snapshot_share(by=personas.reviewer, snapshot=shared)
    panel = client_for(personas.panel)
    assert panel.get(reverse("snapshot", args=[unshared.pk])).status_code == 404
    assert panel.get(reverse("snapshot", args=[shared.pk])).status_code == 200
    assert panel.get(reverse("review_report", args=[w.review.pk])).status_code == 403
    listing = panel.get(reverse("review_report_versions", args=[w.review.pk])).content.decode()
    assert "v2 for panel" in listing and "v1 draft" not in listing


def test_approving_a_stale_version_is_refused_with_the_current_version_linked(
        personas: Personas) -> None:
    w = report_world(personas, stage=Stage.REPORT)
    old = submitted(w, "v1")
    at_stage(w.review, Stage.SIGN_OFF)
    new = submitted(w, "v2")
    url = reverse("approval_give", args=[old.pk])
    page = client_for(personas.manager).post(url, {"approver_key": "business_manager"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "no longer the current version" in text
    assert reverse("snapshot", args=[new.snapshot.pk]) in text


def test_saving_a_section_after_submission_says_the_approvals_were_voided(
        personas: Personas) -> None:
    w = report_world(personas, stage=Stage.REPORT)
    submission = submitted(w)
    at_stage(w.review, Stage.SIGN_OFF)
    services.approval_give(by=personas.reviewer, submission=submission, approver_key="reviewer")
    intro = _intro(w)
    page = client_for(personas.reviewer).post(
        reverse("section_edit", args=[intro.pk]),
        {"body": "A late correction.", "base_version": intro.version_number}, follow=True)
    assert "voided that submission and every approval of it" in page.content.decode()
    sign_off = client_for(personas.manager).get(reverse("review_sign_off", args=[w.review.pk]))
    assert "Voided: the report changed after this approval" in sign_off.content.decode()


def test_the_history_page_shows_draft_records_only_to_the_drafting_team(
        personas: Personas) -> None:
    w = report_world(personas)
    add_finding(w, title="Risk was not reassessed")
    url = reverse("review_history", args=[w.review.pk])
    assert "Risk was not reassessed" in client_for(personas.reviewer).get(url).content.decode()
    for outsider in (personas.panel, personas.police_lead):
        page = client_for(outsider).get(url)
        assert page.status_code == 200
        assert "Risk was not reassessed" not in page.content.decode()


def test_the_board_response_form_shows_each_finding_and_recommendation_beside_its_question(
        personas: Personas) -> None:
    """Issue 19, item 8: not "Recommendation 1: does the board accept it?" alone."""
    from reviews.models import Stage as S
    from tests.reporting import add_recommendation

    w = report_world(personas, stage=S.REPORT)
    finding = add_finding(w)
    recommendation = add_recommendation(w, [finding])
    at_stage(w.review, S.SIGN_OFF)
    html = client_for(personas.manager).get(
        reverse("board_response_record", args=[w.review.pk])).content.decode()
    for key, text in ((f"finding-{finding.pk}", finding.statement),
                      (f"recommendation-{recommendation.pk}", recommendation.text)):
        hint = re.search(rf'aria-describedby="([^"]*{key}[^"]*hint[^"]*)"', html)
        assert hint, key
        block = re.search(rf'id="{hint.group(1).split()[0]}" class="govuk-hint">([^<]*)<', html)
        assert block and text.replace("'", "&#x27;") in block.group(1), key
