"""What the chronology, meetings and family tests share: a review in evidence with police
and health involved, terms of reference, a reviewer and a panel member, and files."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from reviews import services
from reviews.models import ChronologyEntry, PanelAppointment, Review, TermsOfReference
from tests.personas import Personas

HEADER = ["Date", "Time", "Source", "What happened", "Practitioner role", "Child seen",
          "Significance"]


@dataclass
class Case:
    people: Personas
    review: Review
    scope_start: date
    scope_end: date


def today() -> date:
    return timezone.localdate()


def make_case(p: Personas) -> Case:
    """Incident 10 days ago; terms' scope period from two years before to the incident."""
    incident = today() - timedelta(days=10)
    review = services.review_create(
        by=p.manager, incident_date=incident, aware_date=incident + timedelta(days=1),
        what_happened="Kayden Smith was admitted with a head injury.",
        harm=Review.Harm.SERIOUS_HARM, abuse_or_neglect=Review.AbuseNeglect.SUSPECTED,
        criteria_met=True, referring_agency=p.social_care,
        agencies_involved=[p.police, p.health])
    services.subject_add(by=p.manager, review=review, kind="child", pseudonym="Child A",
                         full_name="Kayden Smith", identifiers=[("known_as", "Kay")])
    services.subject_add(by=p.manager, review=review, kind="parent", pseudonym="Mother",
                         full_name="Jade Smith")
    start, end = incident - timedelta(days=730), incident
    services.terms_create(by=p.manager, review=review, expected_version=0, scope_start=start,
                          scope_end=end, key_lines_of_enquiry="Was the baby seen?",
                          method=TermsOfReference.Method.SYSTEMS,
                          agencies_in_scope=[p.police, p.health])
    services.panel_appoint(by=p.manager, review=review, user=p.reviewer,
                           panel_role=PanelAppointment.PanelRole.REVIEWER,
                           independence_declaration="Independent.")
    services.panel_appoint(by=p.manager, review=review, user=p.panel,
                           panel_role=PanelAppointment.PanelRole.MEMBER, agency=p.education)
    return Case(p, review, start, end)


def entry(case: Case, *, agency: Any = None, by: Any = None, on: date | None = None,
          at: time | None = None, seen: bool = False, text: str = "Home visit",
          significance: str = "routine") -> ChronologyEntry:
    agency = agency or case.people.police
    lead = by or (case.people.police_lead if agency == case.people.police
                  else case.people.health_lead)
    return services.chronology_entry_add(
        by=lead, review=case.review, agency=agency, occurred_on=on or case.scope_end,
        occurred_at=at, source="Case notes", what_happened=text, practitioner_role="Officer",
        child_seen=seen, significance=significance)


def submit(case: Case, agency: Any = None) -> None:
    agency = agency or case.people.police
    lead = case.people.police_lead if agency == case.people.police else case.people.health_lead
    services.chronology_submit(by=lead, review=case.review, agency=agency)


def csv_upload(rows: list[list[Any]], name: str = "chronology.csv",
               header: list[str] | None = None, encoding: str = "utf-8") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header or HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding), content_type="text/csv")


def xlsx_upload(rows: list[list[Any]], name: str = "chronology.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Chronology"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")
