"""Reads of the report: the draft page, a version (snapshot) with its comments, the
comparison of two versions, the sign-off status. Each in a fixed number of queries,
whatever the number of sections, findings or recommendations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import Count, Prefetch, Q

from agencies.models import User
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
    SignOffSubmission,
    SnapshotPart,
    TermsOfReference,
)
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
    "approvers",
    "board_response_latest",
    "compare_section_versions",
    "compare_snapshots",
    "current_report",
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


def sign_off_status(user: User, review: Review) -> dict[str, Any]:
    """The live submission (if any), each approver with their approval, whether this
    person may give it, and the past submissions with how they ended."""
    submission = live_submission(review)
    submissions = list(SignOffSubmission.objects.for_user(user).filter(review=review)
                       .select_related("snapshot", "submitted_by", "closed_by")
                       .prefetch_related("approvals__approved_by"))
    report = current_report(review)
    rows = []
    if submission is not None:
        given = {a.approver_key: a for a in submission.approvals.filter(voided_at__isnull=True)
                 .select_related("approved_by")}
        for approver in approvers():
            rows.append(ApproverRow(approver, given.get(approver.key),
                                    approver.key not in given and may_approve(user, review,
                                                                              approver)))
    latest = review.report_snapshots.order_by("-number").first()
    return {"submission": submission, "approver_rows": rows, "submissions": submissions,
            "is_current": bool(submission and report
                               and submission.snapshot.revision == report.revision),
            "current_snapshot": latest if latest and report and latest.revision == report.revision
            else None,
            "board_response": board_response_latest(review)}


def board_response_latest(review: Review) -> BoardResponse | None:
    return (review.board_responses.prefetch_related("items__finding", "items__recommendation")
            .select_related("recorded_by").first())


@dataclass(frozen=True)
class Approver:
    key: str
    label: str
    who: str


def approvers() -> list[Approver]:
    return [Approver(*row) for row in settings.REPORT_SIGN_OFF_APPROVERS]


def may_approve(user: User, review: Review, approver: Approver) -> bool:
    """Whether ``user`` may give ``approver``'s approval on ``review``."""
    roles = user.roles() if hasattr(user, "roles") else set()
    current = review.panel.filter(user=user, ended_on__isnull=True)
    if approver.who == "business_manager":
        return Role.BUSINESS_MANAGER in roles
    if approver.who == "reviewer":
        return Role.REVIEWER in roles and current.filter(
            panel_role=PanelAppointment.PanelRole.REVIEWER).exists()
    if approver.who.startswith("agency:"):
        kind = approver.who.removeprefix("agency:")
        return bool(roles & {Role.PANEL_MEMBER, Role.REVIEWER}) and current.filter(
            panel_role__in=[PanelAppointment.PanelRole.MEMBER, PanelAppointment.PanelRole.CHAIR],
            agency__kind=kind).exists()
    return False


def current_report(review: Review) -> Report | None:
    return Report.objects.filter(review=review).first()


def live_submission(review: Review) -> SignOffSubmission | None:
    """The submission awaiting or holding approvals, if any, with its snapshot."""
    return (SignOffSubmission.objects.filter(
        review=review, status__in=[SignOffSubmission.Status.PENDING,
                                   SignOffSubmission.Status.APPROVED])
        .select_related("snapshot").first())
