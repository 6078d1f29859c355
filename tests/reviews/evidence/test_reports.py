"""Agency reports (IMR): the draft is the agency's own, each submission is an immutable
numbered version that stays readable, two versions compare side by side, and who may read
them: the agency's leads, the reviewer and the business manager; the panel once shared;
never another agency's lead, never a board member."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from reviews import services
from reviews.models import EvidenceRequest
from scr.models import AccessEvent
from tests.conftest import Personas, client_for
from tests.reviews.evidence import helpers as h
from tests.shared_db import layered


def _police_request(personas: Personas) -> EvidenceRequest:
    return h.send_imr(personas, h.evidence_review(personas))[0]


# `police_request`: made once for the module's tests (tests/shared_db.py), each test in its
# own transaction
module_layer, police_request = layered(_police_request)


def status(user: Any, url: str) -> int:
    return client_for(user).get(url).status_code


def test_the_draft_is_private_to_the_agency_until_submitted(
        personas: Personas, police_request: EvidenceRequest) -> None:
    services.agency_report_save(by=personas.police_lead, request=police_request,
                                analysis="Draft thinking about the referrals")
    request_page = reverse("evidence_request", args=[police_request.pk])
    for others in (personas.manager, personas.reviewer, personas.panel):
        page = client_for(others).get(request_page).content.decode()
        assert "Draft thinking" not in page
    assert status(personas.manager, reverse("evidence_report_edit",
                                            args=[police_request.pk])) == 403
    edit = client_for(personas.police_lead).get(reverse("evidence_report_edit",
                                                        args=[police_request.pk]))
    assert "Draft thinking about the referrals" in edit.content.decode()
    from reviews.selectors import review_histories

    manager_history = review_histories(personas.manager, police_request.review)
    assert not any("agencyreport" in key for key, (_, qs) in manager_history.items()
                   if qs.exists())


def test_the_draft_form_saves_every_standard_heading(
        personas: Personas, police_request: EvidenceRequest) -> None:
    url = reverse("evidence_report_edit", args=[police_request.pk])
    data = {**h.REPORT, "records_secured_on": h.REPORT["records_secured_on"].strftime("%d/%m/%Y")}
    response = client_for(personas.police_lead).post(url, data)
    assert response.status_code == 302
    draft = police_request.report_draft
    assert draft.method == h.REPORT["method"]
    assert draft.records_secured_on == h.REPORT["records_secured_on"]
    page = client_for(personas.police_lead).get(url).content.decode()
    for label in ("Author and role", "Terms of reference addressed", "Context", "Method",
                  "Good practice", "Lessons", "The agency&#x27;s own recommendations"):
        assert label in page


def test_who_may_read_a_submitted_version(personas: Personas,
                                          police_request: EvidenceRequest) -> None:
    submission = h.submit_imr(personas, police_request)
    url = reverse("evidence_submission", args=[submission.pk])
    for reader in (personas.police_lead, personas.manager, personas.reviewer):
        assert status(reader, url) == 200
    for outsider in (personas.health_lead, personas.board, personas.panel):
        assert status(outsider, url) == 404
    page = client_for(personas.panel).get(reverse("evidence_request",
                                                  args=[police_request.pk])).content.decode()
    assert "shown to panel members once the reviewer shares it" in page
    with pytest.raises(Exception, match="Only the business manager or the review's reviewer"):
        services.evidence_answer_share(by=personas.police_lead, request=police_request)
    services.evidence_answer_share(by=personas.reviewer, request=police_request)
    assert status(personas.panel, url) == 200
    assert status(personas.health_lead, url) == 404  # never another agency
    assert status(personas.board, url) == 404  # never the board
    page = client_for(personas.panel).get(url).content.decode()
    assert h.REPORT["analysis"] in page
    # Two views once shared; the refusal before sharing is logged as refused.
    events = AccessEvent.objects.filter(user=personas.panel, path=url)
    assert events.filter(action=AccessEvent.Action.VIEW).count() == 2
    assert events.filter(action=AccessEvent.Action.REFUSED).count() == 1


def test_every_version_stays_readable_as_submitted(personas: Personas,
                                                   police_request: EvidenceRequest) -> None:
    first = h.submit_imr(personas, police_request)
    services.evidence_request_return(by=personas.reviewer, request=police_request,
                                     missing="Supervision")
    second = h.submit_imr(personas, police_request, number=1,
                          context="Two officers short; supervised monthly by DI Two.")
    assert (first.number, second.number) == (1, 2)
    one = client_for(personas.reviewer).get(reverse("evidence_submission", args=[first.pk]))
    two = client_for(personas.reviewer).get(reverse("evidence_submission", args=[second.pk]))
    assert "supervised monthly" not in one.content.decode()
    assert "supervised monthly by DI Two" in two.content.decode()


def test_two_versions_compare_side_by_side_with_the_changes_marked(
        personas: Personas, police_request: EvidenceRequest) -> None:
    h.submit_imr(personas, police_request, analysis="Referrals were made but never followed up.")
    services.evidence_request_return(by=personas.reviewer, request=police_request,
                                     missing="More analysis")
    h.submit_imr(personas, police_request, number=1,
                 analysis="Referrals were made but rarely followed up by the duty team.")
    url = reverse("evidence_request_compare", args=[police_request.pk]) + "?old=1&new=2"
    response = client_for(personas.reviewer).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert ('<del class="app-diff-del"><span class="govuk-visually-hidden">[deleted: </span>'
            'never') in page
    assert '<ins class="app-diff-ins"><span class="govuk-visually-hidden">[inserted: </span>' \
           'rarely' in page
    assert "duty team." in page
    rows = {row.heading: row.changed for row in response.context["rows"]}
    assert rows["Analysis of the agency's involvement"] is True
    assert rows["Lessons"] is False
    assert status(personas.health_lead, url) == 404
    assert status(personas.panel, url) == 404  # not shared with the panel
    assert status(personas.reviewer, url.replace("old=1", "old=7")) == 404


def test_agency_text_is_escaped_in_the_comparison(personas: Personas,
                                                  police_request: EvidenceRequest) -> None:
    h.submit_imr(personas, police_request, lessons="Lessons.")
    services.evidence_request_return(by=personas.reviewer, request=police_request, missing="x")
    h.submit_imr(personas, police_request, number=1, lessons="<script>alert(1)</script>")
    page = client_for(personas.reviewer).get(reverse(
        "evidence_request_compare", args=[police_request.pk])).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_request_page_shows_what_is_asked_its_history_and_the_answer(
        personas: Personas, police_request: EvidenceRequest) -> None:
    services.evidence_request_acknowledge(by=personas.police_lead, request=police_request)
    h.submit_imr(personas, police_request)
    page = client_for(personas.reviewer).get(reverse("evidence_request",
                                                     args=[police_request.pk])).content.decode()
    assert "Your agency report for the scope period." in page
    assert "<strong>Acknowledged</strong> by" in page and "<strong>Submitted</strong> by" in page
    assert "Version 1" in page
    assert reverse("evidence_request_accept", args=[police_request.pk]) in page
    lead_page = client_for(personas.police_lead).get(
        reverse("evidence_request", args=[police_request.pk])).content.decode()
    assert reverse("evidence_request_accept", args=[police_request.pk]) not in lead_page


def test_the_evidence_section_shows_a_grid_of_agencies_and_kinds(personas: Personas) -> None:
    review = h.evidence_review(personas)
    police, _health = h.send_imr(personas, review, personas.police, personas.health)
    h.submit_imr(personas, police)
    grid = client_for(personas.manager).get(reverse("review_evidence", args=[review.pk]))
    rows = {row.agency: row for row in grid.context["grid"]}
    assert set(rows) == {"Police", "Health", "Social care"}
    kinds = [k for k, _ in grid.context["kinds"]]
    assert rows["Police"].cells[kinds.index("imr")].status == "submitted"
    assert rows["Health"].cells[kinds.index("imr")].status == "sent"
    assert rows["Social care"].cells == [None] * len(kinds)
    lead = client_for(personas.police_lead).get(reverse("review_evidence", args=[review.pk]))
    assert [row.agency for row in lead.context["grid"]] == ["Police"]


def test_a_long_report_compares_paragraph_by_paragraph_marking_only_the_changed_one(
        personas: Personas, police_request: EvidenceRequest) -> None:
    """The comparison is the report's two-level diff (reviews.formats.diffing): unchanged
    paragraphs are matched whole, so only the edited paragraph's words are marked (and a
    long report is not compared word by word in one piece)."""
    from reviews.selectors.evidence import compare_submissions

    paragraphs = [f"Paragraph {i}: the health visitor saw the family and the child at home."
                  for i in range(60)]
    edited = [*paragraphs[:30], paragraphs[30].replace("at home", "at the clinic"),
              *paragraphs[31:]]
    first = h.submit_imr(personas, police_request, analysis="\n\n".join(paragraphs))
    services.evidence_request_return(by=personas.reviewer, request=police_request,
                                     missing="More analysis")
    second = h.submit_imr(personas, police_request, number=1, analysis="\n\n".join(edited))
    row = next(r for r in compare_submissions(first, second) if r.changed)
    assert row.old.count("app-diff-del") == 1 and "home" in row.old.split("app-diff-del")[1]
    assert row.new.count("app-diff-ins") == 1 and "clinic" in row.new.split("app-diff-ins")[1]
