"""The chronology pages through the web: import by upload, the merged page and its
timeline, exports (defused, pseudonymised, logged), the template downloads."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from django.db.models import F
from django.urls import reverse
from openpyxl import load_workbook

from reviews import services
from reviews.models import ChronologyEntry, ReviewUserObjectPermission
from scr.models import AccessEvent
from tests.chronology_helpers import Case, csv_upload, entry, make_case, submit
from tests.personas import client_for
from tests.shared_db import layered

# `case`: made once for the module's tests (tests/shared_db.py), each test in its own transaction
module_layer, case = layered(make_case)


def test_an_import_with_bad_rows_shows_every_line_in_the_error_summary_and_saves_nothing(
        case: Case) -> None:
    p = case.people
    url = reverse("chronology_import", args=[case.review.pk, p.police.pk])
    good = (case.scope_end - timedelta(days=3)).strftime("%d/%m/%Y")
    upload = csv_upload([[good, "", "Log", "Visit", "PC", "yes", ""],
                         ["12/31/2025", "", "Log", "Visit", "PC", "yes", ""],
                         [good, "", "Log", "Visit", "PC", "", ""]])
    response = client_for(p.police_lead).post(url, {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Line 3: “12/31/2025” is not a real date" in html
    assert "Line 4: Enter yes or no for “Child seen”" in html
    assert ChronologyEntry.objects.count() == 0


def test_a_good_import_redirects_to_the_agency_chronology_with_drafts(case: Case) -> None:
    p = case.people
    url = reverse("chronology_import", args=[case.review.pk, p.police.pk])
    good = (case.scope_end - timedelta(days=3)).strftime("%d/%m/%Y")
    client = client_for(p.police_lead)
    response = client.post(url, {"file": csv_upload([[good, "", "Log", "Visit", "PC", "yes",
                                                      ""]])}, follow=True)
    assert "Imported 1 entries as drafts." in response.content.decode()
    assert "Submit 1 draft entry" in response.content.decode()


def test_the_merged_page_shows_the_timeline_with_its_text_alternative(case: Case) -> None:
    p = case.people
    entry(case, agency=p.health, on=case.scope_start, seen=True)
    entry(case, agency=p.police, on=case.scope_start + timedelta(days=60), seen=True)
    submit(case, p.police)
    submit(case, p.health)
    response = client_for(p.reviewer).get(reverse("review_chronology", args=[case.review.pk]))
    html = response.content.decode()
    assert '<svg class="app-timeline__svg"' in html and 'role="img"' in html
    assert "style=" not in html
    assert 'class="app-timeline__gap"' in html
    periods = html.split('id="not-seen-periods"')[1].split("</ul>")[0]
    first = case.scope_start + timedelta(days=1)
    assert f"{first:%-d %B %Y} to" in periods and "(59 days)" in periods
    assert "2 entries." in html


def test_a_panel_member_without_identities_exports_pseudonyms_and_cells_are_defused(
        case: Case) -> None:
    p = case.people
    entry(case, on=case.scope_end - timedelta(days=2), text="=HYPERLINK(\"x\") Kayden Smith seen")
    submit(case)
    ReviewUserObjectPermission.objects.filter(
        user=p.panel, permission__codename="view_identifiable").delete()
    client = client_for(p.panel)
    url = reverse("chronology_export", args=[case.review.pk, "csv"])
    response = client.get(url)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Date", "Time", "Agency"]
    assert rows[1][4] == "'=HYPERLINK(\"x\") Child A seen"
    assert AccessEvent.objects.filter(user=p.panel, path=url,
                                      action=AccessEvent.Action.EXPORT).count() == 1
    xlsx = client.get(reverse("chronology_export", args=[case.review.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert sheet.cell(row=2, column=5).value == "'=HYPERLINK(\"x\") Child A seen"
    assert sheet.cell(row=2, column=5).data_type == "s"  # text, not a formula
    page = client.get(reverse("review_chronology", args=[case.review.pk])).content.decode()
    assert "Kayden" not in page and "Child A seen" in page


def test_the_templates_download_in_both_formats_with_the_import_headings(case: Case) -> None:
    client = client_for(case.people.police_lead)
    text = client.get(reverse("chronology_template", args=["csv"])).content.decode()
    assert text.strip() == "Date,Time,Source,What happened,Practitioner role,Child seen,Significance"
    book = load_workbook(io.BytesIO(client.get(reverse("chronology_template",
                                                       args=["xlsx"])).content))
    assert [c.value for c in book["Chronology"][1]] == text.strip().split(",")
    assert "Guidance" in book.sheetnames


def test_another_agencys_lead_and_the_board_get_404_for_the_police_chronology_and_entry(
        case: Case) -> None:
    p = case.people
    draft = entry(case, on=case.scope_end - timedelta(days=2))
    health = client_for(p.health_lead)  # health is involved in this review too
    assert health.get(reverse("agency_chronology", args=[case.review.pk, p.police.pk])
                      ).status_code == 404
    assert health.get(reverse("chronology_entry_edit", args=[draft.pk])).status_code == 404
    board = client_for(p.board)
    assert board.get(reverse("review_chronology", args=[case.review.pk])).status_code == 404
    assert board.get(reverse("chronology_entry_edit", args=[draft.pk])).status_code == 404
    # The health lead reads its own agency's chronology, and not the merged one.
    assert health.get(reverse("agency_chronology", args=[case.review.pk, p.health.pk])
                      ).status_code == 200
    assert health.get(reverse("review_chronology", args=[case.review.pk])).status_code == 403


def test_each_person_is_offered_the_chronology_that_is_theirs(case: Case) -> None:
    p = case.people
    review_url = reverse("review", args=[case.review.pk])
    merged = reverse("review_chronology", args=[case.review.pk])
    police_own = reverse("agency_chronology", args=[case.review.pk, p.police.pk])
    manager_page = client_for(p.manager).get(review_url).content.decode()
    assert f'href="{merged}"' in manager_page and "/family/" in manager_page
    police_page = client_for(p.police_lead).get(review_url).content.decode()
    assert f'href="{police_own}"' in police_page
    assert f'href="{merged}"' not in police_page and "/meetings/" not in police_page


def test_a_long_chronology_is_binned_so_the_timeline_stays_one_drawing(case: Case) -> None:
    from reviews.selectors import chronology_timeline, text_shown_to

    p = case.people
    for n in range(0, 730, 73):
        entry(case, on=case.scope_start + timedelta(days=n), seen=n % 146 == 0)
    submit(case)
    timeline = chronology_timeline(p.manager, case.review, text_shown_to(p.manager, case.review))
    assert timeline.bin_days == 5  # 731 days over at most 160 bins
    assert len(timeline.lanes) == 1 and len(timeline.lanes[0].marks) == 10
    assert all(m.x < timeline.width for m in timeline.lanes[0].marks)


def test_the_merged_chronology_is_paged_by_cursor_in_its_order_and_back_again(
        case: Case, django_assert_max_num_queries: Any) -> None:
    """Every page starts where the one before ended (a keyset, no OFFSET): the pages together
    are the whole chronology in its order, once each — date, date-only entries first on
    their day, then the time, the agency, the id — and "Previous" leads back."""
    p = case.people
    day = case.scope_end - timedelta(days=3)
    rows = [[(day - timedelta(days=i // 9)).strftime("%d/%m/%Y"),
             "" if i % 3 == 0 else f"{8 + i % 5:02d}:{(i * 7) % 60:02d}", f"Log {i}",
             f"Event {i}", "PC", "no", "routine"] for i in range(60)]
    services.chronology_import(by=p.police_lead, review=case.review, agency=p.police,
                               upload=csv_upload(rows))
    services.chronology_import(by=p.health_lead, review=case.review, agency=p.health,
                               upload=csv_upload(rows[:45]))
    submit(case, p.police)
    submit(case, p.health)
    client = client_for(p.reviewer)
    url = reverse("review_chronology", args=[case.review.pk])
    expected = [e.pk for e in ChronologyEntry.objects.filter(
        review=case.review, status="submitted").select_related("agency").order_by(
        "occurred_on", F("occurred_at").asc(nulls_first=True), "agency__name", "pk")]
    seen: list[int] = []
    pages = []
    response = client.get(url)
    while True:
        page = response.context["page"]
        pages.append(response)
        seen += [row.entry.pk for row in response.context["rows"]]
        if page.next_cursor is None:
            break
        with django_assert_max_num_queries(40):
            response = client.get(url, {"after": page.next_cursor})
    assert seen == expected and len(pages) == 3  # 105 entries, 50 a page
    assert "105 entries" in pages[-1].content.decode()
    back = client.get(url, {"before": pages[-1].context["page"].previous_cursor})
    assert [row.entry.pk for row in back.context["rows"]] == expected[50:100]
    first = client.get(url, {"before": back.context["page"].previous_cursor})
    assert [row.entry.pk for row in first.context["rows"]] == expected[:50]
    assert first.context["page"].previous_cursor is None
    # Filters are kept in the links, and a filtered chronology is paged the same way.
    police = client.get(url, {"agency": p.police.pk})
    assert f"agency={p.police.pk}&amp;after=" in police.content.decode()


def _chronology_request(case: Case) -> object:
    from reviews import services
    from reviews.models import EvidenceKind

    return services.evidence_request_create(
        by=case.people.manager, review=case.review, agency=case.people.police,
        due_on=case.scope_end + timedelta(days=30), description="Your chronology",
        kind=EvidenceKind.CHRONOLOGY)


def test_submitting_the_chronology_submits_its_request_in_one_step(case: Case) -> None:
    """Issue 19, item 6: the request no longer stays at "Sent" after the chronology is in."""
    from reviews.models import ChronologySubmission, EvidenceStatus

    p = case.people
    request = _chronology_request(case)
    entry(case, text="Strategy discussion")
    entry(case, on=case.scope_end - timedelta(days=2), text="Home visit")
    url = reverse("chronology_submit", args=[case.review.pk, p.police.pk])
    lead = client_for(p.police_lead)
    assert "The chronology request is submitted with them." in lead.get(url).content.decode()
    assert lead.post(url, {"submit": "1"}).status_code == 302
    request.refresh_from_db()  # type: ignore[attr-defined]
    assert request.status == EvidenceStatus.SUBMITTED  # type: ignore[attr-defined]
    answer = request.submissions.get()  # type: ignore[attr-defined]
    assert answer.submitted_by == p.police_lead and "2 entries submitted" in answer.note
    submitted = ChronologySubmission.objects.get()
    assert submitted.evidence_request == request and submitted.entries_count == 2
    assert set(ChronologyEntry.objects.values_list("evidence_request", flat=True)) == {
        request.pk}  # type: ignore[attr-defined]


def test_a_returned_chronology_request_is_resubmitted_with_the_corrected_chronology(
        case: Case) -> None:
    from reviews import services
    from reviews.models import EvidenceStatus

    p = case.people
    request = _chronology_request(case)
    entry(case)
    services.agency_chronology_submit(by=p.police_lead, review=case.review, agency=p.police)
    services.evidence_request_return(by=p.manager, request=request,  # type: ignore[arg-type]
                                     missing="The March visits")
    entry(case, on=case.scope_end - timedelta(days=40), text="March visit")
    services.agency_chronology_submit(by=p.police_lead, review=case.review, agency=p.police)
    request.refresh_from_db()  # type: ignore[attr-defined]
    assert request.status == EvidenceStatus.RESUBMITTED  # type: ignore[attr-defined]
    assert request.submissions.count() == 2  # type: ignore[attr-defined]


def test_a_chronology_with_no_request_is_still_submitted(case: Case) -> None:
    from reviews import services

    entry(case)
    submission, request = services.agency_chronology_submit(
        by=case.people.police_lead, review=case.review, agency=case.people.police)
    assert request is None and submission.entries_count == 1


def test_the_request_page_links_to_the_chronology_it_asks_for(case: Case) -> None:
    p = case.people
    request = _chronology_request(case)
    url = reverse("evidence_request", args=[request.pk])  # type: ignore[attr-defined]
    lead_page = client_for(p.police_lead).get(url).content.decode()
    assert reverse("agency_chronology", args=[case.review.pk, p.police.pk]) in lead_page
    assert "Submitting the chronology there submits this request too." in lead_page
    team_page = client_for(p.reviewer).get(url).content.decode()
    assert f'href="{reverse("review_chronology", args=[case.review.pk])}">the chronology' in team_page
