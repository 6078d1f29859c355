"""Evidence requests: sending to several agencies at once, the states and who may move
each, e-mails to the agency's leads (once each), overdue derived from the due date, and
the bad input that must change nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import EvidenceRequest, EvidenceSubmission, Stage
from reviews.services.lifecycle import TransitionRefused
from scr.models import Notification, ReminderSent
from scr.notifications import email_notifications
from tests.conftest import Personas, client_for
from tests.reviews.evidence import helpers as h
from tests.shared_db import layered

# `review`: made once for the module's tests (tests/shared_db.py), each test in its own transaction
module_layer, review = layered(h.evidence_review)


def test_the_manager_sends_one_request_to_each_agency_from_one_form_and_their_leads_are_emailed(
        personas: Personas, review: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(personas.manager).post(
            reverse("evidence_request_add", args=[review.pk]),
            {"agencies": [personas.police.pk, personas.health.pk], "kind": "imr",
             "description": "Your agency report", "due_on": h.due().strftime("%d/%m/%Y")})
    assert response.status_code == 302
    police, health = (EvidenceRequest.objects.get(agency=a) for a in (personas.police,
                                                                     personas.health))
    assert (police.status, health.status) == ("sent", "sent")
    assert police.history.get().history_user == personas.manager
    assert sorted(m.to[0] for m in mail.outbox) == ["health_lead@example.invalid",
                                                    "police_lead@example.invalid"]
    police_mail = next(m for m in mail.outbox if m.to == ["police_lead@example.invalid"])
    assert review.reference in police_mail.subject
    assert reverse("evidence_request", args=[police.pk]) in police_mail.body
    assert "Your agency report" not in police_mail.body  # what is asked stays in the service


def test_each_lead_is_emailed_once_whatever_the_task_retries(
        personas: Personas, review: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        request = h.send_imr(personas, review)[0]
    assert len(mail.outbox) == 1
    notification = Notification.objects.get(recipient=personas.police_lead,
                                            kind="evidence_requested", object_id=request.pk)
    assert email_notifications([notification.pk]) == 0  # a redelivered task
    assert len(mail.outbox) == 1
    assert ReminderSent.objects.filter(kind="notification", recipient=personas.police_lead,
                                       object_id=notification.pk).count() == 1


def test_the_reviewer_may_send_requests_but_a_panel_member_or_lead_may_not(
        personas: Personas, review: Any) -> None:
    assert h.send_imr(personas, review)  # the manager
    sent = services.evidence_requests_send(by=personas.reviewer, review=review,
                                           agencies=[personas.health], kind="chronology",
                                           description="Chronology", due_on=h.due())
    assert sent[0].agency == personas.health
    for outsider in (personas.panel, personas.police_lead):
        with pytest.raises(ValidationError, match="Only the business manager or the review's"):
            services.evidence_requests_send(by=outsider, review=review, kind="other",
                                            agencies=[personas.police], description="x",
                                            due_on=h.due())


def test_a_second_open_request_of_the_same_kind_is_refused_with_a_link_to_the_first(
        personas: Personas, review: Any) -> None:
    first = h.send_imr(personas, review)[0]
    response = client_for(personas.manager).post(
        reverse("evidence_request_add", args=[review.pk]),
        {"agencies": [personas.police.pk, personas.health.pk], "kind": "imr",
         "description": "Again", "due_on": h.due().strftime("%d/%m/%Y")})
    page = response.content.decode()
    assert response.status_code == 200
    assert "has already been sent to Police and is still open" in page
    assert f'href="{reverse("evidence_request", args=[first.pk])}"' in page
    assert EvidenceRequest.objects.count() == 1  # health's was not sent either: all or none
    services.evidence_requests_send(by=personas.manager, review=review, kind="chronology",
                                    agencies=[personas.police], description="x", due_on=h.due())
    services.evidence_request_withdraw(by=personas.manager, request=first, reason="Wrong scope")
    assert h.send_imr(personas, review)  # allowed again once the first is closed


def test_a_due_date_in_the_past_is_refused(personas: Personas, review: Any) -> None:
    with pytest.raises(ValidationError, match="cannot be in the past"):
        services.evidence_requests_send(by=personas.manager, review=review, kind="imr",
                                        agencies=[personas.police], description="IMR",
                                        due_on=timezone.localdate() - timedelta(days=1))
    assert not EvidenceRequest.objects.exists()


def test_an_agency_not_involved_cannot_be_asked(personas: Personas, review: Any) -> None:
    with pytest.raises(ValidationError, match="Education is not involved"):
        services.evidence_requests_send(by=personas.manager, review=review, kind="imr",
                                        agencies=[personas.police, personas.education],
                                        description="IMR", due_on=h.due())
    assert not EvidenceRequest.objects.exists()


# ---------------------------------------------------------------- who moves each state

def move(p: Personas, who: str, request: EvidenceRequest, to: str) -> Any:
    user = getattr(p, who)
    if to == "acknowledged":
        return services.evidence_request_acknowledge(by=user, request=request)
    if to == "returned":
        return services.evidence_request_return(by=user, request=request, missing="More")
    if to == "accepted":
        return services.evidence_request_accept(by=user, request=request)
    return services.evidence_request_withdraw(by=user, request=request, reason="Not needed")


@pytest.mark.parametrize(("to", "allowed", "refused"), [
    ("acknowledged", "police_lead", ("manager", "reviewer", "panel", "health_lead")),
    ("withdrawn", "reviewer", ("panel", "police_lead", "health_lead")),
    ("withdrawn", "manager", ("police_lead",)),
])
def test_who_may_move_a_sent_request(personas: Personas, review: Any, to: str, allowed: str,
                                     refused: tuple[str, ...]) -> None:
    request = h.send_imr(personas, review)[0]
    for who in refused:
        with pytest.raises(ValidationError):
            move(personas, who, request, to)
        request.refresh_from_db()
        assert request.status == "sent", who
    move(personas, allowed, request, to)
    request.refresh_from_db()
    assert request.status == to


@pytest.mark.parametrize(("to", "allowed", "refused"), [
    ("returned", "reviewer", ("panel", "police_lead", "health_lead")),
    ("accepted", "reviewer", ("panel", "police_lead", "health_lead")),
    ("accepted", "manager", ("police_lead",)),
])
def test_who_may_decide_on_a_submitted_answer(personas: Personas, review: Any, to: str,
                                              allowed: str, refused: tuple[str, ...]) -> None:
    request = h.send_imr(personas, review)[0]
    h.submit_imr(personas, request)
    for who in refused:
        with pytest.raises(ValidationError, match="Only the business manager or the review's "
                                                  "reviewer can do this"):
            move(personas, who, request, to)
    move(personas, allowed, request, to)
    request.refresh_from_db()
    assert request.status == to


def test_only_the_agency_asked_may_answer(personas: Personas, review: Any) -> None:
    request = h.send_imr(personas, review)[0]
    for outsider in (personas.health_lead, personas.manager, personas.reviewer):
        with pytest.raises(ValidationError, match="Only Police's leads can answer"):
            services.agency_report_save(by=outsider, request=request, author="Someone")
    with pytest.raises(ValidationError, match="Only the agency's leads can do this"):
        services.evidence_request_submit(by=personas.reviewer, request=request,
                                         expected_number=0, note="x")


def test_the_whole_path_sent_acknowledged_submitted_returned_resubmitted_accepted(
        personas: Personas, review: Any, django_capture_on_commit_callbacks: Any) -> None:
    request = h.send_imr(personas, review)[0]
    services.evidence_request_acknowledge(by=personas.police_lead, request=request)
    h.submit_imr(personas, request)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_request_return(by=personas.reviewer, request=request,
                                         missing="Who supervised the officers?")
    assert request.status == "returned" and request.missing == "Who supervised the officers?"
    assert [m.to for m in mail.outbox] == [["police_lead@example.invalid"]]
    assert "returned" in mail.outbox[0].subject
    second = h.submit_imr(personas, request, number=1, context="Supervised monthly by DI Two.")
    assert request.status == "resubmitted" and second.number == 2
    services.evidence_request_accept(by=personas.reviewer, request=request)
    assert (request.status, request.accepted_on) == ("accepted", timezone.localdate())
    from reviews.selectors import request_states

    assert [s.status for s in request_states(request)] == [
        "Sent", "Acknowledged", "Submitted", "Returned for more", "Resubmitted", "Accepted"]


def test_answering_a_withdrawn_or_accepted_request_is_refused(personas: Personas,
                                                               review: Any) -> None:
    withdrawn = h.send_imr(personas, review)[0]
    services.evidence_request_withdraw(by=personas.manager, request=withdrawn, reason="Dup")
    with pytest.raises(ValidationError, match="withdrawn, so it cannot be answered"):
        services.agency_report_save(by=personas.police_lead, request=withdrawn, author="x")
    with pytest.raises(ValidationError, match="cannot be submitted"):
        services.evidence_request_submit(by=personas.police_lead, request=withdrawn,
                                         expected_number=0, note="x")
    accepted = h.send_imr(personas, review)[0]
    h.submit_imr(personas, accepted)
    services.evidence_request_accept(by=personas.manager, request=accepted)
    with pytest.raises(ValidationError, match="cannot be submitted"):
        services.evidence_request_submit(by=personas.police_lead, request=accepted,
                                         expected_number=1, note="More")
    assert EvidenceSubmission.objects.filter(request=accepted).count() == 1
    assert not EvidenceSubmission.objects.filter(request=withdrawn).exists()


def test_the_same_version_submitted_twice_is_refused_and_stored_once(
        personas: Personas, review: Any) -> None:
    request = h.send_imr(personas, review)[0]
    h.submit_imr(personas, request)
    with pytest.raises(ValidationError, match="already been submitted"):
        services.evidence_request_submit(by=personas.police_lead, request=request,
                                         expected_number=0)
    # A double click on the page: the second post carries the same expected number.
    url = reverse("evidence_request_submit", args=[request.pk])
    response = client_for(personas.police_lead).post(url, {"expected_number": 0, "note": ""})
    assert "already been submitted" in response.content.decode()
    assert request.submissions.count() == 1


def test_a_submission_is_immutable(personas: Personas, review: Any) -> None:
    submission = h.submit_imr(personas, h.send_imr(personas, review)[0])
    submission.note = "changed afterwards"
    with pytest.raises(PermissionError):
        submission.save()
    with pytest.raises(PermissionError):
        submission.delete()


def test_an_agency_report_needs_its_required_headings(personas: Personas, review: Any) -> None:
    request = h.send_imr(personas, review)[0]
    services.agency_report_save(by=personas.police_lead, request=request, author="DS One")
    with pytest.raises(ValidationError, match="Complete the agency report before submitting "
                                              "it: The author's involvement"):
        services.evidence_request_submit(by=personas.police_lead, request=request,
                                         expected_number=0)
    request.refresh_from_db()
    assert request.status == "sent" and not request.submissions.exists()


def test_other_kinds_need_a_note_or_a_document(personas: Personas, review: Any) -> None:
    request = services.evidence_requests_send(by=personas.manager, review=review, kind="other",
                                              agencies=[personas.police], description="x",
                                              due_on=h.due())[0]
    with pytest.raises(ValidationError, match="Add a note or upload a document"):
        services.evidence_request_submit(by=personas.police_lead, request=request,
                                         expected_number=0, note=" ")
    services.evidence_request_submit(by=personas.police_lead, request=request,
                                     expected_number=0, note="No records held.")
    assert request.status == "submitted"


def test_submitting_a_chronology_request_submits_the_agencys_draft_entries_with_it(
        personas: Personas, review: Any) -> None:
    from reviews.models import ChronologyEntry

    entry = services.chronology_entry_add(
        by=personas.police_lead, review=review, agency=personas.police,
        occurred_on=review.incident_date - timedelta(days=5), source="Custody log",
        what_happened="Officers visited the home.", practitioner_role="PC", child_seen=True)
    request = services.evidence_requests_send(by=personas.manager, review=review,
                                              kind="chronology", agencies=[personas.police],
                                              description="Chronology", due_on=h.due())[0]
    services.evidence_request_submit(by=personas.police_lead, request=request,
                                     expected_number=0, note="Our entries are attached")
    entry.refresh_from_db()
    assert entry.status == ChronologyEntry.Status.SUBMITTED
    assert entry.evidence_request == request
    assert entry.submission is not None and entry.submission.evidence_request == request


def test_editing_a_request_needs_a_reason_and_a_due_date_not_in_the_past(
        personas: Personas, review: Any) -> None:
    request = h.send_imr(personas, review)[0]
    with pytest.raises(ValidationError, match="reason"):
        services.evidence_request_edit(by=personas.manager, request=request,
                                       description="More", due_on=h.due(20), reason="")
    with pytest.raises(ValidationError, match="cannot be in the past"):
        services.evidence_request_edit(by=personas.manager, request=request,
                                       description="More", reason="Extended",
                                       due_on=timezone.localdate() - timedelta(days=1))
    services.evidence_request_edit(by=personas.reviewer, request=request, description="More",
                                   due_on=h.due(20), reason="The agency asked for time")
    assert request.due_on == h.due(20)
    assert request.history.first().history_change_reason == "The agency asked for time"


# ---------------------------------------------------------------- overdue, derived

def test_overdue_is_derived_from_the_due_date_and_a_late_submission_is_marked(
        personas: Personas, review: Any) -> None:
    request = h.send_imr(personas, review)[0]
    assert not request.is_overdue
    # Arrange a due date in the past (the service refuses to set one).
    EvidenceRequest.objects.filter(pk=request.pk).update(
        requested_on=timezone.localdate() - timedelta(days=12),
        due_on=timezone.localdate() - timedelta(days=2))
    request.refresh_from_db()
    assert request.is_overdue
    page = client_for(personas.police_lead).get(reverse("evidence_request",
                                                        args=[request.pk])).content.decode()
    assert 'id="overdue"' in page
    submission = h.submit_imr(personas, request)
    assert submission.late and not request.is_overdue


def test_a_lead_sees_their_agencys_open_requests_with_due_dates_on_their_home_page(
        personas: Personas, review: Any) -> None:
    police, health = h.send_imr(personas, review, personas.police, personas.health)
    home = client_for(personas.police_lead).get("/").content.decode()
    assert reverse("evidence_request", args=[police.pk]) in home
    assert reverse("evidence_request", args=[health.pk]) not in home
    assert f"due {police.due_on:%-d %B %Y}" in home
    h.submit_imr(personas, police)
    assert reverse("evidence_request", args=[police.pk]) not in client_for(
        personas.police_lead).get("/").content.decode()
    reviewer_home = client_for(personas.reviewer).get("/").content.decode()
    assert "accept or return the agency report (IMR) from Police" in reviewer_home


# ---------------------------------------------------------------- the review's moves

def test_moving_to_analysis_with_requests_open_needs_a_reason_which_is_recorded(
        personas: Personas, review: Any) -> None:
    request = h.send_imr(personas, review)[0]
    with pytest.raises(TransitionRefused, match="still open: agency report \\(IMR\\) from "
                                                "Police \\(sent\\)"):
        services.review_transition(by=personas.reviewer, review=review, to=Stage.ANALYSIS,
                                   expected_from=Stage.EVIDENCE)
    page = client_for(personas.reviewer).get(
        reverse("review_move", args=[review.pk]) + "?to=analysis").content.decode()
    assert "Evidence is still open" in page and "Agency report (IMR) from Police" in page
    services.review_transition(by=personas.reviewer, review=review, to=Stage.ANALYSIS,
                               expected_from=Stage.EVIDENCE, reason="Police report is late; "
                               "analysis starts with what we have")
    change = review.stage_changes.get(to_stage=Stage.ANALYSIS)
    assert change.reason.startswith("Police report is late")
    assert request.status == "sent"


def test_moving_to_analysis_with_every_request_closed_needs_no_reason(
        personas: Personas, review: Any) -> None:
    request = h.send_imr(personas, review)[0]
    h.submit_imr(personas, request)
    services.evidence_request_accept(by=personas.reviewer, request=request)
    services.review_transition(by=personas.reviewer, review=review, to=Stage.ANALYSIS,
                               expected_from=Stage.EVIDENCE)
    assert review.stage == Stage.ANALYSIS


def test_rapid_review_summaries_received_is_derived_from_the_summary_requests(
        personas: Personas) -> None:
    from reviews.selectors import summaries_received
    from tests.conftest import at_stage
    from tests.reviews.services.helpers import open_review

    review = at_stage(open_review(personas, involved=[personas.police, personas.health]),
                      Stage.RAPID_REVIEW)
    services.rapid_review_record(by=personas.manager, review=review,
                                 rapid_review_meeting_on=timezone.localdate())
    police, health = services.evidence_requests_send(
        by=personas.manager, review=review, agencies=[personas.police, personas.health],
        kind="summary", description="Your summary", due_on=h.due(2))
    services.evidence_request_submit(by=personas.police_lead, request=police,
                                     expected_number=0, note="Two call-outs.")
    assert summaries_received(review).waiting == ("Health",)
    with pytest.raises(TransitionRefused, match="the agency summaries from Health"):
        services.review_transition(by=personas.manager, review=review, to=Stage.DECISION,
                                   expected_from=Stage.RAPID_REVIEW)
    services.evidence_request_submit(by=personas.health_lead, request=health,
                                     expected_number=0, note="Seen by the GP twice.")
    assert summaries_received(review).all_received
    page = client_for(personas.manager).get(reverse("review", args=[review.pk])).content.decode()
    assert "All 2 agency summaries received." in page
    services.review_transition(by=personas.manager, review=review, to=Stage.DECISION,
                               expected_from=Stage.RAPID_REVIEW)


def test_the_rapid_review_agency_summary_is_written_in_its_own_text_box(
        personas: Personas, review: Any) -> None:
    """Issue 19, item 13: the summary had only "Note (optional)" and an upload."""
    p = personas
    request = services.evidence_request_create(by=p.manager, review=review, agency=p.police,
                                               due_on=h.due(), description="Summary",
                                               kind="summary")
    url = reverse("evidence_request_submit", args=[request.pk])
    lead = client_for(p.police_lead)
    page = lead.get(url).content.decode()
    assert "Your agency&#x27;s summary for the rapid review" in page or \
        "Your agency's summary for the rapid review" in page
    assert "Note (optional)" not in page
    refused = lead.post(url, {"expected_number": 0, "note": ""})
    assert refused.status_code == 200 and "Add a note or upload a document" in \
        refused.content.decode()
    done = lead.post(url, {"expected_number": 0, "note": "Police knew the family from 2024."})
    assert done.status_code == 302
    assert request.submissions.get().note == "Police knew the family from 2024."
    # Other kinds keep their optional note.
    other = services.evidence_request_create(by=p.manager, review=review, agency=p.police,
                                             due_on=h.due(), description="Records",
                                             kind="records")
    assert "Note (optional)" in lead.get(
        reverse("evidence_request_submit", args=[other.pk])).content.decode()


def test_several_submitted_answers_are_accepted_in_one_step(
        personas: Personas, review: Any) -> None:
    """Issue 19, item 8: accepting 6 evidence items took 18 clicks."""
    p = personas
    police, health = h.send_imr(p, review, p.police, p.health)
    h.submit_imr(p, police)
    h.submit_imr(p, health)
    waiting = services.evidence_request_create(by=p.manager, review=review, agency=p.police,
                                               due_on=h.due(), description="Records",
                                               kind="records")
    page = client_for(p.reviewer).get(reverse("review_evidence", args=[review.pk]))
    assert "Accept submitted evidence (2 waiting)" in page.content.decode()
    url = reverse("evidence_accept_many", args=[review.pk])
    form = client_for(p.reviewer).get(url).content.decode()
    assert f'value="{police.pk}"' in form and f'value="{waiting.pk}"' not in form
    done = client_for(p.reviewer).post(url, {"requests": [police.pk, health.pk]})
    assert done.status_code == 302
    for request in (police, health):
        request.refresh_from_db()
        assert request.status == "accepted" and request.accepted_on == timezone.localdate()
    # All or none, and the rule is the service's: a request not submitted refuses them all.
    again = services.evidence_request_create(by=p.manager, review=review, agency=p.health,
                                             due_on=h.due(), description="Records",
                                             kind="records")
    with pytest.raises(ValidationError, match="Nothing was changed"):
        services.evidence_requests_accept(by=p.reviewer, review=review, requests=[again])
    with pytest.raises(ValidationError, match="Select the evidence"):
        services.evidence_requests_accept(by=p.reviewer, review=review, requests=[])
    with pytest.raises(ValidationError):
        services.evidence_requests_accept(by=p.police_lead, review=review, requests=[police])
