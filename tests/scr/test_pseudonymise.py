"""The pseudonymiser replaces every form of every registered name, and nothing else."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from scr.pseudonymise import RegisterEntry, name_forms, pseudonymise

CHILD = RegisterEntry("Child A", "Kayden Smith-Jones", other_names=("Kayd", "Kayden Brown"))
MOTHER = RegisterEntry("Mother", "Chloé Smith-Jones", other_names=("Chloe Brown",))
WORKER = RegisterEntry("Social Worker 1", "Priya Natarajan")
REGISTER = [CHILD, MOTHER, WORKER]


@pytest.mark.parametrize(("text", "expected"), [
    ("Kayden Smith-Jones's mother", "Child A's mother"),
    ("Kayden Smith-Jones’s mother", "Child A’s mother"),
    ("Kayden was seen at school.", "Child A was seen at school."),
    ("KAYDEN SMITH-JONES attended.", "Child A attended."),
    ("kayden attended.", "Child A attended."),
    ("Kaydén attended.", "Child A attended."),
    ("Kayde\u0301n attended.", "Child A attended."),
    ("Kayden Smith Jones attended.", "Child A attended."),
    ("Kayden  Smith – Jones attended.", "Child A attended."),
    ("Kayd ran off; Kayden Brown came back.", "Child A ran off; Child A came back."),
    ("Priya Natarajan visited Chloé.", "Social Worker 1 visited Mother."),
    ("Natarajan's notes", "Social Worker 1's notes"),
    ("Chloe Brown (known as Chloé)", "Mother (known as Mother)"),
])
def test_every_form_of_a_name_becomes_its_pseudonym(text: str, expected: str) -> None:
    assert pseudonymise(text, REGISTER) == expected


def test_a_surname_alone_becomes_the_pseudonym_of_the_first_person_who_holds_it() -> None:
    # Shared by child and mother: the first entry listed wins the ambiguous part.
    assert pseudonymise("Ms Smith-Jones called.", REGISTER) == "Ms Child A called."
    assert pseudonymise("Jones called.", [MOTHER, CHILD]) == "Mother called."


def test_full_names_still_go_to_their_own_pseudonym_when_surnames_are_shared() -> None:
    text = "Chloé Smith-Jones collected Kayden Smith-Jones."
    assert pseudonymise(text, REGISTER) == "Mother collected Child A."


@pytest.mark.parametrize("text", [
    "Smithson Road surgery",
    "Jonesborough",
    "Kaydens",
    "BlackSmith",
    "The Priyanka ward",
])
def test_no_part_of_another_word_is_replaced(text: str) -> None:
    assert pseudonymise(text, REGISTER) == text


def test_names_inside_an_address_are_replaced_because_a_leak_is_worse_than_ugly() -> None:
    assert pseudonymise("kayden_brown@example.invalid", REGISTER) == "Child A_Child A@example.invalid"


def test_the_rest_of_the_text_is_kept_exactly() -> None:
    text = "On 3 March,\n\tKayden (aged 4) said: «Priya is nice» — 100% true.  End."
    expected = "On 3 March,\n\tChild A (aged 4) said: «Social Worker 1 is nice» — 100% true.  End."
    assert pseudonymise(text, REGISTER) == expected


def test_a_pseudonym_that_contains_a_name_is_not_replaced_again() -> None:
    register = [RegisterEntry("Sibling of Kayden", "Jade Smith-Jones"), CHILD]
    assert pseudonymise("Jade and Kayden", register) == "Sibling of Kayden and Child A"


def test_initials_alone_are_not_treated_as_names() -> None:
    register = [RegisterEntry("Father", "J Smith")]
    assert pseudonymise("J Smith saw a doctor. J was not there.", register) == \
        "Father saw a doctor. J was not there."
    assert "j" not in name_forms("J Smith")


def test_html_markup_around_names_is_kept() -> None:
    html = "<p><strong>Kayden</strong>'s school</p>"
    assert pseudonymise(html, REGISTER) == "<p><strong>Child A</strong>'s school</p>"


def test_empty_text_or_register_changes_nothing() -> None:
    assert pseudonymise("", REGISTER) == ""
    assert pseudonymise("Kayden", []) == "Kayden"
    assert pseudonymise("Kayden", [RegisterEntry("Child B", "  ")]) == "Kayden"


def test_the_pseudonymiser_is_pure() -> None:
    source = (Path(__file__).resolve().parents[2] / "scr" / "pseudonymise.py").read_text()
    imported = {node.module for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.ImportFrom) and node.module}
    assert not any(name.startswith("django") for name in imported), imported
