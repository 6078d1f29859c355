"""Meetings and learning events (the rapid review date comes from its meeting record;
anonymous feedback keeps no author anywhere), and the family involvement log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviews import services
from reviews.models import LearningFeedback, Meeting, Stage
from reviews.workflow import rapid_review_held
from scr.history import save_with_history
from scr.models import AccessEvent
from tests.chronology_helpers import Case, make_case, today
from tests.personas import at_stage, client_for
from tests.shared_db import layered

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# `case`: made once for the module's tests (tests/shared_db.py), each test in its own transaction
module_layer, case = layered(make_case)


def test_recording_the_rapid_review_meeting_sets_the_reviews_date_and_satisfies_the_guard(
        case: Case) -> None:
    p = case.people
    review = at_stage(case.review, Stage.RAPID_REVIEW)
    assert rapid_review_held(review)  # missing: the meeting date
    held = review.aware_date + timedelta(days=1)
    services.meeting_record(by=p.manager, review=review, kind=Meeting.Kind.RAPID_REVIEW,
                            held_on=held, agenda="Agency summaries")
    review.refresh_from_db()
    assert review.rapid_review_meeting_on == held
    assert rapid_review_held(review) == []
    services.review_transition(by=p.manager, review=review, to=Stage.DECISION,
                               expected_from=Stage.RAPID_REVIEW)
    # Moving the meeting moves the review's date, with the reason the change needs.
    meeting = review.meetings.get()
    services.meeting_update(by=p.manager, meeting=meeting, held_on=held + timedelta(days=1),
                            reason="Minuted date was wrong")
    review.refresh_from_db()
    assert review.rapid_review_meeting_on == held + timedelta(days=1)
    assert review.history.first().history_change_reason == "Minuted date was wrong"


def test_a_rapid_review_meeting_that_disagrees_with_a_typed_date_needs_a_reason(
        case: Case) -> None:
    p = case.people
    services.rapid_review_record(by=p.manager, review=case.review,
                                 rapid_review_meeting_on=case.review.aware_date)
    with pytest.raises(ValidationError) as refused:
        services.meeting_record(by=p.manager, review=case.review, kind="rapid_review",
                                held_on=case.review.aware_date + timedelta(days=2))
    assert "reason" in refused.value.message_dict
    assert not Meeting.objects.exists()


def test_anonymous_feedback_stores_no_author_not_even_in_its_history(case: Case) -> None:
    p = case.people
    event = services.meeting_record(by=p.manager, review=case.review, kind="learning_event",
                                    held_on=today())
    services.meeting_attendee_add(by=p.manager, meeting=event, user=p.police_lead)
    feedback = services.learning_feedback_give(by=p.police_lead, meeting=event,
                                               what_helped="Hearing health's view",
                                               what_could_improve="", anonymous=True)
    feedback.refresh_from_db()
    assert feedback.given_by is None
    rows = list(LearningFeedback.history.all())
    assert [r.history_user_id for r in rows] == [None]
    assert rows[0].history_date.hour == rows[0].history_date.minute == 0  # the day only
    # Even a caller that names the user (save_with_history) leaves no trace.
    feedback.what_helped = "Edited"
    save_with_history(feedback, by=p.police_lead, reason="test")
    assert set(LearningFeedback.history.values_list("history_user_id", flat=True)) == {None}
    named = services.learning_feedback_give(by=p.police_lead, meeting=event, what_helped="",
                                            what_could_improve="Shorter", anonymous=False)
    assert named.given_by == p.police_lead
    html = client_for(p.manager).get(reverse("meeting", args=[event.pk])).content.decode()
    assert "Anonymous" in html and f"From {p.police_lead}" in html


def test_feedback_is_refused_on_a_meeting_that_is_not_a_learning_event_or_out_of_scope(
        case: Case) -> None:
    p = case.people
    panel_meeting = services.meeting_record(by=p.manager, review=case.review, kind="panel",
                                            held_on=today())
    with pytest.raises(ValidationError, match="learning events only"):
        services.learning_feedback_give(by=p.reviewer, meeting=panel_meeting, what_helped="x",
                                        what_could_improve="", anonymous=True)
    with pytest.raises(ValidationError):
        services.learning_feedback_give(by=p.health_lead, meeting=panel_meeting,
                                        what_helped="x", what_could_improve="", anonymous=True)
    assert not LearningFeedback.objects.exists()


def test_minutes_are_a_secure_document_downloaded_with_an_access_event(case: Case) -> None:
    p = case.people
    meeting = services.meeting_record(by=p.manager, review=case.review, kind="panel",
                                      held_on=today())
    client = client_for(p.reviewer)
    response = client.post(reverse("meeting_minutes_upload", args=[meeting.pk]),
                           {"upload": SimpleUploadedFile("minutes.pdf", PDF)})
    assert response.status_code == 302
    refused = client.post(reverse("meeting_minutes_upload", args=[meeting.pk]),
                          {"upload": SimpleUploadedFile("minutes.pdf", b"<html>hi</html>")})
    assert "must be a PDF" in refused.content.decode()
    minutes = meeting.minutes.get()
    url = reverse("meeting_minutes_download", args=[minutes.pk])
    download = client.get(url)
    assert b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]
    assert AccessEvent.objects.filter(user=p.reviewer, path=url,
                                      action=AccessEvent.Action.DOWNLOAD).count() == 1
    assert client_for(p.health_lead).get(url).status_code == 404
    assert client_for(p.police_lead).get(url).status_code == 404  # did not attend


def test_actions_arising_have_an_owner_a_due_date_and_are_marked_done_once(case: Case) -> None:
    p = case.people
    meeting = services.meeting_record(by=p.manager, review=case.review, kind="panel",
                                      held_on=today() - timedelta(days=3))
    with pytest.raises(ValidationError):
        services.meeting_action_add(by=p.manager, meeting=meeting, description="Share GP notes",
                                    owner="ICB", due_on=today() - timedelta(days=4))
    action = services.meeting_action_add(by=p.manager, meeting=meeting,
                                         description="Share GP notes", owner="Designated nurse",
                                         due_on=today() + timedelta(days=7))
    services.meeting_action_done(by=p.reviewer, action=action, done_on=today())
    with pytest.raises(ValidationError, match="already done"):
        services.meeting_action_done(by=p.reviewer, action=action, done_on=today())
    with pytest.raises(ValidationError):
        services.meeting_action_add(by=p.panel, meeting=meeting, description="x", owner="y",
                                    due_on=today())


def test_the_family_log_records_involvement_contacts_and_comments_against_a_version(
        case: Case) -> None:
    p = case.people
    mother = case.review.subjects.get(pseudonym="Mother")
    involvement = services.family_involvement_record(
        by=p.reviewer, review=case.review, subject=mother, invited=True,
        invitation_reason="Mother of the child", consent="given", interpreter_language="Polish")
    with pytest.raises(ValidationError):
        services.family_involvement_record(by=p.reviewer, review=case.review, subject=mother,
                                           invited=False, invitation_reason="again")
    services.family_contact_add(by=p.reviewer, involvement=involvement, contacted_on=today(),
                                contacted_by="Independent reviewer", method="in_person",
                                summary="Met at home with an interpreter")
    services.family_comment_add(by=p.reviewer, involvement=involvement, received_on=today(),
                                report_version_label="Draft 2", comments="Not accurate about me")
    html = client_for(p.panel).get(reverse("review_family", args=[case.review.pk])).content.decode()
    assert "Mother (Jade Smith)" in html
    assert "Met at home with an interpreter" in html and "On Draft 2" in html
    assert client_for(p.police_lead).get(reverse("review_family", args=[case.review.pk])
                                         ).status_code == 403
    with pytest.raises(ValidationError):
        services.family_contact_add(by=p.panel, involvement=involvement, contacted_on=today(),
                                    contacted_by="Panel", method="phone", summary="x")


def test_the_history_page_shows_an_agency_lead_none_of_the_family_log_meetings_or_others_drafts(
        case: Case) -> None:
    from reviews.selectors import review_histories
    from tests.chronology_helpers import entry

    p = case.people
    mother = case.review.subjects.get(pseudonym="Mother")
    services.family_involvement_record(by=p.reviewer, review=case.review, subject=mother,
                                       invited=False, invitation_reason="Charged with neglect")
    services.meeting_record(by=p.manager, review=case.review, kind="panel", held_on=today())
    entry(case, agency=p.health, text="Health draft")
    entry(case, agency=p.police, text="Police draft")
    lead = review_histories(p.police_lead, case.review)
    assert not lead["familyinvolvement"][1].exists()
    assert not lead["meeting"][1].exists()
    assert list(lead["chronologyentry"][1].values_list("what_happened", flat=True)) == [
        "Police draft"]
    manager = review_histories(p.manager, case.review)
    assert manager["familyinvolvement"][1].count() == 1
    assert not manager["chronologyentry"][1].exists()  # drafts are the agencies' own
    html = client_for(p.police_lead).get(reverse("review_history", args=[case.review.pk])
                                         ).content.decode()
    assert "Charged with neglect" not in html and "Health draft" not in html


def test_a_board_member_who_attended_reads_pseudonymised_notes_and_never_gets_the_papers(
        case: Case) -> None:
    """Pen test finding 1: a board member recorded as attending a meeting (or a learning
    event) of a published review downloaded its minutes. Files and identifiable papers
    follow the review's identifiable access; the board reads pseudonymised notes only."""
    from reviews.models import MeetingMinutes
    from tests.personas import publish

    p = case.people
    for kind in ("panel", "learning_event"):
        meeting = services.meeting_record(by=p.manager, review=case.review, kind=kind,
                                          held_on=today(), notes="Kayden Smith was seen.")
        services.meeting_attendee_add(by=p.manager, meeting=meeting, user=p.board)
        services.meeting_attendee_add(by=p.manager, meeting=meeting, user=p.police_lead)
        services.meeting_minutes_upload(by=p.manager, meeting=meeting,
                                        upload=SimpleUploadedFile("Kayden Smith.pdf", PDF))
    publish(case.review, p.manager)
    for meeting in Meeting.objects.filter(review=case.review):
        minutes = meeting.minutes.get()
        download = reverse("meeting_minutes_download", args=[minutes.pk])
        board = client_for(p.board)
        page = board.get(reverse("meeting", args=[meeting.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        assert "Kayden Smith" not in html and "Child A was seen." in html
        assert download not in html  # no link to the papers, not even their name
        assert board.get(download).status_code == 404
        assert not MeetingMinutes.objects.for_user(p.board, "view").exists()
        assert not Meeting.objects.for_user(p.board, "view_identifiable").exists()
        # An attending agency lead of an involved agency holds identifiable access: the papers.
        assert client_for(p.police_lead).get(download).status_code == 200


def test_the_attendee_form_marks_people_without_identifiable_access_to_the_review(
        case: Case) -> None:
    """Who may receive a meeting's identifiable papers is the review's identifiable access:
    the form says so beside everyone else (the board, a lead of an agency not involved)."""
    from reviews.models.scope import can_see_identities, identifiable_readers

    p = case.people
    meeting = services.meeting_record(by=p.manager, review=case.review, kind="panel",
                                      held_on=today())
    readers = set(identifiable_readers(case.review))
    for person in p.by_role().values():
        fresh = type(person).objects.get(pk=person.pk)
        assert (person in readers) == can_see_identities(fresh, case.review), person
    assert p.board not in readers and p.manager in readers and p.police_lead in readers
    html = client_for(p.manager).get(
        reverse("meeting_attendee_add", args=[meeting.pk])).content.decode()
    assert f"{p.board} (pseudonymised notes only, no papers)" in html
    assert f"{p.police_lead} (pseudonymised notes only" not in html
    assert f"{p.reviewer} (pseudonymised notes only" not in html
