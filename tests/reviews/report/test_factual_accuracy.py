"""Factual-accuracy checks: a named version of the report sent to involved agencies, each
with the sections about it, answered "accurate" or with corrections by a due date, through
the evidence request mechanism (its states, e-mails, due dates and scope)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import EvidenceKind, EvidenceRequest, EvidenceStatus, ReportSnapshot
from tests.conftest import Personas, client_for
from tests.reporting import ReportWorld, report_world
from tests.shared_db import layered

POLICE_TEXT = "On 3 March officers attended the home and spoke to Kayden Smith's mother."
HEALTH_TEXT = "The health visitor saw the baby at 6 weeks; **no bruising** was recorded."


def _snapshot(w: ReportWorld) -> ReportSnapshot:
    services.report_start(by=w.p.reviewer, review=w.review)
    bodies = {"agency_involvement": POLICE_TEXT, "day_in_life": HEALTH_TEXT,
              "introduction": "Introduction, for the panel only."}
    for section in w.review.report_sections.filter(kind__in=bodies):
        services.section_save(by=w.p.reviewer, section=section, body=bodies[section.kind],
                              base_version=0)
    return services.snapshot_create(by=w.p.reviewer, review=w.review, name="v2 for agencies")


def _parts(snapshot: ReportSnapshot, *kinds: str) -> list[Any]:
    return list(snapshot.parts.filter(section__kind__in=kinds).order_by("position"))


def _send(w: ReportWorld, snapshot: ReportSnapshot) -> dict[str, EvidenceRequest]:
    due = timezone.localdate() + timedelta(days=14)
    sent = services.factual_check_send(
        by=w.p.reviewer, snapshot=snapshot, due_on=due,
        agency_sections={w.p.police: _parts(snapshot, "agency_involvement"),
                         w.p.health: _parts(snapshot, "agency_involvement", "day_in_life")})
    return {str(r.agency): r for r in sent}


def _checked(personas: Personas) -> tuple[ReportWorld, ReportSnapshot, dict[str, EvidenceRequest]]:
    w = report_world(personas)
    snapshot = _snapshot(w)
    return w, snapshot, _send(w, snapshot)


# `checked`: made once for the module's tests (tests/shared_db.py), each test in its own
# transaction
module_layer, checked = layered(_checked)


def test_each_agency_gets_its_own_request_with_its_sections(checked: Any) -> None:
    w, snapshot, sent = checked
    police, health = sent[str(w.p.police)], sent[str(w.p.health)]
    for request in (police, health):
        assert request.kind == EvidenceKind.FACTUAL_ACCURACY
        assert request.snapshot == snapshot
        assert request.status == EvidenceStatus.SENT
        assert request.due_on == timezone.localdate() + timedelta(days=14)
    assert [p.section.kind for p in police.checked_parts.all()] == ["agency_involvement"]
    assert sorted(p.section.kind for p in health.checked_parts.all()) == [
        "agency_involvement", "day_in_life"]
    # The request-creation path: the agency's leads find it on their home page.
    page = client_for(w.p.police_lead).get(reverse("home")).content.decode()
    assert reverse("evidence_request", args=[police.pk]) in page
    assert reverse("evidence_request", args=[health.pk]) not in page


def test_the_police_lead_reads_only_the_police_check_and_its_sections(checked: Any) -> None:
    w, _, sent = checked
    police, health = sent[str(w.p.police)], sent[str(w.p.health)]
    lead = client_for(w.p.police_lead)
    page = lead.get(reverse("evidence_request", args=[police.pk])).content.decode()
    assert "officers attended the home" in page
    assert "no bruising" not in page and "Introduction, for the panel only" not in page
    assert f'action="{reverse("factual_check_answer", args=[police.pk])}"' in page
    assert lead.get(reverse("evidence_request", args=[health.pk])).status_code == 404
    assert lead.get(reverse("factual_check_answer", args=[health.pk])).status_code == 404
    # The health lead reads its two sections, rendered as the report renders them.
    page = client_for(w.p.health_lead).get(
        reverse("evidence_request", args=[health.pk])).content.decode()
    assert "<strong>no bruising</strong>" in page and "officers attended the home" in page


def test_answering_accurate_and_with_corrections(checked: Any) -> None:
    w, _, sent = checked
    police, health = sent[str(w.p.police)], sent[str(w.p.health)]
    url = reverse("factual_check_answer", args=[police.pk])
    lead = client_for(w.p.police_lead)
    refused = lead.post(url, {"expected_number": 0, "answer": "corrections", "corrections": ""})
    assert refused.status_code == 200 and "Enter the corrections needed" in refused.content.decode()
    with pytest.raises(ValidationError):
        services.factual_check_answer(by=w.p.police_lead, request=police, expected_number=0,
                                      answer="corrections", corrections="  ")
    with pytest.raises(ValidationError):  # the generic submit cannot skip the answer
        services.evidence_request_submit(by=w.p.police_lead, request=police, expected_number=0,
                                         note="Fine")
    done = lead.post(url, {"expected_number": 0, "answer": "corrections",
                           "corrections": "Officers attended on 4 March, not 3 March."})
    assert done.status_code == 302
    police.refresh_from_db()
    assert police.status == EvidenceStatus.SUBMITTED
    answer = police.submissions.get()
    assert answer.needs_corrections and answer.note.startswith("Officers attended on 4 March")
    # Submitted versions are immutable, as for any other answer.
    with pytest.raises(PermissionError):
        answer.save()
    health_answer = services.factual_check_answer(by=w.p.health_lead, request=health,
                                                  expected_number=0, answer="accurate",
                                                  corrections="ignored")
    assert health_answer.factual_answer == "Accurate" and health_answer.note == ""
    # The reviewer returns the police answer for more, then accepts the second version.
    services.evidence_request_return(by=w.p.reviewer, request=police,
                                     missing="Which paragraph is wrong?")
    services.factual_check_answer(by=w.p.police_lead, request=police, expected_number=1,
                                  answer="corrections",
                                  corrections="Paragraph 1: 4 March, not 3 March.")
    services.evidence_request_accept(by=w.p.reviewer, request=police)
    police.refresh_from_db()
    assert police.status == EvidenceStatus.ACCEPTED
    assert police.submissions.count() == 2


def test_the_drafting_team_sees_each_agencys_status_and_answer(checked: Any) -> None:
    w, snapshot, sent = checked
    services.factual_check_answer(by=w.p.police_lead, request=sent[str(w.p.police)],
                                  expected_number=0, answer="corrections",
                                  corrections="Officers attended on 4 March.")
    for person in (w.p.reviewer, w.p.manager):
        page = client_for(person).get(reverse("snapshot", args=[snapshot.pk])).content.decode()
        assert "Factual-accuracy checks" in page
        assert "Corrections needed" in page and "Officers attended on 4 March." in page
        assert "Not answered yet" in page  # health
    # A panel member reads a shared version, never the agencies' unshared answers.
    services.snapshot_share(by=w.p.reviewer, snapshot=snapshot)
    page = client_for(w.p.panel).get(reverse("snapshot", args=[snapshot.pk])).content.decode()
    assert "Officers attended on 4 March." not in page


def test_a_second_open_check_of_the_same_version_is_refused(checked: Any) -> None:
    w, snapshot, sent = checked
    due = timezone.localdate() + timedelta(days=7)
    with pytest.raises(ValidationError, match="still open"):
        services.factual_check_send(by=w.p.manager, snapshot=snapshot, due_on=due,
                                    agency_sections={w.p.police: _parts(snapshot, "introduction")})
    # Another version may go to the same agency; a withdrawn check may be sent again.
    later = services.snapshot_create(by=w.p.reviewer, review=w.review, name="v3 for agencies")
    services.factual_check_send(by=w.p.manager, snapshot=later, due_on=due,
                                agency_sections={w.p.police: _parts(later, "introduction")})
    services.evidence_request_withdraw(by=w.p.manager, request=sent[str(w.p.police)],
                                       reason="Sent the wrong sections")
    services.factual_check_send(by=w.p.manager, snapshot=snapshot, due_on=due,
                                agency_sections={w.p.police: _parts(snapshot, "introduction")})


def test_bad_sends_are_refused(personas: Personas) -> None:
    w = report_world(personas)
    snapshot = _snapshot(w)
    due = timezone.localdate() + timedelta(days=7)
    other = report_world(personas)
    other_snapshot = _snapshot(other)
    cases: list[tuple[Any, dict[Any, Any]]] = [
        (w.p.reviewer, {w.p.police: []}),  # no section
        (w.p.reviewer, {w.p.police: _parts(other_snapshot, "introduction")}),  # another version
        (w.p.reviewer, {w.p.education: _parts(snapshot, "introduction")}),  # not involved
        (w.p.police_lead, {w.p.police: _parts(snapshot, "introduction")}),  # not running it
        (w.p.panel, {w.p.police: _parts(snapshot, "introduction")}),
    ]
    for by, agency_sections in cases:
        with pytest.raises(ValidationError):
            services.factual_check_send(by=by, snapshot=snapshot, due_on=due,
                                        agency_sections=agency_sections)
    with pytest.raises(ValidationError):
        services.factual_check_send(by=w.p.reviewer, snapshot=snapshot,
                                    due_on=timezone.localdate() - timedelta(days=1),
                                    agency_sections={w.p.police: _parts(snapshot, "introduction")})
    assert not EvidenceRequest.objects.filter(kind=EvidenceKind.FACTUAL_ACCURACY).exists()
    # A check is never sent from the evidence page without a version.
    with pytest.raises(ValidationError):
        services.evidence_request_create(by=w.p.manager, review=w.review, agency=w.p.health,
                                         due_on=due, description="Check",
                                         kind=EvidenceKind.FACTUAL_ACCURACY)


def test_sending_through_the_page(personas: Personas) -> None:
    w = report_world(personas)
    snapshot = _snapshot(w)
    url = reverse("factual_check_send", args=[snapshot.pk])
    client = client_for(w.p.reviewer)
    form = client.get(url).content.decode()
    assert "Sections for" in form and str(w.p.police) in form
    intro, involvement = _parts(snapshot, "introduction", "agency_involvement")
    due = timezone.localdate() + timedelta(days=10)
    date = {"due_on": due.strftime("%d/%m/%Y")}
    empty = client.post(url, date)
    assert empty.status_code == 200
    assert "Select the sections to send to at least one agency" in empty.content.decode()
    done = client.post(url, {**date, f"agency_{w.p.police.pk}": [involvement.pk],
                             f"agency_{w.p.health.pk}": [intro.pk, involvement.pk]})
    assert done.status_code == 302, done.content.decode()
    checks = {str(r.agency): r for r in snapshot.factual_checks.all()}
    assert set(checks) == {str(w.p.police), str(w.p.health)}
    assert list(checks[str(w.p.police)].checked_parts.all()) == [involvement]


def test_board_members_and_other_outsiders_never_see_a_check(checked: Any) -> None:
    w, snapshot, sent = checked
    board = client_for(w.p.board)
    for request in sent.values():
        for name in ("evidence_request", "factual_check_answer"):
            assert board.get(reverse(name, args=[request.pk])).status_code == 404
    assert board.get(reverse("factual_check_send", args=[snapshot.pk])).status_code == 404
    assert client_for(w.p.police_lead).get(
        reverse("factual_check_send", args=[snapshot.pk])).status_code == 404
    # The panel member sees the request exists but not the unshared version's text.
    page = client_for(w.p.panel).get(
        reverse("evidence_request", args=[sent[str(w.p.police)].pk])).content.decode()
    assert "officers attended the home" not in page


def test_a_finding_cannot_cite_a_factual_accuracy_check(checked: Any) -> None:
    w, _, sent = checked
    finding = services.finding_create(by=w.p.reviewer, review=w.review, title="Risk missed",
                                      statement="s", why_it_matters="w", themes=[])
    with pytest.raises(ValidationError, match="factual-accuracy check"):
        services.finding_evidence_add(by=w.p.reviewer, finding=finding, kind="evidence_request",
                                      evidence_request=sent[str(w.p.police)])


def test_every_section_for_an_agency_is_one_tick(personas: Personas) -> None:
    """Issue 19, item 8: not one box per section per agency; works without JavaScript."""
    w = report_world(personas)
    snapshot = _snapshot(w)
    url = reverse("factual_check_send", args=[snapshot.pk])
    client = client_for(w.p.reviewer)
    form = client.get(url).content.decode()
    assert f'data-check-all="agency_{w.p.police.pk}"' in form
    assert f"Every section for {w.p.police}" in form
    intro = _parts(snapshot, "introduction")[0]
    due = (timezone.localdate() + timedelta(days=10)).strftime("%d/%m/%Y")
    done = client.post(url, {"due_on": due, f"agency_{w.p.police.pk}_all": "on",
                             f"agency_{w.p.health.pk}": [intro.pk]})
    assert done.status_code == 302, done.content.decode()
    checks = {str(r.agency): r for r in snapshot.factual_checks.all()}
    assert list(checks[str(w.p.police)].checked_parts.order_by("position")) == list(
        snapshot.parts.order_by("position"))
    assert list(checks[str(w.p.health)].checked_parts.all()) == [intro]


def test_every_control_of_the_answer_form_has_a_label_of_its_own(checked: Any) -> None:
    """Issue 19, item 13: the radio "Corrections needed" and the text box shared one label."""
    import re

    w, _snapshot, requests = checked
    police = requests[str(w.p.police)]
    html = client_for(w.p.police_lead).get(
        reverse("evidence_request", args=[police.pk])).content.decode()
    form = html.split('id="factual-answer"')[1].split("</form>")[0]
    labels = [re.sub(r"<[^>]*>", "", text).strip()
              for text in re.findall(r"(?s)<label[^>]*>(.*?)</label>", form)]
    assert "The corrections" in labels and "Corrections needed" in labels
    assert len(labels) == len(set(labels)), labels
    for control in re.findall(r'<(?:input(?![^>]*type="hidden")|textarea)[^>]*id="([^"]+)"',
                              form):
        assert f'for="{control}"' in form, control
