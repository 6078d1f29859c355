"""A person's page in the pseudonym register: identities only for those who may see them,
identifiers and name variants changed through forms whose errors say what is wrong."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from reviews import services
from reviews.models import NameVariantChoice, PanelAppointment
from tests.conftest import Personas, client_for, publish
from tests.reviews.lists.test_dashboards import open_review

pytestmark = pytest.mark.django_db


def child_of(review):  # type: ignore[no-untyped-def]
    return review.subjects.get()


def with_identifiers(personas: Personas, review):  # type: ignore[no-untyped-def]
    child = child_of(review)
    for kind, value in (("known_as", "Jay"), ("nhs_number", "943 476 5919"),
                        ("address", "12 Marsh Lane\nNorthtown")):
        services.subject_identifier_add(by=personas.manager, subject=child, kind=kind,
                                        value=value)
    return child


def test_the_manager_sees_the_real_name_identifiers_and_generated_variants(
        personas: Personas) -> None:
    review = open_review(personas, aware_days_ago=10)
    child = with_identifiers(personas, review)
    body = client_for(personas.manager).get(f"/people-in-case/{child.pk}/").content.decode()
    for shown in ("Jayden Doe", "943 476 5919", "12 Marsh Lane<br>Northtown", "Jay",
                  "Initial and surname (full name)", "Add a name, address or number",
                  "Add a name variant"):
        assert shown in body, shown


def test_the_appointed_reviewer_keeps_the_register_and_a_panel_member_only_reads_it(
        personas: Personas) -> None:
    review = open_review(personas, aware_days_ago=10)
    child = with_identifiers(personas, review)
    services.panel_appoint(by=personas.manager, review=review, user=personas.reviewer,
                           panel_role=PanelAppointment.PanelRole.REVIEWER,
                           independence_declaration="Independent.")
    services.panel_appoint(by=personas.manager, review=review, user=personas.panel,
                           panel_role=PanelAppointment.PanelRole.MEMBER,
                           agency=personas.education)
    reviewer = client_for(personas.reviewer)
    body = reviewer.get(f"/people-in-case/{child.pk}/").content.decode()
    assert "Jayden Doe" in body and "943 476 5919" in body
    assert "Add a name variant" in body and "Add several at once" in body
    people = reviewer.get(f"/reviews/{review.pk}/people/").content.decode()
    assert "Add a person to the register" in people and "Import the register" in people
    response = reviewer.post(f"/people-in-case/{child.pk}/identifiers/add-several/", {
        "identifiers": "Postcode: nt1 2ab\nschool: Northtown Primary School\n\n"
                       "NHS number: 123"}, follow=True)
    assert response.status_code == 200
    assert {(i.kind, i.value) for i in child.identifiers.filter(withdrawn=False)} >= {
        ("postcode", "NT1 2AB"), ("school", "Northtown Primary School"), ("nhs_number", "123")}
    assert "this one has 3" in response.content.decode()  # kept, with its warning

    panel = client_for(personas.panel)
    body = panel.get(f"/people-in-case/{child.pk}/").content.decode()
    assert "Jayden Doe" in body and "Add a name variant" not in body and "/remove/" not in body
    assert panel.get(f"/people-in-case/{child.pk}/identifiers/add/").status_code == 403
    assert panel.get(f"/reviews/{review.pk}/people/add/").status_code == 403
    with pytest.raises(ValidationError, match="Only the review's independent reviewer"):
        services.subject_identifier_add(by=personas.panel, subject=child, kind="known_as",
                                        value="JJ")
    with pytest.raises(ValidationError, match="Only the review's independent reviewer"):
        services.subject_add(by=personas.police_lead, review=review, kind="sibling",
                             pseudonym="Sibling 1", full_name="Ava Doe")


def test_several_identifiers_at_once_are_all_or_none_with_each_bad_line_named(
        personas: Personas) -> None:
    child = child_of(open_review(personas, aware_days_ago=10))
    client = client_for(personas.manager)
    url = f"/people-in-case/{child.pk}/identifiers/add-several/"
    body = client.post(url, {"identifiers": "Postcode: NT1 2AB\nNHS 943 476 5919\n"
                                            "Shoe size: 5\nKnown as:"}).content.decode()
    assert "govuk-error-summary" in body
    for line in ("Line 2: write what it is, a colon", "Line 3: “Shoe size” is not a kind",
                 "Line 4: enter the Known as"):
        assert line in body, line
    assert not child.identifiers.exists()
    services.subject_identifier_add(by=personas.manager, subject=child, kind="postcode",
                                    value="NT1 2AB")
    body = client.post(url, {"identifiers": "Email: jay@example.org\npostcode: nt1 2ab"}
                       ).content.decode()
    assert "Line 2: Child A already has that postcode" in body
    assert list(child.identifiers.values_list("kind", flat=True)) == ["postcode"]


def test_a_person_is_added_with_identifiers_and_a_sex_in_one_form(personas: Personas) -> None:
    review = open_review(personas, aware_days_ago=10)
    response = client_for(personas.manager).post(f"/reviews/{review.pk}/people/add/", {
        "kind": "parent", "pseudonym": "Mother", "full_name": "Leanne Doe", "sex": "female",
        "identifiers": "Known as: Lee\nPhone: 07911 123456"})
    assert response.status_code == 302
    mother = review.subjects.get(pseudonym="Mother")
    assert mother.sex == "female"
    assert {(i.kind, i.value) for i in mother.identifiers.all()} == {
        ("known_as", "Lee"), ("phone", "+447911123456")}


def test_a_board_member_sees_the_pseudonym_of_a_published_review_and_nothing_real(
        personas: Personas) -> None:
    review = open_review(personas, aware_days_ago=60)
    child = with_identifiers(personas, review)
    publish(review, personas.manager)
    body = client_for(personas.board).get(f"/people-in-case/{child.pk}/").content.decode()
    assert "Child A" in body
    for hidden in ("Jayden", "Doe", "943 476", "Marsh Lane", "Jay<", "nickname"):
        assert hidden not in body, hidden


def test_an_nhs_number_with_a_wrong_check_digit_is_kept_with_its_warning_shown(
        personas: Personas) -> None:
    child = child_of(open_review(personas, aware_days_ago=10))
    client = client_for(personas.manager)
    response = client.post(f"/people-in-case/{child.pk}/identifiers/add/",
                           {"kind": "nhs_number", "value": "943 476 5918"}, follow=True)
    body = response.content.decode()
    assert "last digit does not check the other nine" in body  # the message after saving
    assert child.identifiers.get().value == "943 476 5918"
    page = client.get(f"/people-in-case/{child.pk}/").content.decode()
    assert "last digit does not check the other nine" in page


def test_the_manager_adds_an_identifier_and_returns_to_the_persons_page(
        personas: Personas) -> None:
    child = child_of(open_review(personas, aware_days_ago=10))
    response = client_for(personas.manager).post(
        f"/people-in-case/{child.pk}/identifiers/add/", {"kind": "postcode", "value": "nt12ab"})
    assert response.status_code == 302 and response["Location"] == f"/people-in-case/{child.pk}/"
    assert child.identifiers.get().value == "NT1 2AB"


def test_a_generated_variant_is_removed_with_a_reason_and_can_be_restored(
        personas: Personas) -> None:
    review = open_review(personas, aware_days_ago=10)
    child = services.subject_add(by=personas.manager, review=review, kind="sibling",
                                 pseudonym="Sibling 1", full_name="Daniel Okafor")
    client = client_for(personas.manager)
    body = client.get(f"/people-in-case/{child.pk}/").content.decode()
    assert "Nickname of Daniel" in body and "variants/remove/?variant=Dan" in body
    form = client.get(f"/people-in-case/{child.pk}/variants/remove/?variant=Dan")
    assert "Stop matching “Dan”" in form.content.decode()
    missing_reason = client.post(f"/people-in-case/{child.pk}/variants/remove/",
                                 {"variant": "Dan", "reason": ""})
    assert "Enter the reason for this change" in missing_reason.content.decode()
    client.post(f"/people-in-case/{child.pk}/variants/remove/",
                {"variant": "Dan", "reason": "Dan is his uncle"})
    choice = NameVariantChoice.objects.get()
    body = client.get(f"/people-in-case/{child.pk}/").content.decode()
    assert "<del>Dan</del>" in body and f"/name-variants/{choice.pk}/undo/" in body
    client.post(f"/name-variants/{choice.pk}/undo/", {"reason": "He is not"})
    assert NameVariantChoice.objects.get().withdrawn


def test_a_part_of_the_name_offers_no_remove_link_and_cannot_be_removed_by_hand(
        personas: Personas) -> None:
    child = child_of(open_review(personas, aware_days_ago=10))
    client = client_for(personas.manager)
    body = client.get(f"/people-in-case/{child.pk}/").content.decode()
    assert 'variants/remove/?variant=Doe"' not in body
    response = client.post(f"/people-in-case/{child.pk}/variants/remove/",
                           {"variant": "Doe", "reason": "Try"})
    assert "Only a generated variant can be removed" in response.content.decode()
    assert not NameVariantChoice.objects.exists()


def test_identifier_changes_are_in_the_reviews_history_with_who_and_why(
        personas: Personas) -> None:
    review = open_review(personas, aware_days_ago=10)
    child = with_identifiers(personas, review)
    services.subject_identifier_withdraw(by=personas.manager,
                                         identifier=child.identifiers.get(kind="known_as"),
                                         reason="Not her name")
    page = client_for(personas.manager).get(f"/reviews/{review.pk}/history/",
                                            {"record_type": "subjectidentifier"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "Known as of Child A" in body and "Not her name" in body
    assert "Identifier added to the register" in body
