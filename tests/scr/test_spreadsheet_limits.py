"""Spreadsheets are refused while they stream, at the first limit they cross (issue 18,
finding 2: a 107 KB XLSX with one 100 MB cell took the chronology import to 1.2 GB and a
500). Every importer reads through ``scr.spreadsheets``, so each hostile file here is
refused with a message naming the limit (and the row where there is one), and nothing is
stored. How long each refusal takes and the memory it uses are figures, printed by
benchmarks/spreadsheet_limits.py, never asserted here."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from actionplans import services as plan_services
from actionplans.models import Action
from actionplans.services.imports import ImportRefused as PlanImportRefused
from reviews import services
from reviews.models import ChronologyEntry, Subject
from scr.spreadsheets import (
    LIMITS,
    Limits,
    SpreadsheetTooLarge,
    SpreadsheetUnreadable,
    csv_rows,
    xlsx_rows,
)
from tests import hostile_spreadsheets as hostile
from tests.actionplans.helpers import monitoring_review
from tests.chronology_helpers import make_case
from tests.personas import Personas, client_for
from tests.reviews.services.helpers import open_review

MB = hostile.MB


def read_xlsx(data: bytes, limits: Limits = LIMITS) -> list[tuple[int, list[object]]]:
    return list(xlsx_rows(io.BytesIO(data), sheet="Chronology", limits=limits))


def read_csv(data: bytes, limits: Limits = LIMITS) -> list[tuple[int, list[str]]]:
    return list(csv_rows(io.BytesIO(data), limits=limits))


def refused(read: object, data: bytes, limits: Limits = LIMITS) -> SpreadsheetTooLarge:
    with pytest.raises(SpreadsheetTooLarge) as error:
        read(data, limits)  # type: ignore[operator]
    return error.value


# ---------------------------------------------------------------- XLSX


def test_the_pen_tests_file_one_100_mb_cell_is_refused_before_anything_is_inflated() -> None:
    data = hostile.huge_cell(100 * MB)
    assert len(data) < 200 * 1024  # about 100 KB on the wire
    error = refused(read_xlsx, data)
    assert error.limit == "inflated_bytes"
    assert "would be 100.0 MB once unpacked, more than the 100 MB" in str(error)


def test_a_cell_over_excels_own_limit_is_refused_with_its_row_and_column() -> None:
    error = refused(read_xlsx, hostile.huge_cell(MB))
    assert error.limit == "cell_chars"
    assert str(error).startswith("Row 2 of the sheet “Chronology”: column D: a cell has more "
                                 "than 32,767 characters")


def test_a_long_text_in_the_shared_strings_table_is_refused_before_the_sheet_is_read() -> None:
    """Excel keeps a workbook's texts in one table, read before the sheet that uses them."""
    error = refused(read_xlsx, hostile.huge_shared_string(LIMITS.cell_chars + 1))
    assert error.limit == "cell_chars"
    assert str(error) == ("A text in the file has more than 32,767 characters, the most a "
                          "spreadsheet cell holds. Nothing was imported.")


def test_a_cell_of_exactly_excels_limit_is_read() -> None:
    rows = read_xlsx(hostile.workbook([hostile.header_row(),
                                       hostile.inline_row(2, ["A" * LIMITS.cell_chars])]))
    assert len(rows[1][1][0]) == LIMITS.cell_chars  # type: ignore[arg-type]


def test_a_sheet_of_more_rows_than_the_limit_is_refused_and_one_at_the_limit_is_read() -> None:
    error = refused(read_xlsx, hostile.many_rows(LIMITS.sheet_rows))  # + the heading row
    assert error.limit == "sheet_rows"
    assert "more than 50,000 rows: split it" in str(error)
    assert len(read_xlsx(hostile.many_rows(LIMITS.sheet_rows - 1))) == LIMITS.sheet_rows


def test_a_workbook_of_many_sheets_is_refused() -> None:
    error = refused(read_xlsx, hostile.many_sheets(LIMITS.sheets + 1))
    assert error.limit == "sheets"
    assert "more than 100 sheets" in str(error)
    assert read_xlsx(hostile.many_sheets(LIMITS.sheets))[0][1][0] == "Date"


def test_a_huge_shared_strings_table_is_refused_by_its_count() -> None:
    limits = Limits(shared_strings=1_000)
    error = refused(read_xlsx, hostile.many_shared_strings(1_001), limits)
    assert error.limit == "shared_strings"
    assert "more than 1,000 different texts" in str(error)
    read_xlsx(hostile.many_shared_strings(1_000), limits)


def test_one_shared_text_used_in_many_cells_is_counted_each_time() -> None:
    """A file of a few KB whose cells, once read, would hold hundreds of megabytes."""
    error = refused(read_xlsx, hostile.reused_shared_string(30_000, 1, cells=9))
    assert error.limit == "row_chars"
    assert str(error).startswith("Row 2 of the sheet “Chronology”: the row has more than "
                                 "262,144 characters")
    limits = Limits(sheet_chars=1_000_000)
    error = refused(read_xlsx, hostile.reused_shared_string(30_000, 10), limits)
    assert error.limit == "sheet_chars"
    assert str(error).startswith("Row 6 of the sheet “Chronology”: the file has more than "
                                 "1,000,000 characters")


def test_a_cell_beyond_the_last_column_is_refused() -> None:
    error = refused(read_xlsx, hostile.far_column())
    assert error.limit == "row_cells"
    assert "more than 16,384 columns" in str(error)


def test_a_deflate_ratio_bomb_is_refused_by_its_declared_size() -> None:
    data = hostile.ratio_bomb(200 * MB)
    assert len(data) < 300 * 1024
    assert refused(read_xlsx, data).limit == "inflated_bytes"


def test_a_ratio_bomb_that_lies_about_its_size_is_read_no_further_than_the_lie() -> None:
    with pytest.raises(SpreadsheetUnreadable, match="cannot be opened") as error:
        read_xlsx(hostile.lying_ratio_bomb(200 * MB))
    assert not isinstance(error.value, SpreadsheetTooLarge)


def test_every_inflated_byte_is_counted_against_the_limit() -> None:
    """A bomb under the declared limit still costs time, never memory: it is read through."""
    data = hostile.ratio_bomb(2 * MB)
    assert read_xlsx(data) == [(1, hostile.HEADER)]
    assert refused(read_xlsx, data, Limits(inflated_bytes=MB)).limit == "inflated_bytes"


def test_xml_declaring_entities_is_refused_never_expanded() -> None:
    with pytest.raises(SpreadsheetUnreadable, match="cannot be opened"):
        read_xlsx(hostile.entity_expansion())


def test_the_streamed_reader_gives_what_openpyxl_gave() -> None:
    """Dates (in either of Excel's calendars), times, durations, numbers, booleans,
    formulas' cached values, rich and inline text: as openpyxl's read-only reader."""
    for epoch in (None, CALENDAR_MAC_1904):
        book = Workbook()
        if epoch is not None:
            book.epoch = epoch
        sheet = book.active
        assert sheet is not None
        sheet.title = "Chronology"
        sheet.append(["Date", "Time", "Number", "Whole", "Seen", "Rich", "Formula"])
        sheet.append([date(2025, 12, 31), time(14, 30), 2.5, 7, True,
                      CellRichText(["Home ", TextBlock(InlineFont(b=True), "visit")]), "=1+1"])
        sheet.append([datetime(2025, 1, 3, 9, 15), timedelta(hours=30), -1e-3, 45657, False,
                      "  Café\n", None])
        sheet["B2"].number_format = "HH:MM"
        sheet["B3"].number_format = "[h]:mm:ss"
        sheet["C6"] = "after a gap"
        out = io.BytesIO()
        book.save(out)
        theirs = load_workbook(io.BytesIO(out.getvalue()), read_only=True, data_only=True)
        expected = [(number, [c for c in row])
                    for number, row in enumerate(theirs["Chronology"].iter_rows(values_only=True),
                                                 start=1) if any(c is not None for c in row)]
        ours = [(number, cells + [None] * (7 - len(cells)))
                for number, cells in read_xlsx(out.getvalue())]
        assert ours == expected


# ---------------------------------------------------------------- CSV


def test_a_csv_line_longer_than_a_row_may_be_is_refused_before_it_is_held() -> None:
    error = refused(read_csv, hostile.csv_huge_field(MB))
    assert error.limit == "row_chars"
    assert str(error) == ("Line 2: the row has more than 262,144 characters. Nothing was "
                          "imported.")


def test_a_csv_cell_over_excels_limit_is_refused_with_its_line() -> None:
    error = refused(read_csv, hostile.csv_huge_field(LIMITS.cell_chars + 1))
    assert error.limit == "cell_chars"
    assert str(error).startswith("Line 2: a cell has more than 32,767 characters")


def test_a_csv_field_spread_over_many_short_lines_is_refused() -> None:
    error = refused(read_csv, hostile.csv_huge_quoted_field(100_000))
    assert error.limit == "cell_chars"
    assert str(error).startswith("Line 2: a cell has more than 32,767 characters")


def test_a_csv_of_more_lines_than_the_limit_is_refused() -> None:
    data = (",".join(hostile.HEADER) + "\r\n" + "x\r\n" * LIMITS.sheet_rows).encode()
    error = refused(read_csv, data)
    assert error.limit == "sheet_rows"
    assert len(read_csv(data[:-3])) == LIMITS.sheet_rows


# ---------------------------------------------------------------- every importer


@pytest.mark.django_db
def test_the_chronology_import_page_shows_the_limit_and_stores_nothing(
        personas: Personas) -> None:
    case = make_case(personas)
    url = reverse("chronology_import", args=[case.review.pk, personas.police.pk])
    client = client_for(personas.police_lead)
    for data, message in ((hostile.huge_cell(100 * MB), "would be 100.0 MB once unpacked"),
                          (hostile.huge_cell(MB), "Row 2 of the sheet “Chronology”: column D: "
                                                  "a cell has more than 32,767 characters")):
        response = client.post(url, {"file": hostile.xlsx_upload(data)})
        assert response.status_code == 200
        html = response.content.decode()
        assert "govuk-error-summary" in html and message in html
    response = client.post(url, {"file": hostile.csv_upload(hostile.csv_huge_field(MB))})
    assert "Line 2: the row has more than 262,144 characters" in response.content.decode()
    assert ChronologyEntry.objects.count() == 0


@pytest.mark.django_db
def test_the_register_import_refuses_a_hostile_file_on_its_file_field(
        personas: Personas) -> None:
    review = open_review(personas)
    before = Subject.objects.count()
    headings = "Pseudonym,Kind,Full name,Other names,Date of birth,Sex,Identifier kind,Identifier value"
    for upload in (hostile.xlsx_upload(hostile.huge_cell(100 * MB), "register.xlsx"),
                   hostile.csv_upload(f"{headings}\r\nChild A,child,{'A' * MB}\r\n".encode(),
                                      "register.csv")):
        with pytest.raises(ValidationError) as error:
            services.register_import(by=personas.manager, review=review, upload=upload)
        assert "file" in error.value.message_dict
        assert "Nothing was imported" in error.value.message_dict["file"][0]
    assert Subject.objects.count() == before


@pytest.mark.django_db
def test_the_action_plan_import_says_which_limit_and_stores_nothing(
        personas: Personas) -> None:
    review = monitoring_review(personas)
    with pytest.raises(PlanImportRefused, match=r"would be 100\.0 MB once unpacked"):
        plan_services.plan_import(by=personas.manager, review=review,
                                  upload=hostile.xlsx_upload(hostile.huge_cell(100 * MB),
                                                             "plan.xlsx"))
    assert not Action.objects.filter(review=review).exists()
