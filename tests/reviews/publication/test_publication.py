"""Publication (issue 12): the approved version rendered by WeasyPrint (anonymised and
confidential), the leak check reading the PDF itself, waivers, the immutable publication
and the published-reports library."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import LeakCheck, LeakHit, Publication, Stage, TakedownDecision
from reviews.models.publication import CONFIDENTIAL_KIND, PUBLISHED_KIND
from reviews.selectors.publication import publication_blockers, publishable_render
from reviews.services import TransitionRefused
from scr.anonymise import pdf_pages
from scr.models import AccessEvent, RenderRecord
from scr.renders import render_run
from scr.workdays import subtract_working_days
from tests.conftest import Personas, at_stage, client_for
from tests.reporting import (
    ReportWorld,
    add_finding,
    add_recommendation,
    approve_all,
    board_response,
    report_world,
    submitted,
)

FAMILY = ("Kayden Smith was three months old. His mother, Leanne Smith, cared for him "
          "with Kayden's grandmother.\n\n"
          "| Date | Agency | What happened |\n|---|---|---|\n"
          + "".join(f"| Week {n} | Health | Leanne took Kayden to the clinic (visit {n}). |\n"
                    for n in range(1, 61)))


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def approved(personas: Personas, *, family: str = FAMILY) -> ReportWorld:
    """A review at Sign-off whose version (with a long table) every approver approved."""
    w = report_world(personas, stage=Stage.REPORT)
    services.subject_add(by=personas.manager, review=w.review, kind="parent",
                         pseudonym="Mother", full_name="Leanne Smith")
    add_recommendation(w, [add_finding(w, themes=("Information sharing",))])
    services.report_start(by=personas.reviewer, review=w.review)
    section = w.review.report_sections.get(kind="family_structure")
    services.section_save(by=personas.reviewer, section=section, body=family, base_version=0)
    submission = submitted(w)
    at_stage(w.review, Stage.SIGN_OFF)
    approve_all(w, submission)
    board_response(w)
    return w


def render(w: ReportWorld, kind: str = PUBLISHED_KIND) -> RenderRecord:
    record = services.report_render_request(by=w.p.manager, review=w.review, kind=kind)
    # Rendered here, or already by the outbox's relay when the test's transactions commit.
    done = render_run(record.pk) or RenderRecord.objects.get(pk=record.pk)
    assert done is not None and done.status == RenderRecord.Status.DONE, done and done.error
    return done


def text_of(record: RenderRecord) -> list[str]:
    with record.file.open("rb") as pdf:
        return pdf_pages(pdf.read())


def ready_to_publish(w: ReportWorld) -> None:
    today = timezone.localdate()
    services.report_and_publication_record(
        by=w.p.manager, review=w.review, planned_publication_on=today,
        national_panel_sent_report_on=subtract_working_days(today, 7))


def test_the_anonymised_pdf_names_no_one_and_is_clean(personas: Personas) -> None:
    w = approved(personas)
    record = render(w)
    pages = text_of(record)
    text = "\n".join(pages)
    for identifier in ("Kayden", "Smith", "Leanne"):
        assert identifier not in text
    assert "Child A" in text and "Mother" in text
    assert text.count("Page ") >= len(pages) > 3  # numbered pages; the table split across pages
    assert "Local Child Safeguarding Practice Review: Child A" in " ".join(pages[0].split())
    assert "Northshire Safeguarding Children Partnership" in pages[0]
    # The running header: the title and the partnership on every page after the cover.
    assert all("Northshire Safeguarding Children Partnership" in p for p in pages[1:])
    assert all("Child A" in p for p in pages[1:])
    contents = pages[1]
    assert "Contents" in contents and "The board's response" in contents
    assert any(ch.isdigit() for ch in contents.split("Family structure")[1].split("\n")[0])
    assert "The board accepts the findings." in text
    check = LeakCheck.objects.get(render=record)
    assert list(check.hits.values_list("kind", "matched", "context")) == []
    assert check.error == "" and check.pages == len(pages) and not check.hits.exists()
    assert publishable_render(w.review) == record
    assert publication_blockers(w.review) == []


def test_the_confidential_pdf_keeps_the_names_and_says_so_on_every_page(
        personas: Personas) -> None:
    w = approved(personas)
    pages = text_of(render(w, CONFIDENTIAL_KIND))
    assert "Kayden Smith" in "\n".join(pages)
    assert all("CONFIDENTIAL – NOT FOR PUBLICATION" in page for page in pages)
    assert publishable_render(w.review) is None  # never publishable


def test_two_requests_while_one_is_queued_make_one_render(personas: Personas) -> None:
    w = approved(personas)
    first = services.report_render_request(by=w.p.manager, review=w.review, kind=PUBLISHED_KIND)
    again = services.report_render_request(by=w.p.reviewer, review=w.review, kind=PUBLISHED_KIND)
    assert again.pk == first.pk
    other = services.report_render_request(by=w.p.manager, review=w.review,
                                           kind=CONFIDENTIAL_KIND)
    assert other.pk != first.pk
    render_run(first.pk)
    assert services.report_render_request(by=w.p.manager, review=w.review,
                                          kind=PUBLISHED_KIND).pk != first.pk


def test_a_render_needs_an_approved_version(personas: Personas) -> None:
    w = report_world(personas, stage=Stage.SIGN_OFF)
    with pytest.raises(ValidationError, match="No version of the report has been approved"):
        services.report_render_request(by=w.p.manager, review=w.review, kind=PUBLISHED_KIND)


def test_a_planted_leak_is_found_with_its_page_blocks_publication_and_is_waived_or_fixed(
        personas: Personas) -> None:
    w = approved(personas, family=FAMILY + "\n\nKayden was born on 3 March 2015.\n")
    ready_to_publish(w)
    leaky = render(w)
    hit = LeakHit.objects.get(render=leaky)
    pages = text_of(leaky)
    assert hit.kind == "date" and hit.matched == "3 March 2015"
    assert "3 March 2015" in pages[hit.page - 1] and hit.page > 2
    assert "born on 3 March 2015" in hit.context
    assert publishable_render(w.review) is None
    with pytest.raises(TransitionRefused, match="1 open leak-check hit"):
        services.review_transition(by=w.p.manager, review=w.review, to=Stage.PUBLICATION,
                                   expected_from=Stage.SIGN_OFF)

    # Only a business manager waives, with a reason, and the waiver is in the history.
    with pytest.raises(ValidationError, match="Only a business manager"):
        services.leak_hit_waive(by=w.p.reviewer, hit=hit, reason="Public")
    with pytest.raises(ValidationError, match="Enter why"):
        services.leak_hit_waive(by=w.p.manager, hit=hit, reason=" ")
    services.leak_hit_waive(by=w.p.manager, hit=hit, reason="Agreed with the family")
    assert publishable_render(w.review) == leaky
    latest = hit.history.latest("history_date")
    assert latest.history_user == w.p.manager and "Agreed with the family" in (
        latest.history_change_reason)

    # The fix: the date of birth registered; a new render turns it into an age, clean.
    child = w.review.subjects.get(kind="child")
    services.subject_update(by=w.p.reviewer, subject=child, date_of_birth=date(2015, 3, 3),
                            reason="Date of birth from the health records")
    fixed = render(w)
    assert "3 March 2015" not in "\n".join(text_of(fixed))
    assert not LeakHit.objects.filter(render=fixed).exists()
    assert publishable_render(w.review) == fixed
    services.review_transition(by=w.p.manager, review=w.review, to=Stage.PUBLICATION,
                               expected_from=Stage.SIGN_OFF)


def published(personas: Personas) -> tuple[ReportWorld, Publication]:
    w = approved(personas)
    ready_to_publish(w)
    render(w)
    services.panel_notice_record(by=w.p.manager, review=w.review,
                                 sent_on=subtract_working_days(timezone.localdate(), 7))
    services.review_transition(by=w.p.manager, review=w.review, to=Stage.PUBLICATION,
                               expected_from=Stage.SIGN_OFF)
    return w, services.publication_publish(by=w.p.manager, review=w.review)


def test_only_the_pdf_the_national_panel_was_sent_is_published(personas: Personas) -> None:
    w = approved(personas)
    ready_to_publish(w)
    first = render(w)
    sent = subtract_working_days(timezone.localdate(), 8)
    with pytest.raises(ValidationError, match="Only a business manager"):
        services.panel_notice_record(by=w.p.reviewer, review=w.review, sent_on=sent)
    check = services.panel_notice_record(by=w.p.manager, review=w.review, sent_on=sent)
    w.review.refresh_from_db()
    assert check.render == first and check.panel_notified_on == sent
    assert w.review.national_panel_sent_report_on == sent  # the review's date follows the PDF
    # A PDF made again after the notice is not the one the Panel was sent.
    again = render(w)
    services.review_transition(by=w.p.manager, review=w.review, to=Stage.PUBLICATION,
                               expected_from=Stage.SIGN_OFF)
    with pytest.raises(ValidationError, match="sent to the national Panel first"):
        services.publication_publish(by=w.p.manager, review=w.review)
    assert not Publication.objects.exists()
    services.panel_notice_record(by=w.p.manager, review=w.review, sent_on=sent)
    assert services.publication_publish(by=w.p.manager, review=w.review).render == again


def test_publishing_keeps_the_pdf_its_hash_and_the_dates_and_opens_monitoring(
        personas: Personas) -> None:
    w, publication = published(personas)
    today = timezone.localdate()
    with publication.file.open("rb") as pdf:
        assert hashlib.sha256(pdf.read()).hexdigest() == publication.sha256
    assert publication.published_on == today == w.review.published_on
    assert publication.takedown_review_on == date(today.year + 1, today.month, today.day) or (
        today.month == 2 and today.day == 29)
    assert publication.board_response == w.review.board_responses.get()
    assert "Child A" in publication.text and "Kayden" not in publication.text
    with pytest.raises(ValidationError, match="already published"):
        services.publication_publish(by=w.p.manager, review=w.review)
    services.review_transition(by=w.p.manager, review=w.review, to=Stage.MONITORING,
                               expected_from=Stage.PUBLICATION)


def test_the_library_finds_by_text_year_and_theme_and_logs_each_download(
        personas: Personas) -> None:
    w, publication = published(personas)
    client = client_for(personas.board)
    url = reverse("library")
    information = w.review.findings.get().themes.get()
    for query in ({"q": "accepts findings"}, {"year": publication.published_on.year},
                  {"theme": information.pk}, {}):
        page = client.get(url, query)
        assert page.status_code == 200 and publication.title in page.content.decode(), query
    for query in ({"q": "Kayden"}, {"year": 2001}, {"q": "bicycle"}):
        assert publication.title not in client.get(url, query).content.decode(), query

    download = client.get(reverse("library_download", args=[publication.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # streamed, never read whole
    event = AccessEvent.objects.filter(user=personas.board, action=AccessEvent.Action.DOWNLOAD)
    assert event.get().object_id == str(publication.pk)

    # The board reaches nothing else of the review's publication: not its PDFs (404), not
    # its publication page (403: the board may read that the review is published).
    record = publishable_render(w.review)
    assert record is not None
    assert client.get(reverse("report_render_download", args=[record.pk])).status_code == 404
    assert client.get(reverse("review_publication", args=[w.review.pk])).status_code == 403


def test_a_published_file_that_changed_is_refused_and_logged(
        personas: Personas, caplog: pytest.LogCaptureFixture) -> None:
    _, publication = published(personas)
    with open(publication.file.path, "ab") as stored:
        stored.write(b"tampered")
    response = client_for(personas.health_lead).get(reverse("library_download",
                                                            args=[publication.pk]))
    assert response.status_code == 500
    assert b"no longer matches" in response.content
    assert "does not match its SHA-256" in caplog.text
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.DOWNLOAD).exists()


def test_a_report_past_its_takedown_review_is_flagged_then_kept_or_withdrawn(
        personas: Personas) -> None:
    _, publication = published(personas)
    Publication.objects.filter(pk=publication.pk).update(
        takedown_review_on=timezone.localdate() - timedelta(days=1))
    manager = client_for(personas.manager)
    page = manager.get(reverse("library")).content.decode()
    assert "Takedown review due" in page
    assert "Takedown review due" not in client_for(personas.board).get(
        reverse("library")).content.decode()

    services.publication_takedown_decide(by=personas.manager, publication=publication,
                                         decision="keep", reason="Still relevant")
    publication.refresh_from_db()
    assert publication.takedown_review_on > timezone.localdate()
    services.publication_takedown_decide(by=personas.manager, publication=publication,
                                         decision="withdraw", reason="Family request")
    publication.refresh_from_db()
    assert publication.status == Publication.Status.WITHDRAWN
    assert TakedownDecision.objects.for_user(personas.manager).count() == 2
    board = client_for(personas.board)
    assert publication.title not in board.get(reverse("library")).content.decode()
    assert board.get(reverse("library_download", args=[publication.pk])).status_code == 404


def test_the_publication_page_shows_progress_and_the_hits(personas: Personas) -> None:
    w = approved(personas, family=FAMILY + "\n\nSeen on 3 March 2015.\n")
    record = services.report_render_request(by=w.p.manager, review=w.review, kind=PUBLISHED_KIND)
    page = client_for(personas.reviewer).get(reverse("review_publication", args=[w.review.pk]))
    assert 'hx-trigger="every 2s"' in page.content.decode()
    render_run(record.pk)
    page = client_for(personas.panel).get(reverse("review_publication", args=[w.review.pk]))
    body = page.content.decode()
    assert "hx-trigger" not in body and "3 March 2015" in body and "Waive" not in body
    body = client_for(personas.manager).get(
        reverse("report_renders_status", args=[w.review.pk])).content.decode()
    assert reverse("leak_hit_waive", args=[LeakHit.objects.get().pk]) in body


def test_the_publication_page_lists_possible_unregistered_names(personas: Personas) -> None:
    w = approved(personas, family=FAMILY + "\n\nHis aunt Sophie visited every week.\n")
    body = client_for(personas.reviewer).get(
        reverse("review_publication", args=[w.review.pk])).content.decode()
    names = body.split('id="possible-names"')[1].split("</ul>")[0]
    assert "Sophie" in names and "Leanne" not in names and "Kayden" not in names


def test_a_possible_name_that_is_nobodys_is_dismissed_with_a_reason_and_no_longer_listed(
        personas: Personas) -> None:
    w = approved(personas, family=FAMILY + "\n\nTheir dog Sophie barked at every visit.\n")
    url = reverse("review_publication", args=[w.review.pk])
    body = client_for(personas.reviewer).get(url).content.decode()
    assert "Sophie" in body.split('id="possible-names"')[1].split("</ul>")[0]
    dismiss = reverse("unregistered_name_dismiss", args=[w.review.pk])
    assert f'{dismiss}?name=Sophie' in body
    form = client_for(personas.reviewer).get(f"{dismiss}?name=Sophie").content.decode()
    assert 'value="Sophie"' in form
    # A reason is required, and an agency lead or the board cannot dismiss anything.
    with pytest.raises(ValidationError, match="why this is nobody's name"):
        services.unregistered_name_dismiss(by=personas.reviewer, review=w.review,
                                           name="Sophie", reason=" ")
    with pytest.raises(ValidationError, match="Only the business manager or the review's reviewer"):
        services.unregistered_name_dismiss(by=personas.police_lead, review=w.review,
                                           name="Sophie", reason="A dog")
    response = client_for(personas.reviewer).post(dismiss, {
        "name": "Sophie", "reason": "Sophie is the family's dog."})
    assert response.status_code == 302
    dismissed = w.review.dismissed_names.get()
    assert (dismissed.name, dismissed.dismissed_by) == ("Sophie", personas.reviewer)
    assert dismissed.history.get().history_change_reason == (
        "Not a person's name: Sophie is the family's dog.")
    body = client_for(personas.reviewer).get(url).content.decode()
    assert 'id="possible-names"' not in body or "Sophie" not in body.split(
        'id="possible-names"')[1].split("</ul>")[0]
    with pytest.raises(ValidationError, match="already dismissed"):
        services.unregistered_name_dismiss(by=personas.manager, review=w.review,
                                           name="sophie", reason="again")


def sent_to_panel_and_moved_on(w: ReportWorld) -> None:
    services.panel_notice_record(by=w.p.manager, review=w.review,
                                 sent_on=subtract_working_days(timezone.localdate(), 7))
    services.review_transition(by=w.p.manager, review=w.review, to=Stage.PUBLICATION,
                               expected_from=Stage.SIGN_OFF)


def run_queued(w: ReportWorld) -> RenderRecord:
    """The render a change queued, as the worker runs it."""
    queued = RenderRecord.objects.filter(kind=PUBLISHED_KIND).order_by("-created_at", "-id")[0]
    return render_run(queued.pk) or RenderRecord.objects.get(pk=queued.pk)


def test_a_pdf_made_before_the_register_changed_is_never_published(personas: Personas) -> None:
    """Register change after the render → publish refused in words → the new PDF (queued
    by the change) made and sent → published; the old PDF, clean as its check was, is never
    the one published."""
    w = approved(personas)
    ready_to_publish(w)
    old = render(w)
    sent_to_panel_and_moved_on(w)
    assert publishable_render(w.review) == old

    child = w.review.subjects.get(kind="child")
    services.subject_identifier_add(by=w.p.reviewer, subject=child, kind="postcode",
                                    value="NT1 2AB")
    assert publishable_render(w.review) is None
    assert publication_blockers(w.review)[0].startswith(
        "the latest anonymised PDF was made before the register")
    with pytest.raises(ValidationError, match=r"made before the register.*A new PDF is being "
                                              r"made: wait for it") as refused:
        services.publication_publish(by=w.p.manager, review=w.review)
    assert refused.value.code == "out_of_date"
    with pytest.raises(ValidationError, match="made before the register"):
        services.panel_notice_record(by=w.p.manager, review=w.review,
                                     sent_on=subtract_working_days(timezone.localdate(), 7))
    assert not Publication.objects.exists()

    again = run_queued(w)
    assert again.pk != old.pk and again.status == RenderRecord.Status.DONE
    assert publishable_render(w.review) == again
    services.panel_notice_record(by=w.p.manager, review=w.review,
                                 sent_on=subtract_working_days(timezone.localdate(), 7))
    publication = services.publication_publish(by=w.p.manager, review=w.review)
    assert publication.render == again


def test_a_change_that_leaves_the_check_unsettled_refuses_publication_until_settled(
        personas: Personas) -> None:
    """The grandmother, registered late, shares the family's surname: "Ms Smith", which
    the old PDF printed as "Mother", may now be either woman. Nothing can be queued (the
    check has an item), and the old PDF, which may name the wrong person, is refused."""
    w = approved(personas, family="Kayden Smith was three months old. His mother, Leanne "
                                  "Smith, cared for him.\n\nMs Smith took him to the clinic.\n")
    ready_to_publish(w)
    old = render(w)
    assert "Mother took him to the clinic" in " ".join(" ".join(text_of(old)).split())
    sent_to_panel_and_moved_on(w)
    services.subject_add(by=w.p.manager, review=w.review, kind="relative",
                         pseudonym="Grandmother", full_name="Mary Smith", sex="female")
    assert RenderRecord.objects.filter(kind=PUBLISHED_KIND).count() == 1
    with pytest.raises(ValidationError, match="Settle the anonymisation check and make the "
                                              "PDF again, then publish it"):
        services.publication_publish(by=w.p.manager, review=w.review)

    from reviews.selectors.publication import anonymisation_check
    [item] = anonymisation_check(w.review).unsettled
    services.form_decision_record(by=w.p.reviewer, review=w.review, text=item.text,
                                  context=item.context,
                                  subject=w.review.subjects.get(pseudonym="Grandmother"))
    again = run_queued(w)
    assert again.pk != old.pk and publishable_render(w.review) == again
    assert "Grandmother took him to the clinic" in " ".join(" ".join(text_of(again)).split())
    services.panel_notice_record(by=w.p.manager, review=w.review,
                                 sent_on=subtract_working_days(timezone.localdate(), 7))
    assert services.publication_publish(by=w.p.manager, review=w.review).render == again


@pytest.mark.parametrize("change", ["public name", "dismissed name", "withdrawn decision",
                                    "board response", "name variant"])
def test_every_input_of_the_pdf_makes_an_earlier_render_out_of_date(
        personas: Personas, change: str) -> None:
    """Not only the register: the names allowed by design, the names dismissed, a decision
    undone, the board's response printed in the PDF and a name variant each change what a
    render (or its leak check) would be, so each makes the earlier PDF unpublishable."""
    w = approved(personas)
    decision = services.form_decision_record(
        by=w.p.reviewer, review=w.review, text="Alder", context="", everywhere=True,
        subject=None, reason="A tree in a place name")
    old = render(w)
    assert publishable_render(w.review) == old
    if change == "public name":
        services.public_name_add(by=w.p.manager, review=w.review, name="Ann Author",
                                 role="The report's author")
    elif change == "dismissed name":
        services.unregistered_name_dismiss(by=w.p.reviewer, review=w.review, name="Alder",
                                           reason="A tree in a place name")
    elif change == "withdrawn decision":
        services.form_decision_withdraw(by=w.p.reviewer, decision=decision,
                                        reason="Decided too quickly")
    elif change == "board response":
        services.board_response_record(
            by=w.p.manager, review=w.review, response="The board accepts the findings, "
            "and adds an action.", monitoring="Quarterly reports to the board.", decisions={
                f"finding-{f.pk}": ("accepted", "Protocol revised")
                for f in w.review.findings.all()} | {
                f"recommendation-{r.pk}": ("accepted", "Audit in March")
                for r in w.review.recommendations.all()})
    else:
        services.name_variant_add(by=w.p.manager,
                                  subject=w.review.subjects.get(kind="child"), text="Kay")
    assert publishable_render(w.review) is None
    assert "made before the register" in publication_blockers(w.review)[0]
    # Whatever the change queued (or nothing, if it only touched the check), a PDF made now
    # is current again.
    if RenderRecord.objects.filter(status=RenderRecord.Status.QUEUED).exists():
        run_queued(w)
    else:
        render(w)
    assert publishable_render(w.review) not in (None, old)


def test_the_same_inputs_give_the_same_digest_and_the_confidential_pdf_has_none(
        personas: Personas) -> None:
    w = approved(personas)
    record = render(w)
    confidential = render(w, CONFIDENTIAL_KIND)
    from scr.renders import render_inputs, render_is_current
    assert len(record.inputs_digest) == 64
    assert render_inputs(PUBLISHED_KIND, record.target) == record.inputs_digest
    assert confidential.inputs_digest == "" and render_is_current(confidential)


def test_the_publish_button_waits_for_the_lawful_day_and_the_page_says_which_day_and_why(
        personas: Personas) -> None:
    """Issue 19, item 11: the national Panel was sent the report today, so the earliest
    lawful day is 7 working days on; until then no button, but that date and the reason."""
    from scr.workdays import add_working_days

    w = approved(personas)
    today = timezone.localdate()
    services.report_and_publication_record(
        by=w.p.manager, review=w.review, planned_publication_on=add_working_days(today, 7),
        national_panel_sent_report_on=today)
    render(w)
    services.panel_notice_record(by=w.p.manager, review=w.review, sent_on=today)
    services.review_transition(by=w.p.manager, review=w.review, to=Stage.PUBLICATION,
                               expected_from=Stage.SIGN_OFF)
    page = client_for(w.p.manager).get(reverse("review_publication", args=[w.review.pk]))
    html = page.content.decode()
    assert "Publish the report" not in html
    earliest = add_working_days(today, 7)
    assert f"The earliest it can be published is <strong>{earliest:%A %-d %B %Y}</strong>" in html
    assert f"the national Panel was sent the report on {today:%-d %B %Y}" in html
    assert "at least 7 working days before publication" in html
    with pytest.raises(ValidationError, match="at least 7 working days"):
        services.publication_publish(by=w.p.manager, review=w.review)  # the same rule
    services.panel_notice_record(by=w.p.manager, review=w.review,
                                 sent_on=subtract_working_days(today, 7))
    html = client_for(w.p.manager).get(reverse("review_publication",
                                               args=[w.review.pk])).content.decode()
    assert "Publish the report" in html and 'id="publication-timing"' not in html
