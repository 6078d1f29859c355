"""The plan as CSV, XLSX and PDF in the spreadsheet's column order, and importing a plan from
XLSX: every bad row reported with its line, and a file with any bad row imports nothing."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from actionplans import services
from actionplans.models import EXPORT_COLUMNS, Action
from scr.models import AccessEvent, RenderRecord
from scr.renders import render_request
from tests.actionplans.helpers import CHILD, an_action, monitoring_review, today
from tests.personas import Personas, client_for

pytestmark = pytest.mark.django_db

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_csv_export_has_the_columns_in_order_and_defuses_formulas(personas: Personas) -> None:
    review = monitoring_review(personas)
    an_action(personas, review.recommendations.get(), action_text="=HYPERLINK(\"x\")")
    response = client_for(personas.manager).get(f"/reviews/{review.pk}/action-plan.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == list(EXPORT_COLUMNS)
    assert rows[1][2] == "'=HYPERLINK(\"x\")"
    assert rows[1][3] == "Police" and rows[1][4].endswith("(police_lead)")
    assert AccessEvent.objects.filter(action="export", review_id=review.pk).count() == 1


def test_xlsx_export_pseudonymises_for_an_agency_lead_without_identifiable_access(
        personas: Personas) -> None:
    review = monitoring_review(personas, involved=[personas.health])  # police not involved
    an_action(personas, review.recommendations.get())
    response = client_for(personas.police_lead).get(f"/reviews/{review.pk}/action-plan.xlsx")
    assert response["Content-Type"] == XLSX_TYPE
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == list(EXPORT_COLUMNS)
    text = " ".join(str(v) for v in values[1])
    assert CHILD not in text and "Kayden" not in text
    assert "Child A" in text


def test_the_plan_pdf_is_rendered_through_the_render_record_and_reads_back(
        personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    action = an_action(personas, monitoring_review(personas).recommendations.get())
    with django_capture_on_commit_callbacks(execute=True):
        record = render_request(by=personas.manager, target=action.plan,
                                kind="actionplans.plan")
    record.refresh_from_db()
    assert record.status == RenderRecord.Status.DONE, record.error
    text = "".join(page.extract_text() for page in PdfReader(record.file.open("rb")).pages)
    assert "Action plan" in text and action.review.reference in text
    assert "Child A" in text and "Kayden" not in text


def workbook(rows: list[list[object]], header: list[str] | None = None) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(header or list(EXPORT_COLUMNS))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("plan.xlsx", out.getvalue(), content_type=XLSX_TYPE)


def row(**changes: object) -> list[object]:
    values: dict[str, object] = {
        "Recommendation": "Recommendation 1: share information", "Scope": "Local",
        "Action to be taken": "Train call handlers", "Lead agency": "Police",
        "Owner": "police_lead", "Key milestones": "01/02/2027: Course booked",
        "Target date": today() + timedelta(days=90), "Success measure": "All trained",
        "Agency's response": "Accepted", "Status": "In progress", "RAG": "Red",
        "Date of completion": None, "Outcome": ""}
    values.update(changes)
    return [values[c] for c in EXPORT_COLUMNS]


def test_an_import_with_good_rows_creates_every_action(personas: Personas) -> None:
    review = monitoring_review(personas)
    count = services.plan_import(by=personas.manager, review=review, upload=workbook([
        row(), row(**{"Action to be taken": "Audit", "Status": "Completed",
                      "Target date": today() - timedelta(days=10),
                      "Date of completion": today() - timedelta(days=12),
                      "Outcome": "Audit done"})]))
    assert count == 2
    first, second = Action.objects.order_by("number")
    assert (first.status, first.milestones.get().description) == ("in_progress", "Course booked")
    assert (second.status, second.number) == ("completed", 2)


def test_an_import_with_any_bad_row_imports_nothing_and_reports_every_bad_row(
        personas: Personas) -> None:
    review = monitoring_review(personas)
    with pytest.raises(ValidationError) as error:
        services.plan_import(by=personas.manager, review=review, upload=workbook([
            row(),
            row(Owner="health_lead"),
            row(**{"Target date": "31/02/2027"}),
            row(),
            row(Recommendation="Recommendation 9"),
            row(**{"Target date": today() - timedelta(days=1)}),
        ]))
    messages = error.value.messages
    assert messages[0] == "Nothing was imported: 4 of 6 rows need correcting"
    assert any(m.startswith("Row 3:") and "not a member of Police" in m for m in messages)
    assert any(m.startswith("Row 4:") and "is not a date" in m for m in messages)
    assert any(m.startswith("Row 6:") and "has no recommendation 9" in m for m in messages)
    assert any(m.startswith("Row 7:") and "cannot be in the past" in m for m in messages)
    assert not Action.objects.exists()


def test_an_import_with_the_wrong_headings_or_not_a_spreadsheet_is_refused(
        personas: Personas) -> None:
    review = monitoring_review(personas)
    with pytest.raises(ValidationError, match="column headings"):
        services.plan_import(by=personas.manager, review=review,
                             upload=workbook([row()], header=["Action", "Owner"]))
    with pytest.raises(ValidationError, match="must be a"):
        services.plan_import(by=personas.manager, review=review,
                             upload=SimpleUploadedFile("plan.xlsx", b"not a spreadsheet\n"))
    assert not Action.objects.exists()


def test_an_export_imports_back_into_another_review(personas: Personas) -> None:
    source = monitoring_review(personas)
    an_action(personas, source.recommendations.get())
    exported = client_for(personas.manager).get(f"/reviews/{source.pk}/action-plan.xlsx")
    target = monitoring_review(personas)
    upload = SimpleUploadedFile("plan.xlsx", exported.content, content_type=XLSX_TYPE)
    assert services.plan_import(by=personas.manager, review=target, upload=upload) == 1
    copied = target.actions.get()
    assert (copied.owner, copied.lead_agency) == (personas.police_lead, personas.police)


def test_the_import_page_reports_every_bad_row_and_imports_nothing(personas: Personas) -> None:
    review = monitoring_review(personas)
    upload = workbook([row(), row(Owner="health_lead")])
    response = client_for(personas.manager).post(f"/reviews/{review.pk}/action-plan/import/",
                                                 {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Nothing was imported: 1 of 2 rows need correcting" in page
    assert "Row 3:" in page and "not a member of Police" in page
    assert not Action.objects.exists()


def test_an_agency_leads_export_holds_only_their_agencys_actions(personas: Personas) -> None:
    review = monitoring_review(personas)
    rec = review.recommendations.get()
    an_action(personas, rec, action_text="Police action")
    an_action(personas, rec, action_text="Health action", lead_agency=personas.health,
              owner=personas.health_lead)
    response = client_for(personas.police_lead).get(f"/reviews/{review.pk}/action-plan.csv")
    text = b"".join(response.streaming_content).decode()
    assert "Police action" in text and "Health action" not in text


def test_the_manager_asks_for_the_pdf_and_downloads_it(
        personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    review = monitoring_review(personas)
    an_action(personas, review.recommendations.get())
    client = client_for(personas.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reviews/{review.pk}/action-plan/pdf/")
    assert response.status_code == 302
    record = RenderRecord.objects.model._base_manager.get(kind="actionplans.plan")
    assert record.status == RenderRecord.Status.DONE, record.error
    download = client.get(f"/action-plan-pdfs/{record.pk}/")
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
