"""A name two people share is decided by the sentence where that is certain, otherwise left
and reported as uncertain (never a guess); the output reads as English."""

from __future__ import annotations

import pytest

from scr.anonymise import RegisterEntry, anonymise
from tests.scr.anonymise.family import FAMILY, ON

DECIDED = [
    # a title's sex and adulthood: a child is never "Ms", a boy of eleven never "Mr"
    ("Mr Ellis said no.", "Father said no."),
    ("Mr Gareth Ellis said no.", "Father said no."),
    ("Gareth Ellis Jr was at school.", "Sibling 2 was at school."),
    ("Gareth Ellis Snr was at work.", "Father was at work."),
    # a role word before the name says who, and is not doubled
    ("his grandmother, Mrs Ellis, came.", "his grandmother came."),
    ("a supportive grandmother, Mrs Ellis, helped.", "a supportive grandmother helped."),
    ("her mother Ms Doyle said", "her mother said"),
    ("her mother Ms Doyle's flat", "her mother's flat"),
    ("The social worker, Ms Doyle, visited.", "Social Worker 1 visited."),
    ("the social worker Fiona visited", "Social Worker 1 visited"),
    # a title before a role pseudonym goes; a pseudonym with a title is not doubled
    ("Ms Fiona Doyle visited.", "Social Worker 1 visited."),
    ("Mr van der Berg's flat", "Mr Q's flat"),
    ("Mr Lee van der Berg", "Mr Q"),
    # a prefix goes with the name; the names beside each other are one person
    ("Mr Ó Dónaill came.", "Uncle came."),
    ("Ciarán Ó Dónaill came.", "Uncle came."),
    ("Mr O Donaill came.", "Uncle came."),
    ("Rhiannon Ellis-Doyle and Cerys Ellis-Doyle", "Child R and Sibling 1"),
    ("Rhiannon Ellis-Doyle's coat", "Child R's coat"),
    # an aside naming the same person goes
    ("Carys (Carys Ellis) said", "Mother said"),
    ("Then Lee (known as Mr Q) moved in.", "Then Mr Q moved in."),
    ("Then Lee, known as Mr Q in this report, moved in.", "Then Mr Q moved in."),
    ("Rhiannon (“Rhiannon Mair”) laughed.", "Child R laughed."),
    # capitals kept in a heading; the family by its name
    ("<h2>RHIANNON'S WEEK</h2>", "<h2>CHILD R'S WEEK</h2>"),
    ("<h2>RHIANNON ELLIS-DOYLE</h2>", "<h2>Child R</h2>"),  # nothing else in capitals
    ("The Ellis-Doyles moved.", "The family moved."),
    ("the Doyles' car", "the family's car"),
    ("the Ellis family moved", "the family moved"),
    # initials in any punctuation, only in capitals
    ("R.M.E.-D. and RMED and R M E D.", "Child R and Child R and Child R."),
    ("the rmed group", "the rmed group"),
]


@pytest.mark.parametrize(("text", "expected"), DECIDED, ids=[t for t, _ in DECIDED])
def test_decided_by_the_sentence_and_written_as_english(text: str, expected: str) -> None:
    result = anonymise(text, FAMILY, ON)
    assert result.text == expected
    assert result.uncertain == ()


UNCERTAIN = [
    # twins: both children, "Ms" fits neither
    ("Ms Ellis-Doyle said", ("Child R", "Sibling 1"), "fits nobody"),
    # the mother and the grandmother are both adult women called Ellis
    ("Ms Ellis attended", ("Child R", "Sibling 1", "Mother", "Father", "Sibling 2",
                           "Grandmother"), "may be Mother and Grandmother"),
    # father and son share the whole name
    ("Gareth Ellis attended", ("Father", "Sibling 2"), "shared by Father and Sibling 2"),
    # the mother and the social worker: both adult women called Doyle
    ("Ms Doyle visited", ("Child R", "Sibling 1", "Mother", "Social Worker 1"),
     "may be Mother and Social Worker 1"),
    # a title that fits nobody with the name: someone else, unregistered
    ("Mr Doyle visited", ("Child R", "Sibling 1", "Mother", "Social Worker 1"), "fits nobody"),
    ("Doyle said", ("Child R", "Sibling 1", "Mother", "Social Worker 1"), "shared"),
]


@pytest.mark.parametrize(("text", "candidates", "reason"), UNCERTAIN,
                         ids=[t for t, *_ in UNCERTAIN])
def test_a_name_that_cannot_be_decided_is_left_and_reported(text: str,
                                                           candidates: tuple[str, ...],
                                                           reason: str) -> None:
    result = anonymise(text, FAMILY, ON)
    assert result.text == text  # never a guess
    (left,) = result.uncertain
    assert set(left.candidates) == set(candidates)
    assert reason in left.reason
    assert text[left.start:left.end] == left.text


def test_an_ordinary_word_that_is_a_name_at_a_sentence_start_is_uncertain() -> None:
    register = [RegisterEntry("Health Visitor 1", "Joanne Summer", kind="professional")]
    result = anonymise("Summer was hot. In the summer Ms Summer visited.", register, ON)
    assert result.text == "Summer was hot. In the summer Health Visitor 1 visited."
    assert [(u.text, "start of a sentence" in u.reason) for u in result.uncertain] == [
        ("Summer", True)]
    assert [s.text for s in result.skipped] == ["summer"]


def test_an_entry_without_kind_or_sex_is_read_from_its_pseudonym() -> None:
    register = [RegisterEntry("Child A", "Ava Marsh"), RegisterEntry("Mother", "Lucy Marsh")]
    assert anonymise("Ms Marsh said", register, ON).text == "Mother said"
    assert anonymise("Mr Marsh said", register, ON).uncertain[0].candidates == (
        "Child A", "Mother")


def test_a_child_who_is_an_adult_by_the_reference_date_may_be_ms() -> None:
    from datetime import date

    grown = RegisterEntry("Child S", "Ella Marsh", kind="child", sex="female",
                          date_of_birth=date(1999, 1, 1))
    younger = RegisterEntry("Sibling 1", "Amy Marsh", kind="sibling", sex="female",
                            date_of_birth=date(2012, 1, 1))
    assert anonymise("Ms Marsh said", [grown, younger], ON).text == "Child S said"


def test_the_display_pseudonymiser_still_never_leaves_a_shared_name() -> None:
    from scr.pseudonymise import pseudonymise

    assert pseudonymise("Gareth Ellis attended. Doyle said.", FAMILY) == \
        "Father attended. Child R said."


def test_a_plural_that_is_a_word_is_the_family_only_after_the() -> None:
    register = [RegisterEntry("Child J", "Jo Doe", kind="child"),
                RegisterEntry("Father", "Sam Wood", kind="parent")]
    assert anonymise("Does the plan work? The Does moved.", register, ON).text == \
        "Does the plan work? The family moved."
    assert anonymise("Woods and fields. The Woods' car.", register, ON).text == \
        "Woods and fields. The family's car."
