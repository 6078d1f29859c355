"""The register's identifiers and name variants: checked in the service, recorded with
who and why, never deleted, and read back whole for the anonymiser."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from reviews import services
from reviews.models import NameVariantChoice, Subject, SubjectIdentifier
from reviews.selectors import review_public_names, review_register, subject_variant_rows
from scr.anonymise import Identifier, anonymise
from tests.conftest import Personas, publish
from tests.reviews.services.helpers import open_review


def add_child(p: Personas, **extra: object) -> Subject:
    review = open_review(p)
    return services.subject_add(by=p.manager, review=review, kind="child", pseudonym="Child K",
                                full_name="Amelia Rose Marsh", date_of_birth=date(2015, 3, 3),
                                **extra)


def test_identifiers_are_stored_in_their_normal_form_with_history(personas: Personas) -> None:
    child = add_child(personas, identifiers=[("nhs_number", "9434765919"),
                                             ("postcode", "nt12ab")])
    services.subject_identifier_add(by=personas.manager, subject=child, kind="known_as",
                                    value="Mil\u200blie")
    stored = {(i.kind, i.value) for i in child.identifiers.all()}
    assert stored == {("nhs_number", "943 476 5919"), ("postcode", "NT1 2AB"),
                      ("known_as", "Millie")}
    row = SubjectIdentifier.history.get(kind="known_as")
    assert (row.history_user, row.history_change_reason) == (
        personas.manager, "Identifier added to the register")


@pytest.mark.parametrize(("kind", "value", "warning"), [
    ("nhs_number", "943 476 5918", "does not check"),
    ("postcode", "NT1", "not a UK postcode"),
    ("email", "not-an-address", "format of an email address"),
    ("ni_number", "QQ123456C", "HMRC issues"),
])
def test_an_identifier_that_does_not_look_right_is_kept_as_typed_with_a_warning(
        personas: Personas, kind: str, value: str, warning: str) -> None:
    """A real identifier of a real person is never refused: a refused value could not be
    removed from the report at all. It is stored as typed and its warning is shown."""
    child = add_child(personas)
    identifier = services.subject_identifier_add(by=personas.manager, subject=child, kind=kind,
                                                 value=value)
    assert identifier.value == value and warning in identifier.warning
    assert SubjectIdentifier.history.filter(kind=kind).exists()
    assert Identifier(kind, value) in review_register(child.review)[0].identifiers


def test_a_person_added_with_an_odd_identifier_is_added_with_it(personas: Personas) -> None:
    review = open_review(personas)
    child = services.subject_add(by=personas.manager, review=review, kind="child",
                                 pseudonym="Child K", full_name="Amelia Marsh",
                                 identifiers=[("nhs_number", "123")])
    assert child.identifiers.get().value == "123"
    assert "has 3" in child.identifiers.get().warning
    with pytest.raises(ValidationError, match="Enter the identifier"):
        services.subject_add(by=personas.manager, review=review, kind="sibling",
                             pseudonym="Sibling 1", full_name="Ava Marsh",
                             identifiers=[("nhs_number", " ")])
    assert not Subject.objects.filter(pseudonym="Sibling 1").exists()


def test_the_same_identifier_twice_is_refused(personas: Personas) -> None:
    child = add_child(personas, identifiers=[("postcode", "NT1 2AB")])
    with pytest.raises(ValidationError, match="already has that postcode"):
        services.subject_identifier_add(by=personas.manager, subject=child, kind="postcode",
                                        value="nt1 2ab")


def test_a_removed_identifier_is_withdrawn_not_deleted_and_no_longer_searched(
        personas: Personas) -> None:
    child = add_child(personas, identifiers=[("postcode", "NT1 2AB")])
    identifier = child.identifiers.get()
    assert anonymise("NT1 2AB", review_register(child.review)).text == "[postcode removed]"
    with pytest.raises(ValidationError):
        services.subject_identifier_withdraw(by=personas.manager, identifier=identifier,
                                             reason=" ")
    services.subject_identifier_withdraw(by=personas.manager, identifier=identifier,
                                         reason="Wrong family")
    assert SubjectIdentifier.objects.get(pk=identifier.pk).withdrawn
    register = review_register(child.review)
    assert register[0].identifiers == ()
    # The postcode pattern still removes it as generic personal data; the register no longer
    # claims it for the child.
    assert [r.pseudonym for r in anonymise("NT1 2AB", register).replacements] == [None]


def test_the_register_for_the_anonymiser_has_every_identifier_the_child_first(
        personas: Personas) -> None:
    child = add_child(personas, identifiers=[("known_as", "Millie"), ("school", "Northtown Primary School"),
                                             ("phone", "07911 123456")])
    services.subject_add(by=personas.manager, review=child.review, kind="professional",
                         pseudonym="Social Worker 1", full_name="Mark Bishop")
    services.subject_add(by=personas.manager, review=child.review, kind="adult",
                         pseudonym="Lodger", full_name="Amelia Stone")
    register = review_register(child.review)
    assert [e.pseudonym for e in register] == ["Child K", "Lodger", "Social Worker 1"]
    assert register[0].other_names == ("Millie",)
    assert register[0].date_of_birth == date(2015, 3, 3)
    assert set(register[0].identifiers) == {Identifier("school", "Northtown Primary School"),
                                            Identifier("phone", "+447911123456")}
    # "Amelia" is the child's and the lodger's: nothing says whose, so it is left and
    # reported, never given to the person listed first.
    result = anonymise("Amelia", register)
    assert result.text == "Amelia"
    assert [u.candidates for u in result.uncertain] == [("Child K", "Lodger")]
    assert register[0].kind == "child" and register[1].kind == "adult"


def test_a_generated_variant_is_removed_and_restored_with_reasons(personas: Personas) -> None:
    child = add_child(personas)
    assert anonymise("Amy came", review_register(child.review)).text == "Child K came"
    choice = services.name_variant_remove(by=personas.manager, subject=child, variant="amy",
                                          reason="Amy is the teacher here")
    assert choice.action == NameVariantChoice.Action.REMOVED and choice.text == "Amy"
    assert anonymise("Amy came", review_register(child.review)).text == "Amy came"
    rows = {r.variant.text: r for r in subject_variant_rows(child)}
    assert rows["Amy"].removed
    services.name_variant_choice_withdraw(by=personas.manager, choice=choice,
                                          reason="Removed by mistake")
    assert anonymise("Amy came", review_register(child.review)).text == "Child K came"
    reasons = list(NameVariantChoice.history.order_by("history_id")
                   .values_list("history_change_reason", flat=True))
    assert reasons == ["Amy is the teacher here", "Removed by mistake"]


def test_a_part_of_the_real_name_cannot_be_removed(personas: Personas) -> None:
    child = add_child(personas)
    for part in ("Marsh", "Amelia", "Amelia Rose Marsh", "Nobody"):
        with pytest.raises(ValidationError, match="Only a generated variant"):
            services.name_variant_remove(by=personas.manager, subject=child, variant=part,
                                         reason="Wrong")
    assert not NameVariantChoice.objects.exists()


def test_a_reviewer_adds_a_variant_and_it_is_matched(personas: Personas) -> None:
    child = add_child(personas)
    services.name_variant_add(by=personas.manager, subject=child, text="Mimi",
                              reason="Her family's name for her")
    assert anonymise("Mimi laughed", review_register(child.review)).text == "Child K laughed"
    for text, message in (("mimi", "already in the list"), ("Amelia", "already in the list"),
                          ("M", "at least 2 letters")):
        with pytest.raises(ValidationError, match=message):
            services.name_variant_add(by=personas.manager, subject=child, text=text)


def test_nothing_changes_on_a_person_taken_off_the_register(personas: Personas) -> None:
    child = add_child(personas)
    services.subject_withdraw(by=personas.manager, subject=child, reason="Added in error")
    with pytest.raises(ValidationError, match="taken off the register"):
        services.subject_identifier_add(by=personas.manager, subject=child, kind="known_as",
                                        value="Millie")
    assert review_register(child.review) == []


def test_identifiers_and_variant_choices_are_identifiable_data_for_every_action(
        personas: Personas) -> None:
    from tests.reviews.services.helpers import appoint

    child = add_child(personas, identifiers=[("postcode", "NT1 2AB")])
    services.name_variant_add(by=personas.manager, subject=child, text="Mimi")
    appoint(personas, child.review, personas.reviewer)
    publish(child.review, personas.manager)  # the board may read a published review...
    assert Subject.objects.for_user(personas.board, "view").count() == 1
    for model in (SubjectIdentifier, NameVariantChoice):  # ...never its identifiers
        assert model.objects.for_user(personas.manager, "view").count() == 1
        assert model.objects.for_user(personas.reviewer, "view").count() == 1
        assert model.objects.for_user(personas.reviewer, "manage").count() == 0
        assert model.objects.for_user(personas.board, "view").count() == 0


def test_the_partnership_agencies_and_panel_are_not_possible_unregistered_names(
        personas: Personas) -> None:
    from scr.anonymise import unregistered_names
    from tests.reviews.services.helpers import appoint

    child = add_child(personas)
    appoint(personas, child.review, personas.reviewer)
    reviewer = personas.reviewer.get_full_name()
    assert reviewer
    text = f"{reviewer} met Oliver Stone and the {personas.police.name}."
    register = review_register(child.review)
    assert {"Northshire Safeguarding Children Partnership", child.review.reference,
            personas.police.name, reviewer} <= set(review_public_names(child.review))
    found = unregistered_names(text, register, ignore=review_public_names(child.review))
    assert [p.name for p in found] == ["Oliver Stone"]
