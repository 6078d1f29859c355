"""Findings, their evidence and themes, key lines of enquiry, recommendations and their
quality gate, learning across reviews (services and selectors)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from reviews import selectors, services
from reviews.models import Finding, FindingEvidence, Recommendation, Stage, Theme
from tests.conftest import Personas, publish
from tests.reporting import LINES, add_finding, add_recommendation, report_world, theme


def test_the_default_themes_are_seeded(db: None) -> None:
    names = set(Theme.objects.values_list("name", flat=True))
    assert {"Information sharing", "Early intervention / early help", "Professional training",
            "Policy and procedure", "Risk assessment", "Supervision", "Voice of the child",
            "Inter-agency working"} <= names


def test_a_finding_links_to_its_evidence_and_the_evidence_to_its_findings(
        personas: Personas) -> None:
    w = report_world(personas)
    finding = add_finding(w)
    shown = selectors.findings_for_page(personas.reviewer, w.review)
    assert [link.evidence_request for link in shown[0].live_evidence] == [w.evidence]
    # Both ways: the evidence request knows the findings resting on it.
    assert [link.finding for link in w.evidence.finding_links.all()] == [finding]


def test_a_finding_with_no_evidence_is_flagged(personas: Personas) -> None:
    w = report_world(personas)
    add_finding(w, evidence=False)
    page = selectors.report_page(personas.reviewer, w.review)
    assert [f.number for f in page["unevidenced"]] == [1]


def test_evidence_from_another_review_cannot_be_linked(personas: Personas) -> None:
    w = report_world(personas)
    finding = add_finding(w, evidence=False)
    with pytest.raises(ValidationError, match="Choose the evidence or say where it is"):
        services.finding_evidence_add(by=personas.reviewer, finding=finding, kind="other")
    assert not FindingEvidence.objects.exists()


def test_a_line_of_enquiry_with_no_finding_is_flagged(personas: Personas) -> None:
    w = report_world(personas)
    add_finding(w, lines=(LINES[0], LINES[1]))
    lines = selectors.lines_of_enquiry(w.review, selectors.findings_for_page(personas.reviewer,
                                                                             w.review))
    assert [(line.text, line.unanswered) for line in lines] == [
        (LINES[0], False), (LINES[1], False), (LINES[2], True)]


def test_a_recommendation_with_no_finding_is_refused(personas: Personas) -> None:
    w = report_world(personas)
    with pytest.raises(ValidationError, match="every recommendation is tied to a finding"):
        add_recommendation(w, [])
    assert not Recommendation.objects.exists()


def test_vague_recommendations_and_too_many_are_warned_about(personas: Personas,
                                                             settings: object) -> None:
    settings.REPORT_MAX_RECOMMENDATIONS = 1  # type: ignore[attr-defined]
    w = report_world(personas)
    finding = add_finding(w)
    add_recommendation(w, [finding])
    add_recommendation(w, [finding], text="Agencies should consider reviewing their training.",
                       outcome_expected="Staff are more aware of the issues raised.")
    warnings = [x.text for x in selectors.recommendation_warnings(
        w.review, selectors.recommendations_for_page(personas.reviewer, w.review))]
    assert any("2 recommendations, more than 1" in x for x in warnings)
    assert any(x.startswith("Recommendation 2:") for x in warnings)
    assert not any(x.startswith("Recommendation 1:") for x in warnings)


def test_a_finding_cannot_be_withdrawn_while_a_recommendation_rests_on_it_alone(
        personas: Personas) -> None:
    w = report_world(personas)
    finding = add_finding(w)
    add_recommendation(w, [finding])
    with pytest.raises(ValidationError, match="rests only on this finding"):
        services.finding_withdraw(by=personas.reviewer, finding=finding, reason="Merged")
    assert not Finding.objects.get(pk=finding.pk).withdrawn


def test_only_the_drafting_team_writes_findings(personas: Personas) -> None:
    w = report_world(personas)
    for outsider in (personas.panel, personas.police_lead, personas.board):
        with pytest.raises(ValidationError, match="Only the business manager or the review's reviewer"):
            services.finding_create(by=outsider, review=w.review, title="x", statement="x",
                                    why_it_matters="x")
    assert not Finding.objects.exists()


def test_findings_are_written_only_from_analysis_to_sign_off(personas: Personas) -> None:
    w = report_world(personas, stage=Stage.EVIDENCE)
    with pytest.raises(ValidationError, match="from the Analysis stage until sign-off"):
        add_finding(w)


def test_a_theme_in_use_cannot_be_deleted_only_retired(personas: Personas) -> None:
    w = report_world(personas)
    add_finding(w, themes=("Supervision",))
    supervision = theme("Supervision")
    with pytest.raises(ValidationError, match="Retire it instead"):
        services.theme_delete(by=personas.manager, theme=supervision)
    services.theme_update(by=personas.manager, theme=supervision, name="Supervision",
                          description="", retired=True)
    assert Finding.objects.get().themes.get() == supervision  # findings keep it
    with pytest.raises(ValidationError, match="has been retired"):
        add_finding(w, title="Another", themes=("Supervision",))
    unused = services.theme_create(by=personas.manager, name="Housing")
    services.theme_delete(by=personas.manager, theme=unused)
    assert not Theme.objects.filter(name="Housing").exists()


def test_only_business_managers_change_the_themes(personas: Personas) -> None:
    with pytest.raises(ValidationError, match="Only a business manager"):
        services.theme_create(by=personas.reviewer, name="Housing")


def test_earlier_published_findings_sharing_a_theme_are_shown_pseudonymised_and_can_be_repeated(
        personas: Personas) -> None:
    earlier = report_world(personas)
    old = add_finding(earlier, themes=("Risk assessment",))
    publish(earlier.review, personas.manager)
    now = report_world(personas)
    shown = selectors.earlier_findings(now.review, [theme("Risk assessment").pk])
    assert [e.finding for e in shown] == [old]
    assert "Kayden" not in shown[0].statement and "Child A's injuries" in shown[0].statement
    assert shown[0].year == earlier.review.published_on.year  # type: ignore[union-attr]
    assert selectors.earlier_findings(now.review, [theme("Supervision").pk]) == []
    repeat = services.finding_create(by=personas.reviewer, review=now.review, title="Again",
                                     statement="s", why_it_matters="w",
                                     themes=[theme("Risk assessment")], repeats=[old])
    assert list(repeat.repeats.all()) == [old]
    with pytest.raises(ValidationError, match="earlier published review"):
        services.finding_create(by=personas.reviewer, review=now.review, title="Self",
                                statement="s", why_it_matters="w", repeats=[repeat])


def test_the_board_sees_which_themes_recur_as_counts(personas: Personas) -> None:
    for _ in range(2):
        w = report_world(personas)
        add_finding(w, themes=("Risk assessment", "Information sharing"))
        publish(w.review, personas.manager)
    rows = {r.name: r for r in selectors.recurring_themes()}
    assert (rows["Risk assessment"].reviews, rows["Risk assessment"].findings) == (2, 2)
    assert rows["Supervision"].reviews == 0
