"""Name variants are generated, not only typed; identifiers are stored in one normal form
and kept with a warning when they do not look right (never refused: a refused value could
not be removed)."""

from __future__ import annotations

import pytest

from scr.anonymise import (
    CheckedIdentifier,
    InvalidIdentifier,
    check_identifier,
    name_variants,
    normalise_identifier,
)


def texts(full_name: str, *others: str, **kwargs: tuple[str, ...]) -> list[str]:
    return [v.text for v in name_variants(full_name, list(others), **kwargs)]


def test_every_part_of_a_multi_part_name_is_a_variant() -> None:
    found = texts("Kayden Lee Smith-Jones")
    for part in ("Kayden Lee Smith-Jones", "Kayden", "Lee", "Smith-Jones", "Smith", "Jones",
                 "Kayden Smith-Jones", "K. Smith-Jones", "SmithJones"):
        assert part in found, part


def test_nicknames_of_given_names_come_from_the_nicknames_dataset() -> None:
    found = {v.text: v for v in name_variants("Amelia Stone")}
    assert "Millie" in found and found["Millie"].source == "nickname of Amelia"
    assert "Dan" in texts("Daniel Okafor")
    assert not any(v.source.startswith("nickname of Stone") for v in found.values())


def test_irish_and_scottish_prefixes_give_their_other_spellings() -> None:
    assert {"MacDonald", "Mc Donald"} <= set(texts("Iain McDonald"))
    assert "McDonald" in texts("Iain MacDonald")
    assert "Neill" in texts("Siobhan O’Neill")


def test_a_surname_with_a_particle_is_kept_whole_and_the_particle_is_never_alone() -> None:
    found = texts("María José de la Cruz")
    assert "de la Cruz" in found and "Cruz" in found
    assert not {"de", "la"} & set(found)


def test_initials_alone_are_never_variants() -> None:
    assert "J" not in texts("J Smith") and "J." not in texts("J. R. Smith")


def test_other_names_are_varied_too_and_the_stronger_claim_wins() -> None:
    found = {v.key: v for v in name_variants("Zoë Brown", ["Zoe Hart"])}
    assert found["zoe"].tier == 1  # her first name, not a generated spelling
    assert "hart" in found


def test_a_reviewer_removes_a_generated_variant_but_not_a_part_of_the_name() -> None:
    found = texts("William Stone", removed=("Will", "Stone"))
    assert "Will" not in found and "Bill" in found
    assert "Stone" in found  # a part of the real name always counts


def test_a_reviewer_adds_a_variant() -> None:
    added = {v.text: v for v in name_variants("William Stone", added=("Billy-Bob",))}
    assert added["Billy-Bob"].source == "added by a reviewer"


def test_accented_names_show_their_plain_spelling() -> None:
    (zoe,) = [v for v in name_variants("Zoë Brown") if v.text == "Zoë"]
    assert zoe.plain == "Zoe" and zoe.key == "zoe"


@pytest.mark.parametrize(("kind", "typed", "stored"), [
    ("nhs_number", "9434765919", "943 476 5919"),
    ("nhs_number", " 943-476-5919 ", "943 476 5919"),
    ("ni_number", "ab123456c", "AB 12 34 56 C"),
    ("ni_number", "AB 12 34 56", "AB 12 34 56"),
    ("postcode", "nt12ab", "NT1 2AB"),
    ("postcode", "sw1a  1aa", "SW1A 1AA"),
    ("phone", "07911 123456", "+447911123456"),
    ("phone", "+44 (0)20 7946 0018", "+442079460018"),
    ("email", " zoe.brown@example.org ", "zoe.brown@example.org"),
    ("police_ref", "CR/2015/1234", "CR/2015/1234"),
    ("address", "12 Marsh Lane, Northtown,\nNT1 2AB", "12 Marsh Lane\nNorthtown\nNT1 2AB"),
    ("school", "Northtown\u00a0Primary  School", "Northtown Primary School"),
    ("known_as", "Mil\u200blie", "Millie"),
])
def test_an_identifier_is_stored_in_one_normal_form(kind: str, typed: str, stored: str) -> None:
    assert normalise_identifier(kind, typed) == stored


@pytest.mark.parametrize(("kind", "typed", "stored", "warning"), [
    ("nhs_number", "943 476 5918", "943 476 5918", "last digit does not check"),
    ("nhs_number", "12345", "12345", "10 digits"),
    ("ni_number", "QQ 12 34 56 C", "QQ 12 34 56 C", "format of a National Insurance"),
    ("ni_number", "GB 12 34 56 A", "GB 12 34 56 A", "format of a National Insurance"),
    ("postcode", "NT1", "NT1", "UK postcode"),
    ("postcode", "12345", "12345", "UK postcode"),
    ("phone", "12", "12", "phone number"),
    ("email", "zoe.brown", "zoe.brown", "email address"),
    ("police_ref", "A1", "A1", "fewer than 4"),
    ("known_as", "K", "K", "one letter"),
    ("ni_number", " qq\u00a012 34 56c ", "qq 12 34 56c", "format"),
])
def test_an_identifier_that_does_not_look_right_is_kept_with_a_warning(
        kind: str, typed: str, stored: str, warning: str) -> None:
    """Changed: these were refused (InvalidIdentifier), so a real person's odd number
    could not be registered, and so not removed, at all."""
    checked = check_identifier(kind, typed)
    assert (checked.value, warning in checked.warning) == (stored, True)
    assert normalise_identifier(kind, typed) == stored  # the old name: the value, no warning


def test_a_value_that_looks_right_has_no_warning() -> None:
    assert check_identifier("ni_number", "ab123456c") == CheckedIdentifier("AB 12 34 56 C", "")


@pytest.mark.parametrize(("kind", "typed", "message"), [
    ("school", "", "Enter the identifier"),
    ("nhs_number", " \u200b ", "Enter the identifier"),
    ("shoe_size", "9", "Select what kind"),
])
def test_only_an_empty_value_or_an_unknown_kind_is_refused(kind: str, typed: str,
                                                          message: str) -> None:
    with pytest.raises(InvalidIdentifier, match=message):
        check_identifier(kind, typed)
    with pytest.raises(InvalidIdentifier, match=message):
        normalise_identifier(kind, typed)


def test_initials_are_generated_variants_in_every_combination() -> None:
    found = {v.key: v for v in name_variants("Kayla Wright-Baker") if v.form == "initials"}
    assert set(found) == {"k w b", "k b"}
    assert found["k w b"].text == "K.W.-B." and found["k w b"].removable
    daisy = {v.key for v in name_variants("Daisy-Mae Ní Bhriain-Kowalski")
             if v.form == "initials"}
    assert {"d n b k", "d b k", "d m n b k", "d k"} <= daisy  # with and without Ní, Mae


def test_initials_that_are_words_or_report_abbreviations_are_not_generated() -> None:
    assert [v for v in name_variants("Grace Parker") if v.form == "initials"] == []  # GP
    assert [v for v in name_variants("Hannah Ellen Roberts") if v.form == "initials"] == []


def test_a_surname_in_the_plural_is_the_family() -> None:
    found = {v.text: v for v in name_variants("Sam Jones-Baker") if v.form == "plural"}
    assert {"Jones-Bakers", "Joneses", "Bakers"} == set(found)
    assert found["Bakers"].source.startswith("the family")
    assert not [v for v in name_variants("Kayden") if v.form == "plural"]  # no surname


def test_a_gaelic_prefix_written_apart_belongs_to_the_surname() -> None:
    found = texts("Niamh Ó Súilleabháin-Baker")
    assert "Ó Súilleabháin-Baker" in found and "Súilleabháin" in found and "Baker" in found
    assert "Ó" not in found and "Niamh Ó" not in found


def test_an_odd_identifier_is_still_found_in_text() -> None:
    from scr.anonymise import Identifier, RegisterEntry, anonymise

    odd = check_identifier("ni_number", "QQ 12 34 56 C")
    person = RegisterEntry("Mother", "Zoë Brown", identifiers=(Identifier("ni_number", odd.value),))
    assert anonymise("NI QQ123456C.", [person]).text == "NI [National Insurance number removed]."
