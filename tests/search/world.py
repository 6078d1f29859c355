"""Two reviews with a word planted in every kind of record search reads, built once per
module: ``review_in`` (police and social care involved; the reviewer and the panel member
appointed) and ``review_out`` (health involved only; nobody appointed). Both are published
and at Monitoring, so their findings, recommendations and actions are readable by the
involved agencies' leads, and the board may see both (but never their text)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.utils import timezone

from actionplans import services as plan_services
from actionplans.models import Action, ImpactEvidence
from agencies.models import Agency
from reviews import services
from reviews.models import (
    ChronologyEntry,
    EvidenceDocument,
    Finding,
    Meeting,
    MeetingMinutes,
    PanelAppointment,
    Recommendation,
    Review,
    Stage,
)
from tests.actionplans.helpers import add_recommendation, an_action
from tests.personas import Personas, at_stage, publish
from tests.search import files

WORD = "zephyrine"  # in every planted record, nowhere else


@dataclass
class SearchWorld:
    people: Personas
    review_in: Review
    review_out: Review
    planted: dict[str, list[Model]]  # kind → the records holding WORD, both reviews


def _review(p: Personas, involved: list[Agency], lead: Any, *, appoint: bool,
            planted: dict[str, list[Model]], label: str) -> Review:
    today = timezone.localdate()
    review = services.review_create(
        by=p.manager, incident_date=today - timedelta(days=400),
        aware_date=today - timedelta(days=399),
        what_happened=f"Kayden Smith was injured ({WORD} {label}).",
        harm=Review.Harm.SERIOUS_HARM, abuse_or_neglect=Review.AbuseNeglect.SUSPECTED,
        criteria_met=True, referring_agency=involved[0], agencies_involved=involved)
    services.subject_add(by=p.manager, review=review, kind="child", pseudonym="Child A",
                         full_name="Kayden Smith", identifiers=[("nhs_number", "943 476 5919")])
    if appoint:
        services.panel_appoint(by=p.manager, review=review, user=p.reviewer,
                               panel_role=PanelAppointment.PanelRole.REVIEWER,
                               independence_declaration="Independent.")
        services.panel_appoint(by=p.manager, review=review, user=p.panel,
                               panel_role=PanelAppointment.PanelRole.MEMBER, agency=p.education)
    agency = involved[0]
    request = services.evidence_request_create(by=p.manager, review=review, agency=agency,
                                               due_on=today + timedelta(days=30),
                                               description="IMR and chronology")
    services.agency_report_save(by=lead, request=request, author="Author",
                                independence="None.", records_secured_on=today,
                                analysis="Analysis.", lessons="Lessons.")
    document = services.evidence_document_upload(by=lead, request=request, upload=(
        SimpleUploadedFile("imr.docx", files.docx("Agency report", f"The {WORD} visit."))))
    services.evidence_request_submit(by=lead, request=request, expected_number=0)
    day = review.incident_date - timedelta(days=3)
    fields = {"source": "Log", "practitioner_role": "PC", "child_seen": True}
    entry = services.chronology_entry_add(by=lead, review=review, agency=agency, occurred_on=day,
                                          what_happened=f"Visit, {WORD}.", **fields)
    services.chronology_submit(by=lead, review=review, agency=agency)
    draft = services.chronology_entry_add(by=lead, review=review, agency=agency, occurred_on=day,
                                          what_happened=f"Draft {WORD}.", **fields)
    meeting = services.meeting_record(by=p.manager, review=review, kind="panel",
                                      held_on=today, notes=f"Discussed the {WORD} visit.")
    minutes = services.meeting_minutes_upload(by=p.manager, meeting=meeting, upload=(
        SimpleUploadedFile("minutes.pdf", files.pdf(f"Minutes: the {WORD} visit."))))
    publish(review, p.manager)
    at_stage(review, Stage.MONITORING)
    recommendation = add_recommendation(p, review, 1)
    finding = recommendation.findings.get()
    Finding.objects.filter(pk=finding.pk).update(statement=f"Nobody shared the {WORD} visit.")
    Recommendation.objects.filter(pk=recommendation.pk).update(
        text=f"Share what is known of every {WORD} visit.")
    action = an_action(p, recommendation, lead_agency=agency, owner=lead,
                       action_text=f"Audit the {WORD} visits.")
    impact = plan_services.impact_evidence_add(
        by=lead, action=action, title="Audit results", upload=SimpleUploadedFile(
            "audit.xlsx", files.xlsx(["Visit", "Seen"], [f"{WORD} visit", "Yes"])))
    for kind, record in (("review", review), ("finding", finding),
                         ("recommendation", recommendation), ("action", action),
                         ("chronology_entry", entry), ("chronology_entry", draft),
                         ("meeting", meeting), ("evidence_document", document),
                         ("meeting_minutes", minutes), ("impact_evidence", impact)):
        planted.setdefault(kind, []).append(record)
    review.refresh_from_db()
    return review


def build(p: Personas) -> SearchWorld:
    planted: dict[str, list[Model]] = {}
    review_in = _review(p, [p.police, p.social_care], p.police_lead, appoint=True,
                        planted=planted, label="in")
    review_out = _review(p, [p.health], p.health_lead, appoint=False, planted=planted,
                         label="out")
    return SearchWorld(p, review_in, review_out, planted)


MODELS: dict[str, type[Model]] = {
    "review": Review, "finding": Finding, "recommendation": Recommendation, "action": Action,
    "chronology_entry": ChronologyEntry, "meeting": Meeting,
    "evidence_document": EvidenceDocument, "meeting_minutes": MeetingMinutes,
    "impact_evidence": ImpactEvidence,
}
REVIEW_OF = {"evidence_document": "request__review"}
