"""Every page that shows a review's case data: right status for every role, one access event
per view, and never cached (``Cache-Control: no-store, private``).

Who gets which status comes from the permission matrix (tests/viewcases.py ``matrix_pages``);
this file adds what the matrix does not check. Pages that show nothing about a case (home,
sign-in) stay cacheable: the rule follows the access log, not every page.
"""

from __future__ import annotations

import io

import pytest
from django.http import FileResponse, HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from scr.accesslog import record_access, shows_case_data
from scr.middleware import NoStoreCaseDataMiddleware
from scr.models import AccessEvent
from tests import test_permission_matrix as matrix
from tests.actionplans.matrix import PEOPLE_PAGES as ACTION_PLAN_PEOPLE_PAGES
from tests.actionplans.matrix import RECORD_PAGES as ACTION_PLAN_PAGES
from tests.conftest import Personas, client_for
from tests.test_permission_matrix import World
from tests.viewcases import RecordPage, check_record_page, matrix_pages

world = matrix.world  # the matrix's world of reviews, so both tests see the same cases
# built once for the module (tests/shared_db.py); each test still in its own transaction
shared_world, case_world = matrix.shared_world, matrix.case_world

SECTIONS = ("review", "review_people", "review_clocks", "review_panel", "review_evidence",
            "review_history")
# review_form_view pages (manager-only forms about a review) and the register's change form.
LOGGED_FORMS = (*matrix.REVIEW_PAGES, "subject_edit", "subject_withdraw", "panel_appointment_end",
                "parallel_process_clear", "clock_resume", "review_move",
                "subject_detail", "subject_identifier_add", "subject_identifier_withdraw",
                "subject_add", "subject_identifiers_add", "register_import",
                "name_variant_add", "name_variant_remove", "name_variant_choice_withdraw",
                # evidence: the request's page, its forms, its versions and documents
                "evidence_request", "evidence_request_add", "evidence_accept_many",
                "evidence_request_edit",
                "evidence_request_return", "evidence_request_accept", "evidence_request_withdraw",
                "evidence_request_share", "evidence_request_acknowledge", "evidence_report_edit",
                "evidence_document_upload", "evidence_request_submit", "evidence_request_compare",
                "evidence_submission", "evidence_document_download", "evidence_document_withdraw",
                "evidence_document_restore", *ACTION_PLAN_PAGES)
# The chronology, meetings and family log: pages, forms, exports and the minutes download.
CHRONOLOGY_PAGES = (
    "review_chronology", "chronology_export", "agency_chronology", "chronology_entry_add",
    "chronology_import", "chronology_submit", "chronology_entry_edit", "chronology_entry_withdraw",
    "chronology_entry_correct", "chronology_entry_mark", "episode_add", "episode_withdraw",
    "review_meetings", "meeting_add", "meeting", "learning_feedback_add",
    "meeting_minutes_download", "meeting_edit", "meeting_attendee_add", "meeting_action_add",
    "meeting_minutes_upload", "meeting_action_done", "review_family", "family_involvement_add",
    "family_involvement_edit", "family_contact_add", "family_comment_add")
# The analysis and the draft report (issue 11): pages and forms, each logged once per view.
REPORT_PAGES = ("review_analysis", "review_report", "finding_add", "finding_earlier",
                "recommendation_add", "report_start", "section_add", "snapshot_create", "finding",
                "finding_edit", "finding_withdraw", "finding_evidence_add",
                "finding_evidence_withdraw", "recommendation_edit", "recommendation_withdraw",
                "section_edit", "section_move", "section_versions", "section_compare",
                "snapshot_share", "sign_off_submit", "snapshot", "comment_add", "comment_resolve",
                "approval_give", "review_report_versions", "review_sign_off", "snapshot_compare",
                "board_response_record", "factual_check_send", "factual_check_answer")
# The report's PDFs and publication (issue 12): pages, forms and the PDF download.
PUBLICATION_PAGES = ("review_publication", "report_renders_status", "publication_publish",
                     "publication_panel_notice", "unregistered_name_dismiss",
                     "report_render_download", "leak_hit_waive", "anonymisation_check",
                     "form_decision_withdraw", "public_name_add",
                     "public_name_withdraw", "leak_hit_reopen", "dismissed_name_reopen")
# Learning briefings and the national Panel (issue 21): pages, forms and PDF downloads.
BRIEFING_PANEL_PAGES = ("briefing_draft", "briefing", "briefing_edit", "briefing_publish",
                        "briefing_render_download", "review_national_panel", "panel_reply_add",
                        "rapid_review_report_download", "national_review_update")
# Pages that show case data but write no access event (none today): each is listed as a
# strict expected failure, so that logging it turns the list red until it moves up.
NOT_YET_LOGGED: tuple[str, ...] = ()

# The history of a record of a review (a subject, the review itself): the matrix's cases 1 and 2.
RECORD_HISTORY = matrix_pages("record_history")[1:3]

PAGES: list[RecordPage] = [*(page for name in (*SECTIONS, *LOGGED_FORMS, *CHRONOLOGY_PAGES,
                                                  *REPORT_PAGES, *PUBLICATION_PAGES,
                                                  *BRIEFING_PANEL_PAGES)
                             for page in matrix_pages(name)), *RECORD_HISTORY]
GAPS = [pytest.param(page, id=str(page), marks=pytest.mark.xfail(
    strict=True, reason="shows case data but writes no access event, so no no-store either"))
    for name in NOT_YET_LOGGED for page in matrix_pages(name)]


@pytest.mark.parametrize("page", [*(pytest.param(p, id=str(p)) for p in PAGES), *GAPS])
def test_record_page_is_scoped_logged_and_never_cached(world: World, page: RecordPage) -> None:
    check_record_page(page, world)


def test_every_url_of_a_review_record_is_checked_here_or_listed_as_a_gap() -> None:
    """A new page about a review must be added to PAGES (or, knowingly, to the gaps)."""
    about_a_review = {name for name, cases in matrix.RULES.items()
                      if any(c.expected.get("health_lead") == 404 or
                             c.expected.get("reviewer") == 404 for c in cases)}
    people_pages = {"person", "person_edit", "person_deactivate", "person_reactivate",
                    "membership_add", "membership_end", "person_two_factor_reset",
                    *ACTION_PLAN_PEOPLE_PAGES}
    checked = {*SECTIONS, *LOGGED_FORMS, *CHRONOLOGY_PAGES, *REPORT_PAGES, *PUBLICATION_PAGES,
               *BRIEFING_PANEL_PAGES, *NOT_YET_LOGGED, "record_history"}
    # About a review, but counts only (the board's sign-off of a plan's closure): no case data.
    counts_only = {"action_plan_sign_off"}
    # A form posted from another page (no page of its own: a GET goes back to that page).
    posted_only = {"form_decide", "briefing_decide"}
    # Not a page of any review: Prometheus metrics, a 404 to every signed-in role.
    not_pages = {"metrics"}
    assert sorted(about_a_review - people_pages - checked - counts_only - posted_only
                  - not_pages) == []


def test_csv_export_of_the_dashboard_is_streamed_logged_and_never_cached(
        personas: Personas) -> None:
    url = reverse("review_export")
    response = client_for(personas.manager).get(url)
    assert response.status_code == 200
    assert response.streaming
    b"".join(response.streaming_content)  # the body is produced only when read
    cache_control = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control
    assert AccessEvent.objects.filter(user=personas.manager, path=url,
                                      action=AccessEvent.Action.EXPORT).count() == 1


def test_home_page_shows_no_case_data_and_stays_cacheable(personas: Personas) -> None:
    response = client_for(personas.manager).get(reverse("home"))
    assert response.status_code == 200
    assert not shows_case_data(response.wsgi_request)
    assert "no-store" not in response.get("Cache-Control", "")
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.VIEW).exists()


def test_sign_in_page_is_not_marked_as_case_data(db: None) -> None:
    """Django's LoginView sends its own never_cache headers (the form carries a CSRF token);
    what matters here is that our rule does not claim the page shows case data."""
    response = client_for(None).get(reverse("login"))
    assert response.status_code == 200
    assert not shows_case_data(response.wsgi_request)
    assert not AccessEvent.objects.exists()


def test_a_refused_case_page_writes_no_access_event_and_is_not_marked(world: World) -> None:
    """Marking comes from record_access, which runs only once scope allows the view."""
    police_lead = world.people.police_lead
    response = client_for(police_lead).get(reverse("review", args=[world.review_out.pk]))
    assert response.status_code == 404
    assert "no-store" not in response.get("Cache-Control", "")
    assert not shows_case_data(response.wsgi_request)
    assert not AccessEvent.objects.filter(user=police_lead,
                                          action=AccessEvent.Action.VIEW).exists()


def test_a_download_that_sets_its_own_no_store_ends_up_no_store_private_once(
        personas: Personas) -> None:
    """scr.documents.document_response writes ``no-store`` itself; the middleware adds
    ``private`` to it rather than a second, conflicting header."""
    request = RequestFactory().get("/download")
    request.user = personas.manager

    def download(request: HttpRequest) -> HttpResponse:
        record_access(request, AccessEvent.Action.DOWNLOAD, label="a file")
        response = FileResponse(io.BytesIO(b"%PDF-1.7"), as_attachment=True, filename="a.pdf")
        response["Cache-Control"] = "no-store"
        return response

    response = NoStoreCaseDataMiddleware(download)(request)
    assert response.streaming
    assert sorted(d.strip() for d in response["Cache-Control"].split(",")) == [
        "no-store", "private"]


def test_a_form_shown_again_with_its_errors_is_never_cached_either(world: World) -> None:
    """The edit form for a person in the case re-shows the real name just typed."""
    subject = world.review_in.subjects.get()
    response = client_for(world.people.manager).post(
        reverse("subject_edit", args=[subject.pk]), {"pseudonym": "", "reason": ""})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
