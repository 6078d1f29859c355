"""Arrange helpers for the analysis and report tests: a review at the Analysis stage with
its reviewer, terms of reference with key lines of enquiry, and the three safeguarding
partners' representatives on its panel (the approvers of ``REPORT_SIGN_OFF_APPROVERS``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from agencies.models import User
from agencies.models.roles import Role
from reviews import services
from reviews.models import (
    EvidenceRequest,
    Finding,
    PanelAppointment,
    ReportSnapshot,
    Review,
    SignOffSubmission,
    Stage,
    TermsOfReference,
    Theme,
)
from tests.factories import MembershipFactory, UserFactory
from tests.personas import Personas, at_stage

LINES = ("Was the risk to the baby recognised?",
         "How well did agencies share information?",
         "Was the baby's lived experience understood?")


@dataclass
class ReportWorld:
    p: Personas
    review: Review
    evidence: EvidenceRequest
    la_rep: User  # children's social care representative on the panel
    police_rep: User
    health_rep: User

    def approver_for(self, key: str) -> User:
        return {"reviewer": self.p.reviewer, "business_manager": self.p.manager,
                "partner_childrens_social_care": self.la_rep, "partner_police": self.police_rep,
                "partner_health": self.health_rep}[key]


def _rep(username: str, agency: Any) -> User:
    user = UserFactory(username=username)
    MembershipFactory(user=user, role=Role.PANEL_MEMBER, agency=agency)
    return user


def partner_reps(p: Personas, review: Review) -> dict[str, User]:
    """The three partners' representatives appointed to the review's panel (made once)."""
    reps = {}
    for name, agency in (("la_rep", p.social_care), ("police_rep", p.police),
                         ("health_rep", p.health)):
        reps[name] = _rep(name, agency)
        if not review.panel.filter(user=reps[name], ended_on__isnull=True).exists():
            services.panel_appoint(by=p.manager, review=review, user=reps[name],
                                   panel_role=PanelAppointment.PanelRole.MEMBER, agency=agency)
    return reps


def sign_off_records(p: Personas, review: Review, reps: dict[str, User]) -> None:
    """Every approval of the live submission, then the board's response."""
    from reviews.selectors.report import live_submission

    w = ReportWorld(p, review, None, **reps)  # type: ignore[arg-type]
    submission = live_submission(review)
    assert submission is not None
    approve_all(w, submission)
    board_response(w)


def report_world(p: Personas, *, stage: str = Stage.ANALYSIS) -> ReportWorld:
    today = timezone.localdate()
    review = services.review_create(
        by=p.manager, incident_date=today - timedelta(days=40), aware_date=today - timedelta(days=38),
        what_happened="Kayden Smith was admitted with injuries.", harm=Review.Harm.SERIOUS_HARM,
        abuse_or_neglect=Review.AbuseNeglect.SUSPECTED, criteria_met=True,
        referring_agency=p.social_care, agencies_involved=[p.police, p.social_care, p.health])
    services.subject_add(by=p.manager, review=review, kind="child", pseudonym="Child A",
                         full_name="Kayden Smith")
    services.panel_appoint(by=p.manager, review=review, user=p.reviewer,
                           panel_role=PanelAppointment.PanelRole.REVIEWER,
                           independence_declaration="No connection with the case.")
    services.panel_appoint(by=p.manager, review=review, user=p.panel,
                           panel_role=PanelAppointment.PanelRole.MEMBER, agency=p.education)
    reps = partner_reps(p, review)
    services.terms_create(by=p.manager, review=review, expected_version=0,
                          scope_start=today - timedelta(days=400),
                          scope_end=today - timedelta(days=40),
                          key_lines_of_enquiry="\n".join(f"- {line}" for line in LINES),
                          method=TermsOfReference.Method.SYSTEMS,
                          agencies_in_scope=[p.police, p.social_care, p.health])
    evidence = services.evidence_request_create(by=p.manager, review=review, agency=p.police,
                                                due_on=today + timedelta(days=10),
                                                description="IMR and chronology")
    at_stage(review, stage)
    for name in ("Risk assessment", "Information sharing", "Supervision"):
        theme(name)
    return ReportWorld(p, review, evidence, **reps)


def theme(name: str) -> Theme:
    """A theme of the default list. Seeded by the data migration; made again here because a
    transactional test (browser, threads) starts from tables emptied by the one before."""
    return Theme.objects.get_or_create(name=name)[0]


def add_finding(w: ReportWorld, title: str = "Risk was not reassessed", *,
                evidence: bool = True, lines: tuple[str, ...] = (LINES[0],),
                themes: tuple[str, ...] = ("Risk assessment",)) -> Finding:
    finding = services.finding_create(
        by=w.p.reviewer, review=w.review, title=title,
        statement="Kayden Smith's injuries were seen as accidental.",
        why_it_matters="Practitioners across the partnership rely on first explanations.",
        themes=[theme(t) for t in themes], lines_of_enquiry=lines)
    if evidence:
        services.finding_evidence_add(by=w.p.reviewer, finding=finding,
                                      kind="evidence_request", evidence_request=w.evidence,
                                      source_reference="Police chronology, 3 March")
    return finding


def add_recommendation(w: ReportWorld, findings: list[Finding], **extra: Any) -> Any:
    fields: dict[str, Any] = {
        "text": "The partnership should revise its bruising protocol for non-mobile babies.",
        "addressee": "partnership", "scope": "local",
        "outcome_expected": "By March 2027 an audit shows 90% of non-mobile babies with bruising "
                            "referred for a child protection medical."}
    fields.update(extra)
    return services.recommendation_create(by=w.p.reviewer, review=w.review, findings=findings,
                                          **fields)


def submitted(w: ReportWorld, name: str = "v1 for sign-off") -> SignOffSubmission:
    """Start the report (if needed), write the introduction, name a version and submit it."""
    if not w.review.report_sections.exists():
        services.report_start(by=w.p.reviewer, review=w.review)
    intro = w.review.report_sections.get(kind="introduction")
    services.section_save(by=w.p.reviewer, section=intro, body=f"Introduction for {name}.",
                          base_version=intro.version_number)
    snapshot: ReportSnapshot = services.snapshot_create(by=w.p.reviewer, review=w.review, name=name)
    return services.sign_off_submit(by=w.p.reviewer, snapshot=snapshot)


def approve_all(w: ReportWorld, submission: SignOffSubmission) -> None:
    from reviews.selectors.report import approvers

    for approver in approvers():
        services.approval_give(by=w.approver_for(approver.key), submission=submission,
                               approver_key=approver.key)


def board_response(w: ReportWorld) -> Any:
    decisions = {f"finding-{f.pk}": ("accepted", "Protocol revised")
                 for f in w.review.findings.filter(withdrawn=False)}
    decisions |= {f"recommendation-{r.pk}": ("accepted", "Audit in March")
                  for r in w.review.recommendations.filter(withdrawn=False)}
    return services.board_response_record(
        by=w.p.manager, review=w.review, response="The board accepts the findings.",
        monitoring="Quarterly reports to the board.", decisions=decisions)


@dataclass
class MatrixRecords:
    """One of each analysis and report record on the permission matrix's ``review_in``:
    two versions (both shared with the panel), a comment, a live sign-off submission."""

    finding: Finding
    link: Any
    recommendation: Any
    section: Any
    snapshot: ReportSnapshot
    comment: Any
    submission: SignOffSubmission


def matrix_records(world: Any) -> MatrixRecords:
    """Made once per test (memoised on the matrix's ``World``), through the services, with
    the review moved to the stages they need and back to where the matrix expects it."""
    if getattr(world, "_report_records", None) is not None:
        return world._report_records  # type: ignore[no-any-return]
    p, review = world.people, world.review_in
    stage = review.stage
    at_stage(review, Stage.REPORT)
    finding = services.finding_create(by=p.reviewer, review=review, title="Risk not reassessed",
                                      statement="s", why_it_matters="w",
                                      themes=[theme("Risk assessment")])
    link = services.finding_evidence_add(by=p.reviewer, finding=finding, kind="other",
                                         source_reference="Police chronology, 3 March")
    rec = services.recommendation_create(by=p.reviewer, review=review, text="Revise the protocol",
                                         findings=[finding], addressee="partnership",
                                         scope="local", outcome_expected="An audit by March 2027 "
                                         "shows 90% of babies referred for a medical.")
    section = services.report_start(by=p.reviewer, review=review)[0]
    services.section_save(by=p.reviewer, section=section, body="Version one.", base_version=0)
    first = services.snapshot_create(by=p.reviewer, review=review, name="v1 for panel")
    services.snapshot_share(by=p.reviewer, snapshot=first)
    part = first.parts.get(section=section)
    comment = services.comment_add(by=p.panel, part=part, text="Say more")
    services.section_save(by=p.reviewer, section=section, body="Version two.", base_version=1)
    second = services.snapshot_create(by=p.reviewer, review=review, name="v2 for sign-off")
    submission = services.sign_off_submit(by=p.reviewer, snapshot=second)
    at_stage(review, stage)
    world._report_records = MatrixRecords(finding, link, rec, section, second, comment,
                                          submission)
    return world._report_records
