"""Possible unregistered names: given names nobody registered, and nothing else."""

from __future__ import annotations

from scr.anonymise import RegisterEntry
from scr.anonymise.unregistered import unregistered_names
from tests.scr.anonymise.registers import FAMILY

PARTNERSHIP = "Northshire Safeguarding Children Partnership"


def names(text: str, *ignore: str) -> list[str]:
    return [p.name for p in unregistered_names(text, FAMILY, ignore=[PARTNERSHIP, *ignore])]


def test_a_given_name_nobody_registered_is_listed_with_its_surname() -> None:
    assert names("Child K was collected by Grace Okafor.") == ["Grace Okafor"]
    assert names("Kayden was there too.") == ["Kayden"]


def test_a_title_makes_any_capitalised_word_a_possible_name() -> None:
    assert names("Dr Patel examined Child K. Mrs Fenwick came later.") == ["Dr Patel", "Mrs Fenwick"]


def test_registered_names_pseudonyms_and_role_words_are_not_listed() -> None:
    text = ("Amelia told Social Worker 1 that Mother and Sibling 1 were out; the Health "
            "Visitor and the Police Officer agreed. Zoe Hart and Mark Bishop were there.")
    assert names(text) == []


def test_months_days_towns_agencies_and_the_partnership_are_not_names() -> None:
    text = ("In May 2015, on a Tuesday in June, the Northshire Safeguarding Children "
            "Partnership met at Chelsea Road in Northtown, near Lincoln. August was wet. "
            "Preston Hospital and Jordan House Surgery replied.")
    assert names(text) == []


def test_a_common_word_needs_a_title_or_a_surname_to_be_a_name() -> None:
    text = "Will the plan work? Grace was shown. Hope was lost. Mark the date. Faith Adeyemi came."
    assert names(text) == ["Faith Adeyemi"]


def test_reviewers_and_dismissed_names_are_ignored() -> None:
    text = "Jane Okoro met Priya. Priya agreed."
    assert names(text) == ["Jane Okoro", "Priya"]
    assert names(text, "Jane Okoro", "Priya") == []


def test_each_name_is_listed_once_with_its_count_and_contexts() -> None:
    (found,) = unregistered_names("Kayden ran. Later Kayden's coat was found. KAYDEN.", FAMILY)
    assert (found.name, found.count) == ("Kayden", 2)  # shouting capitals are no name
    assert found.contexts[0].startswith("Kayden ran.")


def test_markup_is_not_read_as_words() -> None:
    register = [RegisterEntry("Child K", "Amelia Marsh")]
    found = unregistered_names('<p class="Emily">Amelia met <em>Oliver</em>.</p>', register)
    assert [p.name for p in found] == ["Oliver"]


def test_a_registered_irish_hyphenated_surname_is_read_whole() -> None:
    assert names("Ms Marsh-O’Neill and Marsh-O'Neill’s brother James came.") == []
