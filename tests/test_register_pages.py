"""A person's page in the pseudonym register: identities only for those who may see them,
identifiers and name variants changed through forms whose errors say what is wrong."""

from __future__ import annotations

import pytest

from reviews import services
from reviews.models import NameVariantChoice, PanelAppointment
from tests.conftest import Personas, client_for, publish
from tests.test_dashboards import open_review

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


def test_an_appointed_reviewer_sees_identities_but_may_not_change_them(
        personas: Personas) -> None:
    review = open_review(personas, aware_days_ago=10)
    child = with_identifiers(personas, review)
    services.panel_appoint(by=personas.manager, review=review, user=personas.reviewer,
                           panel_role=PanelAppointment.PanelRole.REVIEWER,
                           independence_declaration="Independent.")
    body = client_for(personas.reviewer).get(f"/people-in-case/{child.pk}/").content.decode()
    assert "Jayden Doe" in body and "943 476 5919" in body
    assert "Add a name variant" not in body and "/remove/" not in body


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
