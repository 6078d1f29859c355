"""Reads of the report: the draft page, a version (snapshot) with its comments, the
comparison of two versions, the sign-off status. Each in a fixed number of queries,
whatever the number of sections, findings or recommendations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import Count, Prefetch, Q

from agencies.models import Agency, User
from agencies.models.roles import Role
from reviews.formats.diffing import WordDiff, word_diff
from reviews.formats.markdown import render_markdown
from reviews.formats.report import pulled_markdown, word_count
from reviews.models import (
    BoardResponse,
    Finding,
    PanelAppointment,
    Report,
    ReportComment,
    ReportSection,
    ReportSnapshot,
    Review,
    SectionVersion,
    SignOffApprover,
    SignOffDesignation,
    SignOffSubmission,
    SnapshotPart,
    TermsOfReference,
)
from reviews.models.scope import designated_kinds, report_access
from reviews.selectors.analysis import (
    findings_for_page,
    lines_of_enquiry,
    recommendation_warnings,
    recommendations_for_page,
)

__all__ = [
    "Approver",
    "ApproverRow",
    "PartDiff",
    "SectionRow",
    "approver_people",
    "approver_settings",
    "approvers",
    "approvers_customised",
    "board_response_latest",
    "compare_section_versions",
    "compare_snapshots",
    "current_report",
    "default_approvers",
    "live_submission",
    "may_approve",
    "pulled_records",
    "report_page",
    "sign_off_status",
    "snapshot_page",
    "snapshots_for",
]


def _terms(review: Review) -> TermsOfReference | None:
    return review.terms.prefetch_related("agencies_in_scope").first()


def pulled_records(review: Review) -> dict[str, Any]:
    """What sections of the pulling kinds read: current findings (with themes), current
    recommendations (with findings and agency), the latest terms of reference."""
    return {
        "findings": list(review.findings.filter(withdrawn=False).prefetch_related("themes")),
        "recommendations": list(review.recommendations.filter(withdrawn=False)
                                .select_related("agency").prefetch_related(
                                    Prefetch("findings",
                                             queryset=Finding.objects.filter(withdrawn=False)))),
        "terms": _terms(review),
    }


@dataclass(frozen=True)
class SectionRow:
    section: ReportSection
    html: str
    words: int
    too_long: bool
    has_draft: bool


def report_page(user: User, review: Review) -> dict[str, Any]:
    """Everything the draft report page shows."""
    findings = findings_for_page(user, review)
    recs = recommendations_for_page(user, review)
    terms = _terms(review)
    records: dict[str, Any] = {"findings": findings, "recommendations": recs, "terms": terms}
    sections = list(ReportSection.objects.for_user(user).filter(review=review, withdrawn=False)
                    .select_related("current__saved_by")
                    .annotate(my_drafts=Count("drafts", filter=Q(drafts__author=user))))
    limit = settings.REPORT_SECTION_MAX_WORDS
    rows = []
    for section in sections:
        own = section.current.body if section.current else ""
        text = "\n\n".join(t for t in (own, pulled_markdown(section, **records)) if t)
        words = word_count(own)
        rows.append(SectionRow(section, render_markdown(text), words, words > limit,
                               bool(section.my_drafts)))
    report = current_report(review)
    snapshots = list(ReportSnapshot.objects.for_user(user).filter(review=review)
                     .select_related("created_by"))
    return {
        "report": report, "rows": rows, "findings": findings, "recommendations": recs,
        "terms": terms, "words": sum(r.words for r in rows), "section_limit": limit,
        "unevidenced": [f for f in findings if not f.live_evidence],
        "lines": lines_of_enquiry(review, findings, terms),
        "warnings": recommendation_warnings(review, recs),
        "snapshots": snapshots,
        "current_snapshot": next((s for s in snapshots
                                  if report and s.revision == report.revision), None),
        "open_comments": ReportComment.objects.for_user(user).filter(
            review=review, resolved_at__isnull=True).count(),
        "submission": live_submission(review),
    }


def snapshots_for(user: User, review: Review) -> list[ReportSnapshot]:
    """The versions this person may read: every one for the drafting team, those shared
    with the panel for its members."""
    return list(ReportSnapshot.objects.for_user(user).filter(review=review)
                .select_related("created_by", "shared_by")
                .annotate(n_comments=Count("comments"),
                          n_open=Count("comments", filter=Q(comments__resolved_at__isnull=True))))


@dataclass(frozen=True)
class PartRow:
    part: SnapshotPart
    html: str
    comments: list[ReportComment]


def snapshot_page(user: User, snapshot: ReportSnapshot) -> dict[str, Any]:
    comments = ReportComment.objects.for_user(user).select_related("author", "resolved_by")
    parts = list(SnapshotPart.objects.for_user(user).filter(snapshot=snapshot)
                 .prefetch_related(Prefetch("comments", queryset=comments, to_attr="shown")))
    report = Report.objects.filter(review_id=snapshot.review_id).first()
    return {"parts": [PartRow(p, render_markdown(p.body), p.shown)
                      for p in parts],
            "is_current": bool(report and report.revision == snapshot.revision),
            "submission": snapshot.submissions.order_by("-submitted_at").first()}


# ---------------------------------------------------------------- comparing versions


class PartDiff(NamedTuple):
    title: str
    diff: WordDiff
    status: str  # "changed", "unchanged", "added", "removed"


def compare_snapshots(old: ReportSnapshot, new: ReportSnapshot) -> list[PartDiff]:
    """Section by section (matched by section, in the newer version's order), with the
    changed words marked; sections only in one version are shown as added or removed."""
    before = {p.section_id: p for p in old.parts.all()}
    rows = []
    for part in new.parts.all():
        earlier = before.pop(part.section_id, None)
        diff = word_diff(earlier.body if earlier else "", part.body)
        status = "added" if earlier is None else ("unchanged" if diff.unchanged else "changed")
        title = part.title if earlier is None or earlier.title == part.title else (
            f"{earlier.title} → {part.title}")
        rows.append(PartDiff(title, diff, status))
    for part in before.values():
        rows.append(PartDiff(part.title, word_diff(part.body, ""), "removed"))
    return rows


def compare_section_versions(old: SectionVersion | None, new: SectionVersion) -> WordDiff:
    return word_diff(old.body if old else "", new.body)


# ---------------------------------------------------------------- sign-off


@dataclass(frozen=True)
class ApproverRow:
    approver: Approver
    approval: Any  # the live Approval, or None
    may_give: bool
    voided: list[Any] = field(default_factory=list)
    who_can: list[str] = field(default_factory=list)  # the people who can give it, in words
    missing: str = ""  # why nobody can give it yet, in words ("" when someone can)


def sign_off_status(user: User, review: Review) -> dict[str, Any]:
    """The live submission (if any), each approver with their approval, who can give it and
    whether this person may; and the past submissions with how they ended. The approvers
    are listed even before a version is submitted, so nothing needed is hidden."""
    submission = live_submission(review)
    submissions = list(SignOffSubmission.objects.for_user(user).filter(review=review)
                       .select_related("snapshot", "submitted_by", "closed_by")
                       .prefetch_related("approvals__approved_by"))
    report = current_report(review)
    given: dict[str, Any] = {}
    if submission is not None:
        given = {a.approver_key: a for a in submission.approvals.filter(voided_at__isnull=True)
                 .select_related("approved_by")}
    able = approver_people(review)
    rows = []
    for approver in approvers():
        people = able.get(approver.key, [])
        rows.append(ApproverRow(
            approver, given.get(approver.key),
            submission is not None and approver.key not in given
            and may_approve(user, review, approver),
            who_can=people, missing="" if people else _nobody(approver)))
    latest = review.report_snapshots.order_by("-number").first()
    return {"submission": submission, "approver_rows": rows, "submissions": submissions,
            "is_current": bool(submission and report
                               and submission.snapshot.revision == report.revision),
            "current_snapshot": latest if latest and report and latest.revision == report.revision
            else None,
            "board_response": board_response_latest(review),
            "approvers_customised": approvers_customised()}


def approvers_customised() -> bool:
    """Whether a business manager has changed the defaults."""
    return SignOffApprover.objects.exists()


def _nobody(approver: Approver) -> str:
    if approver.who == "reviewer":
        return "No independent reviewer is appointed to this review."
    if approver.who == "business_manager":
        return "The partnership has no business manager."
    kind = approver.kind_label.lower()
    return (f"Nobody can give it yet: appoint a {kind} panel member to this review, or "
            f"designate a {kind} agency lead whose agency is involved in it.")


def approver_people(review: Review) -> dict[str, list[str]]:
    """For each approver, who can give its approval on this review, in words: the appointed
    reviewer; business managers; a partner's panel members and chairs of that kind of
    agency, and its designated agency leads who can read the review's versions. In a fixed
    number of queries."""
    seats = list(review.panel.filter(ended_on__isnull=True).select_related("user", "agency"))
    designations = list(SignOffDesignation.objects.filter(
        ended_at__isnull=True, approver__retired=False).select_related("user", "approver"))
    people: dict[str, list[str]] = {}
    for approver in approvers():
        names: list[str] = []
        if approver.who == "reviewer":
            names = [f"{s.user} (independent reviewer)" for s in seats
                     if s.panel_role == PanelAppointment.PanelRole.REVIEWER]
        elif approver.who == "business_manager":
            names = ["Any business manager"]
        else:
            names = [f"{s.user} ({s.get_panel_role_display().lower()}, {s.agency})"
                     for s in seats if s.agency and s.agency.kind == approver.kind
                     and s.panel_role in (PanelAppointment.PanelRole.MEMBER,
                                          PanelAppointment.PanelRole.CHAIR)]
            names += [f"{d.user} (designated representative)" for d in designations
                      if d.approver.key == approver.key
                      and report_access(d.user, review).panel]
        people[approver.key] = names
    return people


@dataclass(frozen=True)
class Approver:
    key: str
    label: str
    who: str

    @property
    def kind(self) -> str:
        """A partner's agency kind ("" for the reviewer and the business manager)."""
        return self.who.removeprefix("agency:") if self.who.startswith("agency:") else ""

    @property
    def kind_label(self) -> str:
        return str(Agency.Kind(self.kind).label) if self.kind in Agency.Kind.values else ""


def default_approvers() -> list[Approver]:
    """The approvers a partnership starts with (``settings.REPORT_SIGN_OFF_APPROVERS``)."""
    return [Approver(*row) for row in settings.REPORT_SIGN_OFF_APPROVERS]


def approvers() -> list[Approver]:
    """Whose approval sign-off needs: the partnership's setting once a business manager has
    changed it (its current rows, in order), the defaults until then."""
    rows = list(SignOffApprover.objects.all())
    if not rows:
        return default_approvers()
    return [Approver(r.key, r.label, f"agency:{r.agency_kind}" if r.who == "partner" else r.who)
            for r in rows if not r.retired]


def approver_settings() -> list[tuple[Approver, bool, list[Any]]]:
    """Every approver of the setting (retired ones too, marked), each with its live
    designations: what the settings page lists."""
    rows = list(SignOffApprover.objects.all())
    designations = list(SignOffDesignation.objects.filter(ended_at__isnull=True)
                        .select_related("user", "approver"))
    if not rows:
        return [(a, False, []) for a in default_approvers()]
    return [(Approver(r.key, r.label, f"agency:{r.agency_kind}" if r.who == "partner" else r.who),
             r.retired, [d for d in designations if d.approver_id == r.pk]) for r in rows]


def may_approve(user: User, review: Review, approver: Approver) -> bool:
    """Whether ``user`` may give ``approver``'s approval on ``review``: the reviewer's by the
    appointed reviewer, the business manager's by a business manager, a partner's by a
    current panel member or chair from that kind of agency or by an agency lead designated
    for that partner who may read the review's versions (no panel seat needed)."""
    roles = user.roles() if hasattr(user, "roles") else set()
    current = review.panel.filter(user=user, ended_on__isnull=True)
    if approver.who == "business_manager":
        return Role.BUSINESS_MANAGER in roles
    if approver.who == "reviewer":
        return Role.REVIEWER in roles and current.filter(
            panel_role=PanelAppointment.PanelRole.REVIEWER).exists()
    if approver.kind:
        if roles & {Role.PANEL_MEMBER, Role.REVIEWER} and current.filter(
                panel_role__in=[PanelAppointment.PanelRole.MEMBER,
                                PanelAppointment.PanelRole.CHAIR],
                agency__kind=approver.kind).exists():
            return True
        return (Role.AGENCY_LEAD in roles
                and designated_kinds(user).filter(approver__key=approver.key).exists()
                and report_access(user, review).panel)
    return False


def board_response_latest(review: Review) -> BoardResponse | None:
    return (review.board_responses.prefetch_related("items__finding", "items__recommendation")
            .select_related("recorded_by").first())


def current_report(review: Review) -> Report | None:
    return Report.objects.filter(review=review).first()


def live_submission(review: Review) -> SignOffSubmission | None:
    """The submission awaiting or holding approvals, if any, with its snapshot."""
    return (SignOffSubmission.objects.filter(
        review=review, status__in=[SignOffSubmission.Status.PENDING,
                                   SignOffSubmission.Status.APPROVED])
        .select_related("snapshot").first())
