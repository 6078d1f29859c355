"""Spreadsheets read and written once (``scr.spreadsheets``): both imports (the chronology's
and the action plan's) accept the same dates, the union of what each accepted before, and
both exports (CSV and XLSX) defuse every cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta

import pytest
from openpyxl import load_workbook

from actionplans import services as plan_services
from actionplans.models import Action
from reviews import services
from reviews.models import ChronologyEntry
from scr.spreadsheets import (
    FORMULA_STARTS,
    UnreadableDate,
    cell_date,
    csv_lines,
    csv_rows,
    safe_cell,
    xlsx_bytes,
    xlsx_rows,
)
from tests.actionplans.helpers import an_action, monitoring_review, today
from tests.actionplans.test_exports_imports import row, workbook
from tests.chronology_helpers import csv_upload, make_case
from tests.personas import Personas, client_for

# ---------------------------------------------------------------- dates, one rule


@pytest.mark.parametrize(("written", "expected"), [
    ("31/12/2025", date(2025, 12, 31)),
    ("2025-12-31", date(2025, 12, 31)),
    ("31-12-2025", date(2025, 12, 31)),
    ("31.12.2025", date(2025, 12, 31)),  # the chronology's only, before
    ("3.3.2015", date(2015, 3, 3)),
    ("31 Dec 2025", date(2025, 12, 31)),
    ("31 December 2025", date(2025, 12, 31)),
    ("31-Dec-2025", date(2025, 12, 31)),  # the chronology's only, before
    ("31/Dec/2025", date(2025, 12, 31)),  # the chronology's only, before
    ("1st September 2025", date(2025, 9, 1)),
    ("3 Sept 2025", date(2025, 9, 3)),
    (date(2025, 12, 31), date(2025, 12, 31)),
    (datetime(2025, 12, 31, 0, 0), date(2025, 12, 31)),
    (45657, date(2024, 12, 31)),  # an Excel day number
    (45657.0, date(2024, 12, 31)),
])
def test_every_date_either_import_accepted_is_read_by_the_one_rule(written: object,
                                                                   expected: date) -> None:
    assert cell_date(written)[0] == expected


def test_a_date_cell_or_text_with_a_time_gives_the_time_too() -> None:
    assert cell_date(datetime(2025, 12, 31, 14, 5)) == (date(2025, 12, 31), time(14, 5))
    assert cell_date("31/12/2025 14:05") == (date(2025, 12, 31), time(14, 5))
    assert cell_date("") == (None, None) and cell_date(None) == (None, None)


@pytest.mark.parametrize(("written", "problem"), [
    ("12/31/2025", "month_first"),
    ("31/12/25", "two_digit_year"),
    ("next Tuesday", "unreadable"),
    (-3, "not_a_date"),
    (True, "unreadable"),
])
def test_a_cell_that_is_no_date_says_why(written: object, problem: str) -> None:
    with pytest.raises(UnreadableDate) as refused:
        cell_date(written)
    assert refused.value.problem == problem


@pytest.mark.django_db
def test_both_imports_accept_a_dotted_date(personas: Personas) -> None:
    """3.3.2015 was refused by the action plan's import before; both read it now."""
    case = make_case(personas)
    day = case.scope_end - timedelta(days=40)
    services.chronology_import(
        by=personas.police_lead, review=case.review, agency=personas.police,
        upload=csv_upload([[f"{day.day}.{day.month}.{day.year}", "", "Log", "Visit", "PC",
                            "no", ""]]))
    assert ChronologyEntry.objects.get().occurred_on == day

    review = monitoring_review(personas)
    target = today() + timedelta(days=90)
    count = plan_services.plan_import(by=personas.manager, review=review, upload=workbook([
        row(**{"Target date": f"{target.day}.{target.month}.{target.year}",
               "Key milestones": f"{target.day}.{target.month}.{target.year}: Course booked"}),
    ]))
    assert count == 1
    action = Action.objects.get(review=review)
    assert action.target_date == target and action.milestones.get().due_on == target


@pytest.mark.django_db
def test_the_action_plan_import_reads_what_only_the_chronology_read_before(
        personas: Personas) -> None:
    """An Excel day number in a cell not formatted as a date, 31-Dec-2027 and ordinals."""
    review = monitoring_review(personas)
    target = today() + timedelta(days=90)
    excel_day = (target - date(1899, 12, 30)).days
    plan_services.plan_import(by=personas.manager, review=review, upload=workbook([
        row(**{"Target date": excel_day,
               "Key milestones": f"{target:%d-%b-%Y}: Course booked; "
                                 f"{target.day}th {target:%B %Y}: Staff trained"}),
    ]))
    action = Action.objects.get(review=review)
    assert action.target_date == target
    assert [m.due_on for m in action.milestones.all()] == [target, target]


# ---------------------------------------------------------------- cells that would run


FORMULAS = [f"{start}HYPERLINK(\"x\")" for start in FORMULA_STARTS]


def test_every_formula_start_is_defused_in_csv_and_xlsx() -> None:
    header = ["Text", "Date"]
    rows = [[text, date(2025, 12, 31)] for text in FORMULAS]
    written = list(csv.reader(io.StringIO("".join(csv_lines(header, rows)))))
    assert [r[0] for r in written[1:]] == [f"'{t}" for t in FORMULAS]
    book = load_workbook(io.BytesIO(xlsx_bytes("Sheet", header, rows)))
    sheet = book.active
    assert sheet is not None
    assert sheet["A1"].font.b is True
    for number, text in enumerate(FORMULAS, start=2):
        cell = sheet.cell(row=number, column=1)
        # (XML keeps a carriage return as a line feed: the quote is what matters.)
        assert (cell.value[0], cell.value[2:], cell.data_type) == ("'", text[1:], "s")
        assert sheet.cell(row=number, column=2).number_format == "DD/MM/YYYY"
    assert safe_cell(3) == 3 and safe_cell("plain") == "plain"


def test_what_is_written_reads_back_through_the_same_readers() -> None:
    header = ["Text", "Number"]
    rows = [["=1+1", 3], ["Café", 4.0]]
    csv_file = io.BytesIO("".join(csv_lines(header, rows)).encode("cp1252"))
    assert [cells for _, cells in csv_rows(csv_file)][1:] == [["'=1+1", "3"], ["Café", "4.0"]]
    xlsx_file = io.BytesIO(xlsx_bytes("Sheet", header, rows))
    assert [cells for _, cells in xlsx_rows(xlsx_file)][1:] == [["'=1+1", 3], ["Café", 4]]


@pytest.mark.django_db
def test_the_action_plan_xlsx_export_defuses_formulas(personas: Personas) -> None:
    review = monitoring_review(personas)
    an_action(personas, review.recommendations.get(), action_text="=HYPERLINK(\"x\")",
              success_measure="@SUM(A1)")
    response = client_for(personas.manager).get(f"/reviews/{review.pk}/action-plan.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert (sheet["C2"].value, sheet["C2"].data_type) == ("'=HYPERLINK(\"x\")", "s")
    assert (sheet["H2"].value, sheet["H2"].data_type) == ("'@SUM(A1)", "s")
    assert sheet["G2"].number_format == "DD/MM/YYYY"
