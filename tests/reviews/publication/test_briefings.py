"""Learning briefings (issue 21, item 1): drafted from a published review, published through
the report's publication path (anonymise → check → render → leak check → publish), sent to
chosen agencies, shared by them and given feedback; and the reach selector the yearly report
reads."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agencies.models.roles import Role
from reviews import services
from reviews.models import (
    BRIEFING_KIND,
    Briefing,
    BriefingFeedback,
    Dissemination,
    FormDecision,
    LeakCheck,
    Stage,
)
from reviews.selectors.briefings import briefing_page, briefings_reach, library_briefings
from scr.anonymise import pdf_pages
from scr.models import Notification, RenderRecord
from scr.renders import render_run
from tests.conftest import Personas, at_stage, publish
from tests.factories import MembershipFactory, UserFactory
from tests.reporting import ReportWorld, add_finding, add_recommendation, report_world


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def published_review(personas: Personas) -> ReportWorld:
    w = report_world(personas, stage=Stage.REPORT)
    services.subject_add(by=personas.manager, review=w.review, kind="parent",
                         pseudonym="Mother", full_name="Leanne Smith")
    add_recommendation(w, [add_finding(w, themes=("Information sharing",))])
    publish(w.review, personas.manager)
    at_stage(w.review, Stage.MONITORING)
    return w


def render(by: Any, briefing: Briefing) -> RenderRecord:
    record = services.briefing_render_request(by=by, briefing=briefing)
    done = render_run(record.pk) or RenderRecord.objects.get(pk=record.pk)
    assert done.status == RenderRecord.Status.DONE, done.error
    return done


def published_briefing(w: ReportWorld) -> Briefing:
    briefing = services.briefing_draft(by=w.p.manager, review=w.review)
    render(w.p.manager, briefing)
    return services.briefing_publish(by=w.p.manager, briefing=briefing,
                                     agencies=[w.p.police, w.p.health])


def test_a_briefing_is_drafted_from_the_published_reviews_findings_and_recommendations(
        personas: Personas) -> None:
    w = published_review(personas)
    briefing = services.briefing_draft(by=personas.reviewer, review=w.review)
    assert briefing.title == "7-minute briefing: Local Child Safeguarding Practice Review: Child A"
    assert "Risk was not reassessed" in briefing.what_we_found
    assert "Kayden Smith's injuries" in briefing.what_we_found  # as written: anonymised later
    assert "rely on first explanations" in briefing.why_it_matters
    assert "bruising protocol" in briefing.what_to_do
    assert "How would your team" in briefing.questions
    assert "Kayden Smith was admitted" in briefing.background
    with pytest.raises(ValidationError, match="already has a draft"):
        services.briefing_draft(by=personas.manager, review=w.review)


def test_a_briefing_needs_a_published_review_and_the_drafting_team(personas: Personas) -> None:
    w = report_world(personas, stage=Stage.REPORT)
    with pytest.raises(ValidationError, match="not published yet"):
        services.briefing_draft(by=personas.manager, review=w.review)
    publish(w.review, personas.manager)
    for outsider in (personas.police_lead, personas.board, personas.panel):
        with pytest.raises(ValidationError, match="Only the business manager or the review's"):
            services.briefing_draft(by=outsider, review=w.review)


def test_editing_keeps_every_version_in_the_history(personas: Personas) -> None:
    w = published_review(personas)
    briefing = services.briefing_draft(by=personas.manager, review=w.review)
    services.briefing_edit(by=personas.reviewer, briefing=briefing, reason="Shorter",
                           what_to_do="Refer every bruised non-mobile baby.")
    assert briefing.what_to_do == "Refer every bruised non-mobile baby."
    history = list(briefing.history.order_by("history_date"))
    assert len(history) == 2 and "bruising protocol" in history[0].what_to_do
    assert history[1].history_change_reason == "Shorter"
    assert history[1].history_user == personas.reviewer
    with pytest.raises(ValidationError, match="Unknown parts"):
        services.briefing_edit(by=personas.manager, briefing=briefing, status="published")


def test_the_pdf_is_anonymised_one_or_two_tagged_pages_and_leak_checked(
        personas: Personas) -> None:
    from pypdf import PdfReader

    w = published_review(personas)
    briefing = services.briefing_draft(by=personas.manager, review=w.review)
    services.briefing_edit(by=personas.manager, briefing=briefing,
                           title="What Kayden Smith's review teaches us")
    record = render(personas.manager, briefing)
    assert record.kind == BRIEFING_KIND
    with record.file.open("rb") as stored:
        pdf = stored.read()
    pages = pdf_pages(pdf)  # pdftotext
    text = "\n".join(pages)
    assert 1 <= len(pages) <= 2
    for identifier in ("Kayden", "Smith", "Leanne"):
        assert identifier not in text
    assert "Child A" in text and "What we found" in text and "Questions for teams" in text
    assert "What Child A's review teaches us" in " ".join(pages[0].split())  # the title too
    reader = PdfReader(__import__("io").BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root  # tagged
    check = LeakCheck.objects.get(render=record)
    assert check.snapshot is None and check.pages == len(pages) and not check.hits.exists()


def test_an_unsettled_name_stops_the_render_and_a_decision_settles_it(
        personas: Personas) -> None:
    w = published_review(personas)
    briefing = services.briefing_draft(by=personas.manager, review=w.review)
    # "Smith" alone, in lower-case-free prose, is shared by Kayden and Leanne: uncertain.
    services.briefing_edit(by=personas.manager, briefing=briefing,
                           background="Smith was known to the police.")
    page = briefing_page(personas.manager, briefing, team=True)
    assert [i.text for i in page.unsettled] == ["Smith"]
    with pytest.raises(ValidationError, match="not settled"):
        services.briefing_render_request(by=personas.manager, briefing=briefing)
    item = page.unsettled[0]
    services.form_decision_record(by=personas.reviewer, review=w.review, text=item.text,
                                  context=item.context,
                                  subject=w.review.subjects.get(pseudonym="Mother"))
    assert FormDecision.objects.filter(review=w.review).count() == 1
    assert briefing_page(personas.manager, briefing, team=True).unsettled == []
    pages = pdf_pages(render(personas.manager, briefing).file.open("rb").read())
    assert "Mother was known to the police" in " ".join("\n".join(pages).split())


def test_a_leak_blocks_publication_until_waived(personas: Personas) -> None:
    w = published_review(personas)
    briefing = services.briefing_draft(by=personas.manager, review=w.review)
    services.briefing_edit(by=personas.manager, briefing=briefing,
                           background="Contact the team on 07700 900982 by 3 March 2025.")
    record = render(personas.manager, briefing)
    hits = list(LeakCheck.objects.get(render=record).hits.all())
    assert "date" in {h.kind for h in hits}
    with pytest.raises(ValidationError, match="open leak-check hit"):
        services.briefing_publish(by=personas.manager, briefing=briefing,
                                  agencies=[personas.police])
    for hit in hits:
        services.leak_hit_waive(by=personas.manager, hit=hit, reason="Public number and date")
    services.briefing_publish(by=personas.manager, briefing=briefing, agencies=[personas.police])
    assert briefing.published


def test_a_briefing_made_before_an_edit_is_not_publishable(personas: Personas) -> None:
    w = published_review(personas)
    briefing = services.briefing_draft(by=personas.manager, review=w.review)
    render(personas.manager, briefing)
    services.briefing_edit(by=personas.manager, briefing=briefing, title="Bruising in babies")
    with pytest.raises(ValidationError, match="made before"):
        services.briefing_publish(by=personas.manager, briefing=briefing,
                                  agencies=[personas.police])


def test_publishing_copies_the_pdf_sends_it_and_tells_the_agencies_leads_without_names(
        personas: Personas) -> None:
    w = published_review(personas)
    with pytest.raises(ValidationError, match="Only a business manager"):
        services.briefing_publish(by=personas.reviewer,
                                  briefing=services.briefing_draft(by=personas.manager,
                                                                   review=w.review),
                                  agencies=[personas.police])
    briefing = Briefing.objects.get(review=w.review)
    with pytest.raises(ValidationError, match="no anonymised PDF"):
        services.briefing_publish(by=personas.manager, briefing=briefing,
                                  agencies=[personas.police])
    render(personas.manager, briefing)
    with pytest.raises(ValidationError, match="at least one agency"):
        services.briefing_publish(by=personas.manager, briefing=briefing, agencies=[])
    services.briefing_publish(by=personas.manager, briefing=briefing,
                              agencies=[personas.police, personas.health])
    assert briefing.status == Briefing.Status.PUBLISHED and briefing.sha256
    assert "Child A" in briefing.text and "Kayden" not in briefing.text
    assert sorted(briefing.recipients.values_list("agency__name", flat=True)) == [
        "Health", "Police"]
    told = Notification.objects.filter(kind="briefing_sent")
    assert {n.recipient for n in told} == {personas.police_lead, personas.health_lead}
    assert all("Kayden" not in n.text and "Smith" not in n.text for n in told)
    assert all(w.review.reference in n.text for n in told)
    with pytest.raises(ValidationError, match="can no longer change"):
        services.briefing_edit(by=personas.manager, briefing=briefing, title="Changed")


def test_a_recipient_agencys_lead_records_its_dissemination(personas: Personas) -> None:
    w = published_review(personas)
    briefing = published_briefing(w)
    today = timezone.localdate()
    record = services.dissemination_record(
        by=personas.police_lead, briefing=briefing, agency=personas.police, shared_on=today,
        how=Dissemination.How.TEAM_MEETING, practitioners_reached=24)
    assert record.history.get().history_user == personas.police_lead
    with pytest.raises(ValidationError, match="agency's own lead"):
        services.dissemination_record(by=personas.health_lead, briefing=briefing,
                                      agency=personas.police, shared_on=today,
                                      how="email", practitioners_reached=3)
    education_lead = UserFactory(username="education_lead")
    MembershipFactory(user=education_lead, role=Role.AGENCY_LEAD, agency=personas.education)
    with pytest.raises(ValidationError, match="not sent to your agency"):
        services.dissemination_record(by=education_lead, briefing=briefing,
                                      agency=personas.education, shared_on=today, how="email",
                                      practitioners_reached=3)
    with pytest.raises(ValidationError) as bad:
        services.dissemination_record(by=personas.health_lead, briefing=briefing,
                                      agency=personas.health, shared_on=today + timedelta(1),
                                      how="email", practitioners_reached=0)
    assert set(bad.value.message_dict) == {"practitioners_reached"}
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.dissemination_record(by=personas.health_lead, briefing=briefing,
                                      agency=personas.health, shared_on=today + timedelta(1),
                                      how="email", practitioners_reached=2)
    # The lead sees their own agency's record only; the manager sees all.
    services.dissemination_record(by=personas.health_lead, briefing=briefing,
                                  agency=personas.health, shared_on=today, how="training",
                                  practitioners_reached=6)
    assert [d.agency for d in briefing_page(personas.police_lead, briefing,
                                            team=False).disseminations] == [personas.police]
    assert briefing_page(personas.manager, briefing, team=True).reached == 30


def test_feedback_may_be_anonymous_and_names_no_one_even_in_its_history(
        personas: Personas) -> None:
    w = published_review(personas)
    briefing = published_briefing(w)
    feedback = services.briefing_feedback_give(
        by=personas.police_lead, briefing=briefing, what_helped="The questions for teams.",
        what_could_improve="", anonymous=True)
    assert feedback.given_by is None
    row = BriefingFeedback.history.get(id=feedback.pk)
    assert row.history_user_id is None and row.given_by_id is None
    assert row.history_date.time() == timezone.datetime.min.time()
    named = services.briefing_feedback_give(by=personas.board, briefing=briefing,
                                            what_helped="", what_could_improve="Shorter.",
                                            anonymous=False)
    assert named.given_by == personas.board
    with pytest.raises(ValidationError, match="what helped"):
        services.briefing_feedback_give(by=personas.board, briefing=briefing, what_helped=" ",
                                        what_could_improve="", anonymous=True)


def test_the_library_lists_published_briefings_to_everyone_and_drafts_to_no_one_else(
        personas: Personas) -> None:
    w = published_review(personas)
    draft = services.briefing_draft(by=personas.manager, review=w.review)
    assert list(library_briefings(personas.board)) == []
    assert list(Briefing.objects.for_user(personas.police_lead)) == []
    render(personas.manager, draft)
    services.briefing_publish(by=personas.manager, briefing=draft, agencies=[personas.police])
    for person in (personas.board, personas.police_lead, personas.health_lead, personas.panel):
        assert list(library_briefings(person)) == [draft]
    assert list(library_briefings(personas.board, text="information sharing nothing")) == []
    services.briefing_withdraw(by=personas.manager, briefing=draft, reason="Superseded")
    assert list(library_briefings(personas.board)) == []


def test_reach_counts_briefings_agencies_and_practitioners_and_the_period_figures_agree(
        personas: Personas) -> None:
    from actionplans.selectors import figure_records, period_figures

    w = published_review(personas)
    briefing = published_briefing(w)
    today = timezone.localdate()
    for lead, agency, reached in ((personas.police_lead, personas.police, 12),
                                  (personas.police_lead, personas.police, 8),
                                  (personas.health_lead, personas.health, 5)):
        services.dissemination_record(by=lead, briefing=briefing, agency=agency,
                                      shared_on=today, how="email",
                                      practitioners_reached=reached)
    reach = briefings_reach(personas.manager, today - timedelta(days=30), today)
    assert (reach.published, reach.agencies_sent, reach.agencies_shared,
            reach.practitioners_reached) == (1, 2, 2, 25)
    assert briefings_reach(personas.manager, today - timedelta(days=60),
                           today - timedelta(days=31)).published == 0
    assert briefings_reach(personas.board, today, today).practitioners_reached == 25
    # the yearly report's and the board's figures (actionplans.selectors.figures) are these
    figures = period_figures(personas.board, today - timedelta(days=30), today)
    assert figures["briefings_published"].records == (briefing.pk,)
    assert (figures["briefings_shared"].value, figures.practitioners_reached) == (1, 25)
    _, rows = figure_records(personas.board, "briefings_published",
                             today - timedelta(days=30), today)
    assert [(pk, detail.split("; ")[1]) for pk, _, detail in rows] == [
        (briefing.pk, "sent to 2 agencies, shared by 2, 25 practitioners reached")]
    assert period_figures(personas.board, today - timedelta(days=60),
                          today - timedelta(days=31))["briefings_published"].value == 0
