"""A reviewer's decisions about names the anonymiser could not settle (``RegisterEntry.decided``):
applied where they were made (or wherever the form is undecided), and nowhere else."""

from __future__ import annotations

from datetime import date

from scr.anonymise import RegisterEntry, anonymise

MOTHER = RegisterEntry("Mother", "Leanne Marsh", kind="parent", sex="female")
AUNT = RegisterEntry("Aunt", "Joanne Marsh", kind="relative", sex="female")
HEALTH_VISITOR = RegisterEntry("Health Visitor 1", "Jane Summer", kind="professional")
SHARED = "The letter was sent to Ms Marsh on the Monday."


def with_decided(entry: RegisterEntry, *decided: tuple[str, str]) -> RegisterEntry:
    return RegisterEntry(entry.pseudonym, entry.full_name, kind=entry.kind, sex=entry.sex,
                         decided=decided)


def test_an_uncertain_form_is_left_and_reported_until_a_reviewer_decides() -> None:
    result = anonymise(SHARED, [MOTHER, AUNT], date(2026, 1, 1))
    assert result.text == SHARED
    [uncertain] = result.uncertain
    assert uncertain.candidates == ("Mother", "Aunt")

    decided = anonymise(SHARED, [with_decided(MOTHER, (uncertain.text, uncertain.context)),
                                 AUNT], date(2026, 1, 1))
    assert decided.text == "The letter was sent to Mother on the Monday."
    assert decided.uncertain == ()
    assert "decided by a reviewer" in decided.flagged[0].note


def test_a_decision_made_in_one_sentence_does_not_decide_another() -> None:
    other = "Ms Marsh did not reply."
    text = f"{SHARED} {'x ' * 40}{other}"
    first = anonymise(text, [MOTHER, AUNT]).uncertain[0]
    result = anonymise(text, [with_decided(MOTHER, (first.text, first.context)), AUNT])
    assert result.text.startswith("The letter was sent to Mother")
    assert [u.context for u in result.uncertain] == [anonymise(text, [MOTHER, AUNT])
                                                     .uncertain[1].context]
    assert result.text.endswith(other)


def test_a_decision_for_everywhere_takes_every_undecided_place_of_the_form() -> None:
    text = f"{SHARED} Later Ms Marsh did not reply. Leanne Marsh moved."
    result = anonymise(text, [with_decided(AUNT, ("Marsh", "")), MOTHER])
    assert result.text == ("The letter was sent to Aunt on the Monday. Later Aunt did not "
                           "reply. Mother moved.")  # the full name was never undecided


def test_a_common_word_at_a_sentence_start_or_in_lower_case_is_decided_apart() -> None:
    text = "Summer was hot. In summer the family moved."
    plain = anonymise(text, [HEALTH_VISITOR])
    assert plain.text == text and len(plain.uncertain) == 1 and len(plain.skipped) == 1
    start = anonymise(text, [with_decided(HEALTH_VISITOR, ("Summer", ""))])
    assert start.text == "Health Visitor 1 was hot. In summer the family moved."
    assert start.uncertain == () and len(start.skipped) == 1
    lower = plain.skipped[0]
    both = anonymise(text, [with_decided(HEALTH_VISITOR, ("Summer", ""),
                                         (lower.text, lower.context))])
    assert both.text == "Health Visitor 1 was hot. In Health Visitor 1 the family moved."


def test_a_reviewer_may_give_a_form_to_someone_with_no_claim_to_it() -> None:
    """"Mr Brown" when only the mother is Brown: the title fits nobody, so it is reported; the
    reviewer says it is the mother's former partner, registered under another name."""
    mother = RegisterEntry("Mother", "Leanne Brown", kind="parent", sex="female")
    partner = RegisterEntry("Adult 1", "Gary Stone", kind="adult", sex="male")
    text = "Mr Brown visited the flat."
    [uncertain] = anonymise(text, [mother, partner]).uncertain
    result = anonymise(text, [mother, with_decided(partner, (uncertain.text,
                                                             uncertain.context))])
    assert result.uncertain == ()
    assert "Brown" not in result.text and "Adult 1" in result.text
