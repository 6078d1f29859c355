"""The manager's daily pages: the dashboard, a review's sections, its moves and history."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from reviews import services
from reviews.models import ClockKind, PanelAppointment, Review, Stage, Subject
from reviews.selectors import dashboard_reviews
from scr.history import save_with_history
from scr.models import AccessEvent
from tests.conftest import Personas, at_stage, client_for, publish
from tests.reviews.lists.test_dashboards import open_review

pytestmark = pytest.mark.django_db


def request_evidence(people: Personas, review: Review, agency, description: str) -> None:
    services.evidence_request_create(by=people.manager, review=review, agency=agency,
                                     due_on=timezone.localdate() + timedelta(days=5),
                                     description=description)


def rows_of(client, **query) -> list:
    return list(client.get("/reviews/", query).context["rows"])


# ---------------------------------------------------------------- moves


def test_sending_a_move_again_after_it_was_made_says_already_moved_with_a_link_back(
    personas: Personas,
) -> None:
    review = at_stage(open_review(personas, aware_days_ago=3), Stage.RAPID_REVIEW)
    services.rapid_review_record(by=personas.manager, review=review,
                                 rapid_review_meeting_on=timezone.localdate())
    client = client_for(personas.manager)
    form = {"to": Stage.DECISION, "expected_from": Stage.RAPID_REVIEW, "reason": ""}
    assert client.post(f"/reviews/{review.pk}/move/", form).status_code == 302
    again = client.post(f"/reviews/{review.pk}/move/", form)
    assert again.status_code == 409
    body = again.content.decode()
    assert "Already moved to Decision" in body
    assert "permission" not in body
    assert f'href="/reviews/{review.pk}/"' in body
    assert Review.objects.get(pk=review.pk).stage == Stage.DECISION


def test_a_move_link_opened_after_the_review_moved_on_says_already_moved(
    personas: Personas,
) -> None:
    review = open_review(personas, aware_days_ago=3)
    services.review_transition(by=personas.manager, review=review, to=Stage.NOTIFICATION,
                               expected_from=Stage.REFERRAL)
    response = client_for(personas.manager).get(
        f"/reviews/{review.pk}/move/", {"to": Stage.NOTIFICATION, "from": Stage.REFERRAL})
    assert response.status_code == 409
    assert "Already moved to Notification" in response.content.decode()


def test_a_blocked_move_links_to_the_form_recording_what_it_needs_and_offers_no_button(
    personas: Personas,
) -> None:
    review = at_stage(open_review(personas, aware_days_ago=3), Stage.NOTIFICATION)
    client = client_for(personas.manager)
    overview = client.get(f"/reviews/{review.pk}/").content.decode()
    moves = overview.split('id="moves"')[1].split("<h3")[0]
    assert f'href="/reviews/{review.pk}/notification/"' in moves
    assert "?to=rapid_review" not in moves  # blocked: shown, not a link to make it
    assert "?to=withdrawn" in moves  # a move that may go ahead is a link
    page = client.get(f"/reviews/{review.pk}/move/", {"to": Stage.RAPID_REVIEW})
    body = page.content.decode()
    assert page.status_code == 200
    assert f'href="/reviews/{review.pk}/notification/"' in body
    assert '<button type="submit"' not in body.split('id="main-content"')[1]
    # Sent anyway, it is refused by the service and nothing moves.
    client.post(f"/reviews/{review.pk}/move/", {"to": Stage.RAPID_REVIEW,
                                                 "expected_from": Stage.NOTIFICATION})
    assert Review.objects.get(pk=review.pk).stage == Stage.NOTIFICATION


# ---------------------------------------------------------------- dashboard


def test_dashboard_finds_ended_reviews_when_filtered_and_shows_open_ones_by_default(
    personas: Personas,
) -> None:
    running = open_review(personas, aware_days_ago=3)
    withdrawn = open_review(personas, aware_days_ago=4)
    services.review_transition(by=personas.manager, review=withdrawn, to=Stage.WITHDRAWN,
                               expected_from=Stage.REFERRAL, reason="Referred in error")
    client = client_for(personas.manager)
    assert [r.reference for r in rows_of(client)] == [running.reference]
    filtered = client.get("/reviews/", {"stage": Stage.WITHDRAWN})
    assert [r.reference for r in filtered.context["rows"]] == [withdrawn.reference]
    assert "1 review<" in filtered.content.decode()  # not "0 open reviews"
    assert {r.reference for r in rows_of(client, stage="ended")} == {withdrawn.reference}
    assert {r.reference for r in rows_of(client, stage="all")} == {running.reference,
                                                                   withdrawn.reference}


def test_dashboard_sorts_reviews_without_a_due_date_last_and_stages_in_lifecycle_order(
    personas: Personas,
) -> None:
    today = timezone.localdate()
    overdue = open_review(personas, aware_days_ago=40)
    undated = at_stage(open_review(personas, aware_days_ago=20), Stage.DECISION)
    services.notification_record(by=personas.manager, review=undated,
                                 notification_sent_on=today - timedelta(days=19))
    services.decision_record(by=personas.manager, review=undated, decision="no_review",
                             decision_date=today, decision_reasons="Criteria not met.")
    assert Review.objects.get(pk=undated.pk).next_due_on is None
    notified = at_stage(open_review(personas, aware_days_ago=2), Stage.NOTIFICATION)
    client = client_for(personas.manager)
    by_due = [r.reference for r in rows_of(client, sort="due")]
    assert by_due.index(overdue.reference) < by_due.index(undated.reference)
    assert by_due[-1] == undated.reference
    assert "NULLS LAST" in str(dashboard_reviews(personas.manager, sort="due").query)
    by_stage = [r.stage for r in rows_of(client, sort="stage")]
    assert by_stage == ["Referral", "Notification", "Decision"]  # not alphabetical
    assert notified.reference in by_due


def test_dashboard_rows_name_the_child_reviewer_agencies_missed_clocks_and_evidence(
    personas: Personas,
) -> None:
    review = open_review(personas, aware_days_ago=60,
                         involved=[personas.police, personas.health])
    services.subject_add(by=personas.manager, review=review, kind=Subject.Kind.PARENT,
                         pseudonym="Mother", full_name="Dana Doe")
    services.panel_appoint(by=personas.manager, review=review, user=personas.reviewer,
                           panel_role=PanelAppointment.PanelRole.REVIEWER,
                           independence_declaration="Independent.")
    services.evidence_request_create(by=personas.manager, review=review, agency=personas.health,
                                     due_on=timezone.localdate() + timedelta(days=9),
                                     description="IMR")
    response = client_for(personas.manager).get("/reviews/")
    [row] = response.context["rows"]
    assert row.children == "Child A"
    assert row.reviewer == str(personas.reviewer)
    assert row.agencies == "Health, Police"
    # Both clocks that ran out are listed, not only the next one.
    assert row.missed == (ClockKind.NOTIFICATION.label, ClockKind.RAPID_REVIEW.label)
    assert row.evidence_outstanding == 1 and row.evidence_overdue == 0
    assert row.due_phrase.endswith("working days overdue")
    body = response.content.decode()
    assert "Jayden" not in body and "Dana Doe" not in body  # real names never
    assert "Child A" in body and str(personas.reviewer) in body


def test_dashboard_csv_is_in_words_and_the_partnerships_vocabulary(
    personas: Personas, settings,
) -> None:
    settings.REVIEW_VOCABULARY = "SCR"
    review = open_review(personas, aware_days_ago=60)
    response = client_for(personas.manager).get("/reviews/export.csv", {"stage": "all"})
    text = b"".join(response.streaming_content).decode()
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["SCR reference"] == review.reference
    assert row["RAG status"] == "Red"
    assert row["Next clock"] == "Notify the national Panel"
    assert row["Missed clocks"] == "Notify the national Panel; Rapid review"
    assert row["Independent reviewer"] == "" and row["Agencies involved"] == "Police"
    assert "notification" not in text and "red" not in text  # no codes
    assert "Jayden" not in text


# ---------------------------------------------------------------- a review's sections


SECTION_PATHS = ("", "people/", "clocks/", "panel/", "evidence/", "history/")


def test_each_section_of_a_review_is_its_own_page_and_each_view_is_logged(
    personas: Personas,
) -> None:
    review = open_review(personas, aware_days_ago=3, involved=[personas.police])
    request_evidence(personas, review, personas.police, "IMR and chronology")
    client = client_for(personas.manager)
    expected = {"": "Next steps", "people/": "Pseudonym register",
                "clocks/": "Notify the national Panel", "panel/": "Terms of reference",
                "evidence/": "IMR and chronology", "history/": "Referral recorded"}
    for path in SECTION_PATHS:
        body = client.get(f"/reviews/{review.pk}/{path}").content.decode()
        assert expected[path] in body, path
        assert 'aria-label="Sections of this review"' in body
        for other in SECTION_PATHS:
            assert f'href="/reviews/{review.pk}/{other}"' in body
    logged = AccessEvent.objects.filter(review_id=review.pk, action=AccessEvent.Action.VIEW)
    assert sorted(e.path for e in logged) == sorted(f"/reviews/{review.pk}/{p}"
                                                    for p in SECTION_PATHS)


def test_a_board_member_is_not_offered_the_history_of_a_published_review(
    personas: Personas,
) -> None:
    review = publish(open_review(personas, aware_days_ago=60), personas.manager)
    body = client_for(personas.board).get(f"/reviews/{review.pk}/people/").content.decode()
    assert "Child A" in body and "Jayden" not in body
    assert f"/reviews/{review.pk}/history/" not in body


def test_clocks_read_in_words_overdue_not_minus_and_met_once(personas: Personas) -> None:
    today = timezone.localdate()
    review = open_review(personas, aware_days_ago=14)
    services.notification_record(by=personas.manager, review=review,
                                 notification_sent_on=today - timedelta(days=13))
    body = client_for(personas.manager).get(f"/reviews/{review.pk}/clocks/").content.decode()
    assert re.search(r"\d+ working days? (left|overdue)|Due today", body)
    assert "-" not in re.sub(r"<[^>]+>", "", body.split('id="clocks"')[1].split("</table>")[0])
    assert "Met met" not in body and ">Met</strong> on " in body
    late = open_review(personas, aware_days_ago=40)
    body = client_for(personas.manager).get(f"/reviews/{late.pk}/clocks/").content.decode()
    assert "working days overdue" in body


def test_long_text_is_collapsed_on_the_overview(personas: Personas) -> None:
    review = open_review(personas, aware_days_ago=3)
    services.review_update_referral(by=personas.manager, review=review, reason="More detail",
                                    what_happened="A long account. " * 60)
    body = client_for(personas.manager).get(f"/reviews/{review.pk}/").content.decode()
    assert '<details class="govuk-details' in body


# ---------------------------------------------------------------- forms offered


def test_adding_a_person_offers_no_preselected_blank_choice(personas: Personas) -> None:
    review = open_review(personas, aware_days_ago=3)
    body = client_for(personas.manager).get(f"/reviews/{review.pk}/people/add/").content.decode()
    assert "---------" not in body
    assert 'value="child"' in body
    assert not re.search(r'name="kind"[^>]*checked', body)


def test_appointing_offers_only_people_with_a_panel_role_and_links_to_give_one(
    personas: Personas,
) -> None:
    review = open_review(personas, aware_days_ago=3)
    response = client_for(personas.manager).get(f"/reviews/{review.pk}/panel/appoint/")
    offered = {u for u, _ in response.context["form"].fields["user"].choices if u}
    assert {int(str(u)) for u in offered} == {personas.reviewer.pk, personas.panel.pk}
    body = response.content.decode()
    assert f"{personas.reviewer} (Independent reviewer)" in body
    assert str(personas.police_lead) not in body
    assert 'href="/people/"' in body


# ---------------------------------------------------------------- history


def history(client, review: Review, **query):
    return client.get(f"/reviews/{review.pk}/history/", query)


def test_history_names_linked_records_and_choices_to_the_minute_without_empty_entries(
    personas: Personas,
) -> None:
    review = open_review(personas, aware_days_ago=3, involved=[personas.police])
    request_evidence(personas, review, personas.police, "IMR")
    services.review_transition(by=personas.manager, review=review, to=Stage.NOTIFICATION,
                               expected_from=Stage.REFERRAL)
    save_with_history(Review.objects.get(pk=review.pk), by=personas.manager,
                      reason="Saved with nothing changed")
    response = history(client_for(personas.manager), review)
    entries = list(response.context["page"].object_list)
    changes = {(c.field, c.new) for e in entries for c in e.changes}
    assert ("Agency", "Police") in changes
    assert ("By", str(personas.manager)) in changes
    assert ("Stage", "Notification") in changes
    assert not any(field == "Id" for field, _ in changes)
    assert "Saved with nothing changed" not in {e.why for e in entries}
    stage_entered = next(c.new for e in entries for c in e.changes if c.field == "Stage entered at")
    assert re.fullmatch(r"\d{1,2} \w{3} \d{4}, \d{2}:\d{2}", stage_entered)
    assert "No field changed" not in response.content.decode()


def test_history_filters_by_record_type_and_person_and_is_paginated(personas: Personas) -> None:
    review = open_review(personas, aware_days_ago=3, involved=[personas.police])
    services.panel_appoint(by=personas.manager, review=review, user=personas.reviewer,
                           panel_role="reviewer", independence_declaration="Independent.")
    services.subject_add(by=personas.reviewer, review=review, kind="sibling",
                         pseudonym="Sibling 0", full_name="Sib Doe")
    for i in range(1, 30):
        services.subject_add(by=personas.manager, review=review, kind="sibling",
                             pseudonym=f"Sibling {i}", full_name=f"Sib {i}")
    client = client_for(personas.manager)
    first = history(client, review)
    assert first.context["page"].next_cursor is not None
    assert first.context["page"].previous_cursor is None
    assert len(first.context["page"].object_list) == 25
    subjects = history(client, review, record_type="subject").context["page"]
    assert {e.record_type for e in subjects.object_list} == {"Subject"}
    assert len(subjects.object_list) == 25
    rest = history(client, review, record_type="subject", after=subjects.next_cursor)
    assert {e.record_type for e in rest.context["page"].object_list} == {"Subject"}
    assert len(rest.context["page"].object_list) == 6  # 31 subjects in all
    assert "record_type=subject&amp;before=" in rest.content.decode()  # the filter is kept
    by_reviewer = history(client, review, person=personas.reviewer.pk).context["page"]
    assert [e.record for e in by_reviewer.object_list] == ["Sibling 0"]
    assert f'value="{personas.reviewer.pk}"' in first.content.decode()


def test_history_of_records_a_lead_may_not_see_stays_hidden_when_filtered(
    personas: Personas,
) -> None:
    review = open_review(personas, aware_days_ago=3, involved=[personas.police, personas.health])
    for agency in (personas.police, personas.health):
        request_evidence(personas, review, agency, f"{agency.name} IMR")
    page = history(client_for(personas.police_lead), review,
                   record_type="evidencerequest").context["page"]
    assert {e.record for e in page.object_list} == {"Agency report (IMR) from Police"}


def test_a_move_that_needs_no_reason_is_made_from_the_review_page_in_one_step(
    personas: Personas,
) -> None:
    """Issue 19, item 8: not a confirmation page per move; the button on the review page is
    the confirmation, and a move that needs a reason still asks for it on its own page."""
    review = open_review(personas, aware_days_ago=3)
    client = client_for(personas.manager)
    overview = client.get(f"/reviews/{review.pk}/").content.decode()
    moves = overview.split('id="moves"')[1].split("<h3")[0]
    assert f'action="/reviews/{review.pk}/move/"' in moves
    assert 'name="to" value="notification"' in moves
    assert 'name="expected_from" value="referral"' in moves
    assert "?to=notification" not in moves  # no separate confirmation page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', overview)
    assert token
    done = client.post(f"/reviews/{review.pk}/move/",
                       {"to": "notification", "expected_from": "referral"})
    assert done.status_code == 302 and done["Location"] == f"/reviews/{review.pk}/"
    assert Review.objects.get(pk=review.pk).stage == Stage.NOTIFICATION
    # Sent twice (a double click, a second tab): the second says so, nothing moves twice.
    again = client.post(f"/reviews/{review.pk}/move/",
                        {"to": "notification", "expected_from": "referral"})
    assert again.status_code == 409
