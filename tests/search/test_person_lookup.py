"""A business manager may ask whether a registered person appears in another review; each
such search needs a reason and is logged, append-only; nobody else may ask."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse

from reviews.models import Subject
from search import services
from search.models import PersonLookup
from search.selectors import PersonQuery, name_forms_of
from tests.personas import client_for
from tests.search.world import SearchWorld, build
from tests.shared_db import layered

module_layer, world = layered(build)


def refs(matches: list[Any]) -> set[str]:
    return {m.review for m in matches}


def test_name_forms_take_nicknames_and_previous_surnames() -> None:
    forms = name_forms_of("Kayden Smith", ["Kay"], ["Jones"])
    assert {"kayden smith", "kayden jones", "kay smith"} <= forms
    assert "smith" not in forms  # a surname alone is not the person
    assert name_forms_of("Kate Smith") & name_forms_of("Katherine Smith")  # a nickname
    assert not name_forms_of("Kate Smith") & name_forms_of("Katherine Jones")


def test_a_person_is_found_by_name_variant_and_the_search_is_logged(world: SearchWorld) -> None:
    w = world
    lookup, matches = services.person_lookup_run(
        by=w.people.manager, query=PersonQuery(name="KAYDEN  smith"),
        reason="Strategy discussion about a new referral")
    both = {w.review_in.reference, w.review_out.reference}
    assert refs(matches) == both
    logged = PersonLookup.objects.get(pk=lookup.pk)
    assert (logged.by, logged.name, logged.reason, set(logged.found)) == (
        w.people.manager, "KAYDEN  smith", "Strategy discussion about a new referral", both)
    assert logged.history.get().history_user == w.people.manager
    assert not services.person_lookup_run(by=w.people.manager, query=PersonQuery(
        name="Kayla Smithson"), reason="Checking")[1]


def test_a_person_is_found_by_an_identifier_in_any_spacing(world: SearchWorld) -> None:
    w = world
    _, matches = services.person_lookup_run(
        by=w.people.manager, reason="Checking an NHS number",
        query=PersonQuery(identifier_kind="nhs_number", identifier="9434765919"))
    assert refs(matches) == {w.review_in.reference, w.review_out.reference}
    assert {m.why for m in matches} == {"identifier"}


def test_a_registered_person_is_looked_for_in_the_other_reviews(world: SearchWorld) -> None:
    w = world
    child = Subject.objects.get(review=w.review_in)
    lookup, matches = services.person_lookup_run(
        by=w.people.manager, query=PersonQuery(subject=child), reason="Same family?")
    assert refs(matches) == {w.review_out.reference}
    assert {m.why for m in matches} == {"name and identifier"}
    assert lookup.subject == child


def test_only_a_business_manager_may_search_for_a_person(world: SearchWorld) -> None:
    w = world
    for person in (w.people.reviewer, w.people.panel, w.people.police_lead, w.people.board):
        with pytest.raises(PermissionDenied):
            services.person_lookup_run(by=person, query=PersonQuery(name="Kayden Smith"),
                                       reason="Curious")
    assert not PersonLookup.objects.exists()


def test_a_search_without_a_reason_is_refused_and_not_logged(world: SearchWorld) -> None:
    w = world
    with pytest.raises(ValidationError):
        services.person_lookup_run(by=w.people.manager, query=PersonQuery(name="Kayden Smith"),
                                   reason="  ")
    response = client_for(w.people.manager).post(reverse("person_lookup"), {
        "name": "Kayden Smith", "reason": ""})
    assert response.status_code == 200
    assert "Enter why you are searching for this person" in response.content.decode()
    assert not PersonLookup.objects.exists()


def test_the_page_shows_the_matches_and_the_log_shows_the_search(world: SearchWorld) -> None:
    w = world
    client = client_for(w.people.manager)
    page = client.post(reverse("person_lookup"), {"name": "kayden SMITH", "reason": "Referral"})
    text = page.content.decode()
    assert "Found in 2 reviews" in text and w.review_out.reference in text
    log = client.get(reverse("person_lookup_log")).content.decode()
    assert "kayden SMITH" in log and "Referral" in log


def test_the_log_is_append_only(world: SearchWorld) -> None:
    w = world
    lookup, _ = services.person_lookup_run(by=w.people.manager, reason="Referral",
                                           query=PersonQuery(name="Kayden Smith"))
    with pytest.raises(PermissionError):
        lookup.save()
    with pytest.raises(PermissionError):
        PersonLookup.objects.filter(pk=lookup.pk).update(reason="Nothing to see")
    with pytest.raises(PermissionError):
        lookup.delete()


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_the_database_refuses_to_change_the_log(world: SearchWorld) -> None:
    from django.db import DatabaseError

    w = world
    lookup, _ = services.person_lookup_run(by=w.people.manager, reason="Referral",
                                           query=PersonQuery(name="Kayden Smith"))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE search_personlookup SET reason = 'x' WHERE id = %s", [lookup.pk])


def test_from_a_persons_page_the_manager_looks_for_them_in_the_other_reviews(
        world: SearchWorld) -> None:
    w = world
    child = Subject.objects.get(review=w.review_in)
    client = client_for(w.people.manager)
    person_page = client.get(reverse("subject_detail", args=[child.pk])).content.decode()
    url = f"{reverse('person_lookup')}?subject={child.pk}"
    assert url in person_page
    assert url not in client_for(w.people.reviewer).get(
        reverse("subject_detail", args=[child.pk])).content.decode()
    found = client.post(url, {"reason": "Same family?"}).content.decode()
    assert "Found in 1 review" in found and w.review_out.reference in found
    assert PersonLookup.objects.get().subject == child
