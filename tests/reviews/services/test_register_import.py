"""The pseudonym register imported from a CSV or XLSX file (issue 17): all rows or none,
every bad row named by its line, odd identifiers kept with a warning, a pseudonym already in
the register adding to that person, a file imported twice adding nothing."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from reviews import services
from reviews.formats.register import TEMPLATE_HEADINGS, register_template_xlsx
from reviews.models import Subject, SubjectIdentifier
from reviews.services.chronology import ImportRefused
from tests.conftest import Personas, client_for
from tests.reviews.services.helpers import appoint, open_review

HEADER = "Pseudonym,Kind,Full name,Other names,Date of birth,Sex,Identifier kind,Identifier value\n"
GOOD = HEADER + (
    "Child K,child,Amelia Rose Marsh,Millie; Mimi,03/03/2015,female,NHS number,943 476 5919\n"
    "Child K,,,,,,Postcode,nt12ab\n"
    "Mother,parent,Leanne Marsh,,,F,Address,\"12 Marsh Lane, Northtown\"\n"
    "Social Worker 1,professional,Mark Bishop,,,,,\n")


def csv_file(text: str, name: str = "register.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_a_register_is_imported_with_every_identifier_in_its_normal_form(
        personas: Personas) -> None:
    review = open_review(personas)
    result = services.register_import(by=personas.manager, review=review, upload=csv_file(GOOD))
    assert (result.people, result.identifiers, result.warnings) == (3, 5, [])
    child = review.subjects.get(pseudonym="Child K")
    assert (child.kind, child.full_name, child.date_of_birth, child.sex) == (
        "child", "Amelia Rose Marsh", date(2015, 3, 3), "female")
    assert {(i.kind, i.value) for i in child.identifiers.all()} == {
        ("known_as", "Millie"), ("known_as", "Mimi"), ("nhs_number", "943 476 5919"),
        ("postcode", "NT1 2AB")}
    mother = review.subjects.get(pseudonym="Mother")
    assert mother.sex == "female"
    assert mother.identifiers.get().value == "12 Marsh Lane\nNorthtown"
    assert Subject.history.filter(history_change_reason="Imported from register.csv").count() == 3
    # Imported twice: nothing new.
    again = services.register_import(by=personas.manager, review=review, upload=csv_file(GOOD))
    assert (again.people, again.identifiers) == (0, 0)
    assert SubjectIdentifier.objects.count() == 5


def test_a_file_with_any_bad_row_imports_nothing_and_names_every_bad_line(
        personas: Personas) -> None:
    review = open_review(personas)
    bad = HEADER + (
        "Child K,child,Amelia Marsh,,03/03/2015,,NHS number,943 476 5919\n"
        ",child,No Pseudonym,,,,,\n"                                   # line 3
        "Mother,aunty,Leanne Marsh,,,,,\n"                             # line 4
        "Father,parent,Gary Marsh,,12/31/2015,,,\n"                    # line 5
        "Sibling 1,sibling,Ava Marsh,,,,Shoe size,5\n"                 # line 6
        "Child K,,Someone Else,,,,Postcode,NT1 2AB\n"                  # line 7
        "Sibling 2,,,,,,Postcode,NT1 2AB\n")                           # line 8
    with pytest.raises(ImportRefused) as refused:
        services.register_import(by=personas.manager, review=review, upload=csv_file(bad))
    problems = dict(refused.value.problems)
    assert sorted(problems) == [3, 4, 5, 6, 7, 8]
    assert "Enter the pseudonym" in problems[3]
    assert "“aunty” is not who someone is" in problems[4]
    assert "never month first" in problems[5]
    assert "“Shoe size” is not a kind of identifier" in problems[6]
    assert "Child K has another full name on line 2" in problems[7]
    assert "Enter Sibling 2's full name" in problems[8]
    assert not Subject.objects.exists() and not SubjectIdentifier.objects.exists()


def test_an_odd_identifier_is_imported_as_typed_with_a_warning_naming_its_line(
        personas: Personas) -> None:
    review = open_review(personas)
    result = services.register_import(by=personas.manager, review=review, upload=csv_file(
        HEADER + "Child K,child,Amelia Marsh,,,,NHS number,943 476 5918\n"))
    assert result.identifiers == 1
    [warning] = result.warnings
    assert warning.startswith("Line 2: Child K's nhs number “943 476 5918”")
    assert "does not check" in warning


def test_a_pseudonym_already_in_the_register_adds_to_that_person(personas: Personas) -> None:
    review = open_review(personas)
    child = services.subject_add(by=personas.manager, review=review, kind="child",
                                 pseudonym="Child K", full_name="Amelia Marsh")
    result = services.register_import(by=personas.manager, review=review, upload=csv_file(
        HEADER + "child k,,Amelia Marsh,,,,Postcode,NT1 2AB\n"))
    assert (result.people, result.identifiers) == (0, 1)
    assert child.identifiers.get().value == "NT1 2AB"
    with pytest.raises(ImportRefused, match="Child K has another full name in the register"):
        services.register_import(by=personas.manager, review=review, upload=csv_file(
            HEADER + "Child K,,Amelia Jones,,,,,\n"))


def test_an_xlsx_register_from_the_template_is_imported(personas: Personas) -> None:
    review = open_review(personas)
    book = load_workbook(io.BytesIO(register_template_xlsx()))
    assert [c.value for c in book["Register"][1]] == TEMPLATE_HEADINGS
    book["Register"].append(["Child K", "Subject child", "Amelia Marsh", None,
                             date(2015, 3, 3), None, "Phone", "07911 123456"])
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("register.xlsx", out.getvalue())
    result = services.register_import(by=personas.manager, review=review, upload=upload)
    assert (result.people, result.identifiers) == (1, 1)
    child = review.subjects.get()
    assert child.date_of_birth == date(2015, 3, 3)
    assert child.identifiers.get().value == "+447911123456"


def test_only_the_registers_keepers_import_and_the_page_lists_every_problem(
        personas: Personas) -> None:
    review = open_review(personas, involved=[personas.police])
    with pytest.raises(ValidationError, match="Only the review's independent reviewer"):
        services.register_import(by=personas.police_lead, review=review, upload=csv_file(GOOD))
    appoint(personas, review, personas.reviewer)
    client = client_for(personas.reviewer)
    url = f"/reviews/{review.pk}/people/import/"
    page = client.get(url).content.decode()
    assert "/register/template.xlsx" in page and "/register/template.csv" in page
    response = client.post(url, {"file": csv_file(HEADER + ",child,X Y,,,,,\n")})
    assert "Line 2: Enter the pseudonym" in response.content.decode()
    response = client.post(url, {"file": csv_file(
        HEADER + "Child K,child,Amelia Marsh,,,,NHS number,123\n")}, follow=True)
    body = response.content.decode()
    assert "Imported 1 person and 1 identifier." in body and "this one has 3" in body
    template = client.get("/register/template.csv")
    assert template.content.decode().startswith("Pseudonym,Kind,Full name")
    empty = Workbook()
    out = io.BytesIO()
    empty.save(out)
    response = client.post(url, {"file": SimpleUploadedFile("x.xlsx", out.getvalue())})
    assert "The file is empty" in response.content.decode()
    response = client.post(url, {"file": csv_file("Name,Who\nAmelia Marsh,child\n")})
    assert "this file has no “Pseudonym”" in response.content.decode()
