"""The yearly report's figures against records counted by hand (period edges, working days
over bank holidays, a paused clock), the same figures on the board's dashboard, and the
records behind each figure.

The period is 1 December 2025 to 31 May 2026. Hand count (docs/learning.md, "Figures"):

- A: aware Mon 22 Dec 2025, notified Wed 31 Dec (due 31 Dec: 25, 26 Dec and a weekend are
  not working days), decided to review Thu 15 Jan (due 15 Jan: 1 Jan is not). On time twice.
- B: aware Fri 27 Mar 2026, notified Wed 8 Apr (due Tue 7 Apr: Good Friday and Easter Monday
  skipped): late, explained. No review, Mon 27 Apr: due 21 Apr, plus 5 working days paused
  (9-15 Apr), 28 Apr: on time only through the pause.
- C: notified 14 Nov 2025 (before the period); decided to review Mon 1 Dec 2025 (the first
  day; due 1 Dec); published Sun 31 May 2026 (the last day; due 1 Jun): 181 days, on time.
- D: decided 20 Nov 2025, published Mon 1 Jun 2026 (the day after): in no figure.
- E: decided Fri 1 Aug 2025, published Sun 15 Mar 2026 (due 1 Feb): late, explained; 226 days.
"""

from __future__ import annotations

from datetime import date, timedelta
from html import unescape
from typing import Any

import pytest
from django.urls import reverse

from actionplans.models import Action, ImpactEvidence
from actionplans.selectors import period_figures
from reviews import services as review_services
from reviews.models import (
    BoardResponse,
    BoardResponseItem,
    ClockKind,
    ClockPause,
    DelayExplanation,
    Finding,
    Review,
    Theme,
)
from scr.workdays import add_working_days
from tests.actionplans.helpers import add_recommendation, an_action
from tests.personas import Personas, client_for
from tests.shared_db import layered

pytestmark = pytest.mark.django_db

START, END = date(2025, 12, 1), date(2026, 5, 31)


def _review(p: Personas, aware: date, **fields: Any) -> Review:
    review = review_services.review_create(
        by=p.manager, incident_date=aware - timedelta(days=1), aware_date=aware,
        what_happened="Kayden Smith was injured.", harm=Review.Harm.SERIOUS_HARM,
        abuse_or_neglect=Review.AbuseNeglect.SUSPECTED, criteria_met=True,
        referring_agency=p.police, agencies_involved=[p.police, p.social_care])
    review_services.subject_add(by=p.manager, review=review, kind="child",
                                pseudonym="Child A", full_name="Kayden Smith")
    Review.objects.filter(pk=review.pk).update(**fields)  # arrange only: the dates as given
    review.refresh_from_db()
    return review


def _finding(p: Personas, review: Review, number: int, *themes: str) -> Finding:
    finding = Finding.objects.create(review=review, number=number, title=f"Finding {number}",
                                     statement="Not shared.", why_it_matters="Widely.",
                                     created_by=p.reviewer)
    finding.themes.set(Theme.objects.filter(name__in=themes))
    return finding


def build(p: Personas) -> dict[str, Any]:
    review, no_review = Review.Decision.REVIEW, Review.Decision.NO_REVIEW
    a = _review(p, date(2025, 12, 22), notification_sent_on=date(2025, 12, 31),
                decision=review, decision_date=date(2026, 1, 15),
                decision_reasons="Kayden Smith's case meets the criteria.")
    b = _review(p, date(2026, 3, 27), notification_sent_on=date(2026, 4, 8),
                decision=no_review, decision_date=date(2026, 4, 27),
                decision_reasons="Learning already known.")
    ClockPause.objects.create(review=b, clock=ClockKind.RAPID_REVIEW, reason="Police enquiry",
                              paused_on=date(2026, 4, 9), resumed_on=date(2026, 4, 16))
    DelayExplanation.objects.create(review=b, clock=ClockKind.NOTIFICATION,
                                    explanation="Kayden Smith's social worker was on leave.")
    c = _review(p, date(2025, 11, 10), notification_sent_on=date(2025, 11, 14),
                decision=review, decision_date=date(2025, 12, 1),
                published_on=date(2026, 5, 31))
    _review(p, date(2025, 11, 3), decision=review, decision_date=date(2025, 11, 20),
            published_on=date(2026, 6, 1))
    e = _review(p, date(2025, 7, 1), decision=review, decision_date=date(2025, 8, 1),
                stage="monitoring",
                published_on=date(2026, 3, 15))
    DelayExplanation.objects.create(review=e, clock=ClockKind.FINAL_REPORT,
                                    explanation="A criminal trial.")
    f = _review(p, date(2023, 1, 3), decision=review, decision_date=date(2023, 2, 1),
                published_on=date(2024, 1, 10))
    _finding(p, c, 1, "Information sharing", "Supervision")
    _finding(p, e, 1, "Information sharing")
    _finding(p, f, 1, "Information sharing")
    # The board's responses to E's recommendations: version 2 (in the period) is the latest.
    r1, r2 = add_recommendation(p, e, 2), add_recommendation(p, e, 3)
    for version, decisions in ((1, ("accepted", "partly")), (2, ("accepted", "not_accepted"))):
        response = BoardResponse.objects.create(
            review=e, version=version, response="Accepted.", monitoring="Quarterly.",
            recorded_by=p.manager,
            recorded_at=timezone_at(date(2026, 3, 10) + timedelta(days=version)))
        for rec, decision in zip((r1, r2), decisions, strict=True):
            BoardResponseItem.objects.create(review=e, response=response, recommendation=rec,
                                             decision=decision)
    # Actions of E: completed on the last day and on time; completed late with evidence;
    # completed the day after the period.
    on_time, late, after = (an_action(p, r1) for _ in range(3))
    services_evidence(p, late)
    for action, done, target in ((on_time, END, END), (late, date(2026, 2, 2), date(2026, 1, 30)),
                                 (after, date(2026, 6, 1), date(2026, 6, 30))):
        Action.objects.filter(pk=action.pk).update(status="completed", completed_on=done,
                                                   original_target_date=target)
    return {"a": a, "b": b, "c": c, "e": e, "recs": (r1, r2),
            "actions": (on_time, late, after)}


def timezone_at(day: date) -> Any:
    from datetime import datetime

    from django.utils import timezone

    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


def services_evidence(p: Personas, action: Action) -> ImpactEvidence:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from actionplans import services

    return services.impact_evidence_add(by=p.police_lead, action=action, title="Audit",
                                        upload=SimpleUploadedFile("a.txt", b"Audit\n"))


module_layer, world = layered(build)


def test_the_working_day_calendar_skips_the_bank_holidays_the_hand_count_assumes() -> None:
    assert add_working_days(date(2025, 12, 22), 5) == date(2025, 12, 31)
    assert add_working_days(date(2026, 3, 27), 5) == date(2026, 4, 7)
    assert add_working_days(date(2026, 3, 27), 15) == date(2026, 4, 21)


def test_the_figures_match_the_hand_count(personas: Personas, world: dict[str, Any]) -> None:
    figures = period_figures(personas.manager, START, END)
    a, b, c, e = (world[k].pk for k in "abce")
    assert {k: set(f.records) for k, f in figures.figures.items() if f.kind == "review"} == {
        "notifications": {a, b}, "notifications_on_time": {a},
        "rapid_reviews": {a, b, c}, "rapid_reviews_on_time": {a, b, c},
        "decisions_review": {a, c}, "decisions_no_review": {b}, "reviews_started": {a, c},
        "published": {c, e}, "published_on_time": {c}}
    assert figures.median_days_to_publication == 203.5
    assert sorted((r.reference, r.clock) for r in figures.delay_reasons) == sorted([
        (world["b"].reference, "Notify the national Panel"),
        (world["e"].reference, "Final report")])
    assert "Kayden" not in " ".join(r.explanation for r in figures.delay_reasons)
    r1, r2 = world["recs"]
    assert figures["recommendations_decided"].records == (r1.pk, r2.pk)
    assert figures["recommendations_accepted"].records == (r1.pk,)
    assert figures["recommendations_partly"].records == ()
    on_time, late, _after = world["actions"]
    assert set(figures["actions_completed"].records) == {on_time.pk, late.pk}
    assert figures["actions_on_time"].records == (on_time.pk,)
    assert figures["actions_with_evidence"].records == (late.pk,)
    assert [(t.name, len(t.reviews), t.reviews_ever, t.recurs) for t in figures.themes] == [
        ("Information sharing", 2, 3, True), ("Supervision", 1, 1, False)]


def test_without_the_pause_the_rapid_review_would_have_been_late(
        personas: Personas, world: dict[str, Any]) -> None:
    ClockPause.objects.filter(review=world["b"]).delete()  # inside the test's transaction
    figures = period_figures(personas.manager, START, END)
    assert world["b"].pk not in figures["rapid_reviews_on_time"].records


def test_the_board_dashboard_and_the_yearly_report_show_the_same_figures(
        personas: Personas, world: dict[str, Any]) -> None:
    from learning import services

    report = services.yearly_report_create(by=personas.manager, title="Annual report",
                                           start=START, end=END)
    query = {"start": START.isoformat(), "end": END.isoformat()}
    board = client_for(personas.board)
    dashboard = board.get(reverse("board_actions"), query).context["period"]
    yearly = board.get(reverse("yearly_report", args=[report.pk])).context["period"]
    assert dashboard.values() == yearly.values()
    assert dashboard.values()["published"] == 2
    assert [t.name for t in dashboard.themes] == [t.name for t in yearly.themes]


def test_each_figure_links_to_exactly_its_records(personas: Personas,
                                                  world: dict[str, Any]) -> None:
    query = {"start": START.isoformat(), "end": END.isoformat()}
    page = client_for(personas.board).get(reverse("figure_list", args=["notifications"]), query)
    html = unescape(page.content.decode())
    assert world["a"].reference in html and world["b"].reference in html
    assert world["c"].reference not in html
    assert "Kayden" not in html and "Child A's social worker was on leave." in html
    assert page.context["figure"].value == 2
    decisions = client_for(personas.board).get(
        reverse("figure_list", args=["decisions_no_review"]), query).content.decode()
    decisions = unescape(decisions)
    assert "Do not carry out a review: Learning already known." in decisions
    assert client_for(personas.police_lead).get(
        reverse("figure_list", args=["notifications"])).status_code == 403


def test_the_figures_cost_the_same_queries_for_few_or_many_reviews(
        personas: Personas, world: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    period_figures(personas.board, START, END)  # the person's roles, read once and kept
    with CaptureQueriesContext(connection) as few:
        period_figures(personas.board, START, END)
    for n in range(3):
        more = _review(personas, date(2026, 1, 5 + n), notification_sent_on=date(2026, 1, 9),
                       decision=Review.Decision.REVIEW, decision_date=date(2026, 1, 20),
                       published_on=date(2026, 5, 1))
        ClockPause.objects.create(review=more, clock=ClockKind.NOTIFICATION, reason="Inquest",
                                  paused_on=date(2026, 1, 6), resumed_on=date(2026, 1, 7))
        _finding(personas, more, 1, "Voice of the child")
    with CaptureQueriesContext(connection) as many:
        figures = period_figures(personas.board, START, END)
    assert figures["published"].value == 5
    assert len(many) == len(few)


def test_the_records_behind_a_decision_figure_give_its_reasons_pseudonymised(
        personas: Personas, world: dict[str, Any]) -> None:
    """The decisions' reasons are read only for these records (period_decision_reasons),
    not with every figure: the same text, through the pseudonymiser."""
    from actionplans.selectors import figure_records

    _figure, rows = figure_records(personas.board, "decisions_review", START, END)
    said = {pk: what for pk, _reference, what in rows}
    assert said[world["a"].pk] == "Carry out a review: Child A's case meets the criteria."
    assert "Kayden" not in " ".join(said.values())
