"""The yearly report: its narrative saved with history by business managers only, its PDF
made through the publication path (anonymised, rendered, its text read back and leak-checked)
and published to the board only when clean and current; CSV and XLSX of its figures."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from learning import services
from learning.models import YearlyLeakCheck, YearlyReport
from reviews import services as review_services
from reviews.models import Review
from scr.anonymise import pdf_pages
from scr.renders import render_run
from tests.personas import Personas, client_for

pytestmark = pytest.mark.django_db

START, END = date(2025, 12, 1), date(2026, 5, 31)


def a_case(p: Personas) -> Review:
    review = review_services.review_create(
        by=p.manager, incident_date=date(2025, 12, 1), aware_date=date(2025, 12, 22),
        what_happened="Kayden Smith was injured.", harm=Review.Harm.SERIOUS_HARM,
        abuse_or_neglect=Review.AbuseNeglect.SUSPECTED, criteria_met=True,
        referring_agency=p.police, agencies_involved=[p.police])
    review_services.subject_add(by=p.manager, review=review, kind="child",
                                pseudonym="Child A", full_name="Kayden Smith")
    Review.objects.filter(pk=review.pk).update(notification_sent_on=date(2025, 12, 31))
    return review


def a_report(p: Personas) -> YearlyReport:
    return services.yearly_report_create(by=p.manager, title="Annual report 2025 to 2026",
                                         start=START, end=END)


def made_pdf(p: Personas, report: YearlyReport) -> YearlyLeakCheck:
    record = services.yearly_report_render(by=p.manager, report=report)
    render_run(record.pk)  # what the pdf worker runs
    return YearlyLeakCheck.objects.get(render=record)


def test_only_a_business_manager_writes_the_narrative_and_each_save_is_kept(
        personas: Personas) -> None:
    report = a_report(personas)
    for who in (personas.board, personas.police_lead):
        with pytest.raises(ValidationError, match="Only a business manager"):
            services.yearly_section_save(by=who, report=report, section="learning", text="x")
    services.yearly_section_save(by=personas.manager, report=report, section="learning",
                                 text="First words.")
    services.yearly_section_save(by=personas.manager, report=report, section="learning",
                                 text="Better words.", reason="Tightened")
    report.refresh_from_db()
    assert report.learning == "Better words."
    assert [h.learning for h in report.history.order_by("history_id")] == [
        "", "First words.", "Better words."]
    assert report.history.first().history_change_reason == "Tightened"
    with pytest.raises(ValidationError):
        services.yearly_report_create(by=personas.manager, title="Backwards", start=END,
                                      end=START)


def test_the_board_reads_neither_the_reports_history_nor_its_leak_checks(
        personas: Personas) -> None:
    """The narrative is the business manager's own text (a real name may be in it): the
    board reads it only through the pseudonymiser on the report's page, never its history;
    the leak checks (their hits name people) are business managers' alone."""
    a_case(personas)
    report = a_report(personas)
    services.yearly_section_save(by=personas.manager, report=report, section="learning",
                                 text="Kayden Smith's review taught us most.")
    check = made_pdf(personas, report)
    url = reverse("record_history", args=["learning.yearlyreport", report.pk])
    assert client_for(personas.board).get(url).status_code == 403
    assert "Kayden" in client_for(personas.manager).get(url).content.decode()
    assert not YearlyLeakCheck.objects.for_user(personas.board).exists()
    assert YearlyLeakCheck.objects.for_user(personas.manager).get() == check
    assert client_for(personas.board).get(reverse(
        "record_history", args=["learning.yearlyleakcheck", check.pk])).status_code == 404


def test_the_pdf_is_anonymised_read_back_clean_and_published_to_the_board(
        personas: Personas) -> None:
    a_case(personas)
    report = a_report(personas)
    services.yearly_section_save(by=personas.manager, report=report, section="learning",
                                 text="Kayden Smith's review showed that **information** was "
                                      "not shared.")
    check = made_pdf(personas, report)
    assert check.is_clean, check.hits
    text = check.text
    assert "Child A's review showed that information was not shared" in " ".join(text.split())
    assert "Kayden" not in text
    assert "Serious incident notifications" in text and "Notified within 5 working days" in text
    services.yearly_report_publish(by=personas.manager, report=report)
    board = client_for(personas.board)
    page = board.get(reverse("yearly_report", args=[report.pk])).content.decode()
    assert "Kayden" not in page and 'id="download-pdf"' in page
    pdf = b"".join(board.get(reverse("yearly_report_download", args=[report.pk])).streaming_content)
    pages = pdf_pages(pdf)
    assert "What we learned" in " ".join(pages) and "Kayden" not in " ".join(pages)
    with pytest.raises(ValidationError, match="published"):
        services.yearly_section_save(by=personas.manager, report=report, section="learning",
                                     text="Changed after publication")


def test_a_leak_check_hit_blocks_publication(personas: Personas) -> None:
    report = a_report(personas)
    services.yearly_section_save(by=personas.manager, report=report, section="impact",
                                 text="The audit of 14 February 2026 found better practice.")
    check = made_pdf(personas, report)
    assert [h["kind"] for h in check.hits] == ["date"]
    with pytest.raises(ValidationError, match="leak check found 1"):
        services.yearly_report_publish(by=personas.manager, report=report)
    assert YearlyReport.objects.get(pk=report.pk).published_render is None
    assert client_for(personas.board).get(
        reverse("yearly_report_download", args=[report.pk])).status_code == 404


def test_a_pdf_made_before_the_text_changed_cannot_be_published(personas: Personas) -> None:
    report = a_report(personas)
    assert made_pdf(personas, report).is_clean
    services.yearly_section_save(by=personas.manager, report=report, section="priorities",
                                 text="Supervision.")
    with pytest.raises(ValidationError, match="make it again"):
        services.yearly_report_publish(by=personas.manager, report=report)
    with pytest.raises(ValidationError, match="Make the PDF first"):
        services.yearly_report_publish(by=personas.manager, report=a_report(personas))


def test_the_figures_export_as_csv_and_xlsx(personas: Personas) -> None:
    a_case(personas)
    report = a_report(personas)
    board = client_for(personas.board)
    csv = b"".join(board.get(reverse("yearly_report_csv", args=[report.pk])).streaming_content)
    assert b"Serious incident notifications,1" in csv
    assert b"Notified within 5 working days,1" in csv
    xlsx = board.get(reverse("yearly_report_xlsx", args=[report.pk])).content
    rows = list(load_workbook(BytesIO(xlsx)).active.iter_rows(values_only=True))
    assert rows[1][:2] == ("Serious incident notifications", 1)
    assert client_for(personas.police_lead).get(
        reverse("yearly_report_csv", args=[report.pk])).status_code == 403

