"""Demo reviews for seed_demo: one at each kind of moment a business manager meets.

Idempotent: each demo review has a fixed creation token and is built only once.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from agencies.models import Agency, User
from reviews import services
from reviews.models import EvidenceKind, PanelAppointment, Review, Stage, TermsOfReference
from scr.workdays import add_working_days

NAMESPACE = uuid.UUID("6f1c6c1e-6a53-4c39-9f55-2f0d7c3d1a01")


def _token(name: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, name)


def _move(manager: User, review: Review, *stages: str) -> None:
    for stage in stages:
        services.review_transition(by=manager, review=review, to=stage,
                                            expected_from=review.stage, reason="Demo data")


def _evidence(manager: User, reviewer: User, review: Review, police: Agency, health: Agency,
              education: Agency, today: date) -> None:
    """Requests in each state: police's report returned once and resubmitted, its
    chronology accepted; health's report sent and its chronology acknowledged; education's
    records withdrawn."""
    police_lead = User.objects.get(username="police")
    health_lead = User.objects.get(username="health")
    imr = EvidenceKind.IMR
    police_imr, health_imr = services.evidence_requests_send(
        by=manager, review=review, agencies=[police, health], kind=imr,
        description="Your agency report (IMR) under the standard headings, covering the scope "
                    "period in the terms of reference.", due_on=today + timedelta(days=10))
    services.agency_report_save(
        by=police_lead, request=police_imr, author="DS Demo, safeguarding review officer",
        independence="No involvement in the case or in managing those involved.",
        records_secured_on=today - timedelta(days=5),
        terms_addressed="Information sharing with health and education.",
        analysis="Demo: referrals were made but not followed up.",
        lessons="Demo: check that referrals are acknowledged.")
    services.evidence_document_upload(by=police_lead, request=police_imr, upload=ContentFile(
        b"Demo: list of police contacts with the family.\n", name="police-contacts.txt"))
    services.evidence_request_submit(by=police_lead, request=police_imr, expected_number=0)
    services.evidence_request_return(by=reviewer, request=police_imr,
                                     missing="Demo: say who supervised the officers involved.")
    services.agency_report_save(by=police_lead, request=police_imr,
                                context="Demo: the team was two officers short; supervision "
                                        "was monthly.")
    services.evidence_request_submit(by=police_lead, request=police_imr, expected_number=1)
    chronology = services.evidence_request_create(
        by=manager, review=review, agency=health, kind=EvidenceKind.CHRONOLOGY,
        description="Your agency's chronology for the scope period.",
        due_on=today + timedelta(days=3))
    services.evidence_request_acknowledge(by=health_lead, request=chronology)
    police_chronology = services.evidence_request_create(
        by=manager, review=review, agency=police, kind=EvidenceKind.CHRONOLOGY,
        description="Your agency's chronology for the scope period.",
        due_on=today + timedelta(days=3))
    services.evidence_request_submit(by=police_lead, request=police_chronology,
                                     expected_number=0,
                                     note="Demo: chronology of 14 contacts, attached by e-mail "
                                          "before this service; now entered here.")
    services.evidence_request_accept(by=reviewer, request=police_chronology)
    records = services.evidence_request_create(
        by=manager, review=review, agency=education, kind=EvidenceKind.RECORDS,
        description="Attendance records for the scope period.", due_on=today + timedelta(days=1))
    services.evidence_request_withdraw(by=manager, request=records,
                                       reason="Demo: the school sent them to the reviewer.")
    del health_imr


def seed_reviews() -> None:
    manager = User.objects.get(username="manager")
    reviewer = User.objects.get(username="reviewer")
    panel = User.objects.get(username="panel")
    agencies = {a.kind: a for a in Agency.objects.all()}
    police, health = agencies[Agency.Kind.POLICE], agencies[Agency.Kind.HEALTH]
    social_care, education = (agencies[Agency.Kind.CHILDRENS_SOCIAL_CARE],
                              agencies[Agency.Kind.EDUCATION])
    today = timezone.localdate()

    def create(name: str, aware: date, involved: list[Agency]) -> Review | None:
        if Review.objects.filter(creation_token=_token(name)).exists():
            return None
        review = services.review_create(
            by=manager, incident_date=aware - timedelta(days=1), aware_date=aware,
            what_happened="Demo: an infant was admitted to hospital with injuries that were not "
                          "explained. Kayden Smith-Jones, aged 7 months, lived with his mother.",
            harm=Review.Harm.SERIOUS_HARM, abuse_or_neglect=Review.AbuseNeglect.SUSPECTED,
            criteria_met=True, referring_agency=involved[0], agencies_involved=involved,
            creation_token=_token(name))
        services.subject_add(by=manager, review=review, kind="child", pseudonym="Child A",
                             full_name="Kayden Smith-Jones",
                             date_of_birth=aware - timedelta(days=213),
                             identifiers=[("known_as", "Kayden Jones"),
                                          ("address", "14 Marsh Lane\nNorthtown\nNT1 2AB"),
                                          ("nhs_number", "943 476 5919")])
        services.subject_add(by=manager, review=review, kind="parent", pseudonym="Mother",
                             full_name="Chantelle Smith", date_of_birth=None)
        return review

    # 1. A new referral: the notification clock is running.
    create("new-referral", add_working_days(today - timedelta(days=7), 0), [social_care, police])

    # 2. Decided, commissioned, gathering evidence: reviewer and panel appointed.
    review = create("in-evidence", today - timedelta(days=70), [health, police, education])
    if review:
        services.notification_record(by=manager, review=review,
                                     notification_sent_on=add_working_days(review.aware_date, 3))
        _move(manager, review, Stage.NOTIFICATION, Stage.RAPID_REVIEW)
        meeting = add_working_days(review.aware_date, 12)
        services.rapid_review_record(by=manager, review=review, rapid_review_meeting_on=meeting)
        _move(manager, review, Stage.DECISION)
        services.decision_record(by=manager, review=review, decision=Review.Decision.REVIEW,
                                 decision_date=meeting, decision_reasons="Demo: criteria met.")
        services.terms_create(by=manager, review=review, expected_version=0,
                              scope_start=review.aware_date - timedelta(days=365),
                              scope_end=review.aware_date,
                              key_lines_of_enquiry="How did agencies share information?",
                              method=TermsOfReference.Method.SYSTEMS,
                              agencies_in_scope=[health, police, education])
        services.panel_appoint(by=manager, review=review, user=reviewer,
                               panel_role=PanelAppointment.PanelRole.REVIEWER,
                               independence_declaration="No prior involvement with the family "
                                                        "or the agencies.")
        services.panel_appoint(by=manager, review=review, user=panel,
                               panel_role=PanelAppointment.PanelRole.MEMBER, agency=education)
        _move(manager, review, Stage.COMMISSIONING, Stage.EVIDENCE)
        _evidence(manager, reviewer, review, police, health, education, today)

    # 3. A late notification: the clock was missed and needs an explanation. The rapid
    # review is waiting for one agency summary of two.
    review = create("late-notification", today - timedelta(days=30), [police, health])
    if review:
        services.notification_record(by=manager, review=review,
                                     notification_sent_on=add_working_days(review.aware_date, 8))
        _move(manager, review, Stage.NOTIFICATION, Stage.RAPID_REVIEW)
        summaries = services.evidence_requests_send(
            by=manager, review=review, agencies=[police, health], kind=EvidenceKind.SUMMARY,
            description="A short summary of your agency's involvement with the family.",
            due_on=today + timedelta(days=2))
        police_lead = User.objects.get(username="police")
        services.evidence_request_submit(
            by=police_lead, request=summaries[0], expected_number=0,
            note="Demo: two call-outs to the address in the last year; no arrests.")
