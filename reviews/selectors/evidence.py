"""Reads about evidence: the review's agency-by-agency grid, one request's page (its state
history, its answer as this person may see it), version comparison, and the derived facts
other pages use (summaries received, requests still open)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from agencies.models.roles import Role
from reviews.formats.diffing import Segment, word_diff
from reviews.models import (
    EVIDENCE_MOVES,
    IMR_HEADINGS,
    OPEN_EVIDENCE,
    RECEIVED_EVIDENCE,
    AgencyReport,
    EvidenceDocument,
    EvidenceKind,
    EvidenceRequest,
    EvidenceStatus,
    EvidenceSubmission,
    Mover,
    ReportSnapshot,
    Review,
    SnapshotPart,
)
from reviews.models.evidence import heading_text
from reviews.models.scope import may_change, review_access

if TYPE_CHECKING:
    from agencies.models import User

__all__ = [
    "GridRow",
    "RequestActions",
    "StateChange",
    "SummariesReceived",
    "VersionDiff",
    "compare_page",
    "compare_submissions",
    "draft_for",
    "evidence_grid",
    "factual_check_parts",
    "factual_checks_of",
    "is_lead_of",
    "may_move",
    "open_requests",
    "replaced_document",
    "request_actions",
    "request_page",
    "request_states",
    "submission_page",
    "summaries_received",
    "summaries_sentence",
    "visible_documents",
]


def is_lead_of(user: User, agency_id: int) -> bool:
    return agency_id in user.agency_ids(Role.AGENCY_LEAD)


def may_move(user: User, request: EvidenceRequest, to: str) -> bool:
    """Whether ``user`` may move ``request`` to ``to`` from its current state."""
    mover = EVIDENCE_MOVES.get((request.status, to))
    if mover is None:
        return False
    if mover == Mover.AGENCY:
        return is_lead_of(user, request.agency_id)
    return may_change(user, request.review)


@dataclass(frozen=True)
class RequestActions:
    """What one person may do on one request now (the page shows only these)."""

    acknowledge: bool
    answer: bool  # write the report, attach documents, submit
    decide: bool  # return or accept
    withdraw: bool
    edit: bool
    share: bool
    documents: bool  # withdraw or restore documents


def request_actions(user: User, request: EvidenceRequest) -> RequestActions:
    open_review = request.review.is_open
    runs = may_change(user, request.review)
    lead = is_lead_of(user, request.agency_id)
    return RequestActions(
        acknowledge=open_review and may_move(user, request, EvidenceStatus.ACKNOWLEDGED),
        answer=open_review and lead and request.awaits_agency,
        decide=open_review and may_move(user, request, EvidenceStatus.ACCEPTED),
        withdraw=open_review and may_move(user, request, EvidenceStatus.WITHDRAWN),
        edit=open_review and runs and request.is_open,
        share=open_review and runs and not request.shared_with_panel
        and request.status in RECEIVED_EVIDENCE,
        documents=open_review and (lead or user.has_role(Role.BUSINESS_MANAGER)))


@dataclass
class GridRow:
    """One agency's requests, one cell per kind (the latest request of that kind)."""

    agency: str
    cells: list[EvidenceRequest | None] = field(default_factory=list)


def evidence_grid(review: Review, requests: list[EvidenceRequest], *, runs: bool,
                  ) -> tuple[list[tuple[str, str]], list[GridRow]]:
    """The kinds (columns) and one row per agency: every involved agency for the people
    running the review (``runs``), else only the agencies whose requests the person may see
    (``requests`` is already scoped: a lead sees their own agency's)."""
    kinds = [(k, str(label)) for k, label in EvidenceKind.choices]
    by_agency: dict[str, dict[str, EvidenceRequest]] = {}
    for request in sorted(requests, key=lambda r: (r.requested_on, r.pk), reverse=True):
        latest = by_agency.setdefault(str(request.agency), {})
        # The newest request of a kind, unless an older one is still open.
        current = latest.get(request.kind)
        if current is None or (request.is_open and not current.is_open):
            latest[request.kind] = request
    names = set(by_agency)
    if runs:
        names |= {str(i.agency) for i in review.involvements.select_related("agency")}
    return kinds, [GridRow(name, [by_agency.get(name, {}).get(k) for k, _ in kinds])
                   for name in sorted(names)]


def open_requests(review: Review) -> list[EvidenceRequest]:
    """Requests not yet accepted or withdrawn (what Evidence → Analysis asks a reason for)."""
    return list(review.evidence_requests.filter(status__in=OPEN_EVIDENCE)
                .select_related("agency").order_by("agency__name", "kind"))


@dataclass(frozen=True)
class SummariesReceived:
    requested: int
    received: int
    waiting: tuple[str, ...]  # agencies whose summary has not come in

    @property
    def all_received(self) -> bool:
        return self.requested > 0 and not self.waiting


def summaries_received(review: Review) -> SummariesReceived:
    """Derived from the summary-kind requests (withdrawn ones do not count): "all agency
    summaries received" is a fact about the requests, never a typed date."""
    rows = list(review.evidence_requests.filter(kind=EvidenceKind.SUMMARY).exclude(
        status=EvidenceStatus.WITHDRAWN).select_related("agency").order_by("agency__name"))
    waiting = tuple(str(r.agency) for r in rows if r.status not in RECEIVED_EVIDENCE)
    return SummariesReceived(len(rows), len(rows) - len(waiting), waiting)


@dataclass(frozen=True)
class StateChange:
    when: datetime
    who: str
    status: str
    note: str


def request_states(request: EvidenceRequest, *, with_notes: bool = True) -> list[StateChange]:
    """The request's state history, oldest first, read from its own history rows (each
    save records who and why): one entry each time the state changed."""
    rows = request.history.select_related("history_user").order_by(
        "history_date", "history_id")
    changes: list[StateChange] = []
    last = None
    for row in rows:
        if row.status == last:
            continue
        last = row.status
        user = row.history_user
        changes.append(StateChange(
            row.history_date, (user.get_full_name() or user.username) if user else "System",
            str(EvidenceStatus(row.status).label),
            (row.history_change_reason or "") if with_notes else ""))
    return changes


def visible_documents(user: User, request: EvidenceRequest) -> list[EvidenceDocument]:
    """The request's documents this person may see, latest version first in each series."""
    return list(EvidenceDocument.objects.for_user(user).filter(request=request)
                .select_related("uploaded_by").order_by("series", "-version"))


def draft_for(user: User, request: EvidenceRequest) -> AgencyReport | None:
    return AgencyReport.objects.for_user(user).filter(request=request).first()


@dataclass(frozen=True)
class VersionDiff:
    heading: str
    old: SafeString
    new: SafeString
    changed: bool


def _marked(segments: list[Segment], tag: str) -> SafeString:
    parts = []
    for segment in segments:
        if not segment.changed or not segment.text.strip():
            parts.append(format_html("{}", segment.text))
        else:
            label = "deleted" if tag == "del" else "inserted"
            parts.append(format_html('<{} class="app-diff-{}"><span class="govuk-visually-'
                                     'hidden">[{}: </span>{}<span class="govuk-visually-hidden">'
                                     ']</span></{}>', tag, tag, label, segment.text, tag))
    return format_html_join("", "{}", ((p,) for p in parts))


def _diff(old: str, new: str) -> tuple[SafeString, SafeString]:
    """Word-level difference (``reviews.formats.diffing``, the report's: paragraphs first,
    then the words of the changed ones): removed words marked <del> on the left, added ones
    <ins> on the right, with words screen readers announce."""
    diff = word_diff(old, new)
    return _marked(diff.before, "del"), _marked(diff.after, "ins")


def compare_submissions(old: EvidenceSubmission, new: EvidenceSubmission) -> list[VersionDiff]:
    """Two versions heading by heading (the agency report's headings, then the note)."""
    pairs: list[tuple[str, Any, Any]] = [
        (label, heading_text(name, old.report.get(name, "")),
         heading_text(name, new.report.get(name, "")))
        for name, label, _ in IMR_HEADINGS if name in old.report or name in new.report]
    pairs.append(("Note", old.note, new.note))
    rows = []
    for heading, before, after in pairs:
        left, right = _diff(str(before or ""), str(after or ""))
        rows.append(VersionDiff(heading, left, right, (before or "") != (after or "")))
    return rows


@dataclass(frozen=True)
class CheckedPart:
    part: SnapshotPart
    html: str


def factual_check_parts(user: User, request: EvidenceRequest) -> list[CheckedPart] | None:
    """The sections sent for a factual-accuracy check, their text as frozen in the version
    (rendered as the report page renders it), or None when this person may not read them:
    the agency's leads with access to the case's details (the draft may name people), and
    whoever reads that version of the report (the drafting team; the panel once shared)."""
    from reviews.formats.markdown import render_markdown
    parts = request.checked_parts.order_by("position")
    if not (is_lead_of(user, request.agency_id)
            and review_access(user, request.review).identifiable):
        if not SnapshotPart.objects.for_user(user).filter(snapshot_id=request.snapshot_id).exists():
            return None
        parts = parts.filter(pk__in=SnapshotPart.objects.for_user(user).values("pk"))
    return [CheckedPart(part, render_markdown(part.body)) for part in parts]


def factual_checks_of(user: User, snapshot: ReportSnapshot) -> list[tuple[EvidenceRequest,
                                                                          EvidenceSubmission | None]]:
    """The factual-accuracy checks of one version whose answers this person may read (the
    drafting team; panel members once an answer is shared), each with its latest answer."""
    checks = list(EvidenceRequest.objects.answer_visible(user).filter(snapshot=snapshot)
                  .select_related("agency").prefetch_related("checked_parts", "submissions")
                  .order_by("agency__name", "-requested_on", "-pk"))
    rows = []
    for check in checks:
        answers = sorted(check.submissions.all(), key=lambda s: s.number)
        rows.append((check, answers[-1] if answers else None))
    return rows


def request_page(user: User, request: EvidenceRequest) -> dict[str, Any]:
    """Everything one request's page shows, as this person may see it."""
    answer = EvidenceRequest.objects.answer_visible(user).filter(pk=request.pk).exists()
    submissions = list(request.submissions.select_related("submitted_by")) if answer else []
    actions = request_actions(user, request)
    factual = request.is_factual_check
    return {
        "checked_parts": factual_check_parts(user, request) if factual else None,
        "latest": submissions[-1] if submissions else None,
        "evidence": request, "review": request.review, "actions": actions,
        "identifiable": review_access(user, request.review).identifiable,
        "states": request_states(request),
        "answer_visible": answer, "submissions": submissions,
        "documents": visible_documents(user, request) if answer else [],
        "draft": draft_for(user, request) if actions.answer else None,
        "next_number": len(submissions),
    }


def submission_page(user: User, submission: EvidenceSubmission) -> dict[str, Any]:
    request = submission.request
    documents = [d for d in visible_documents(user, request)
                 if d.submission_number == submission.number]
    others = list(request.submissions.exclude(pk=submission.pk).values_list("number", flat=True))
    return {"submission": submission, "evidence": request, "review": request.review,
            "documents": documents, "others": others,
            "is_report": request.kind == EvidenceKind.IMR}


def compare_page(user: User, request: EvidenceRequest, query: Any) -> dict[str, Any] | None:
    """Two visible versions, ``old`` and ``new`` (by number; by default the last two), or
    None when the person may not read the answer or the versions do not exist."""
    if not EvidenceRequest.objects.answer_visible(user).filter(pk=request.pk).exists():
        return None
    versions = {s.number: s for s in request.submissions.all()}
    try:
        new = int(query.get("new") or max(versions, default=0))
        old = int(query.get("old") or new - 1)
    except ValueError:
        return None
    if old not in versions or new not in versions or old == new:
        return None
    return {"evidence": request, "review": request.review, "old": versions[old],
            "new": versions[new], "rows": compare_submissions(versions[old], versions[new]),
            "numbers": sorted(versions)}


def replaced_document(user: User, request_pk: int, document_pk: str | None,
                      ) -> EvidenceDocument | None:
    """The document a replacement upload is a new version of (only one the person may
    change, on this request); a bad or foreign id is a 404."""
    from django.http import Http404

    if not document_pk:
        return None
    found = EvidenceDocument.objects.for_user(user, "change").filter(
        pk=document_pk if document_pk.isdigit() else 0, request_id=request_pk).first()
    if found is None:
        raise Http404
    return found


def summaries_sentence(review: Review) -> str:
    """The rapid review's agency summaries in words, derived from the requests."""
    found = summaries_received(review)
    if not found.requested:
        return "No agency summaries requested yet (request them on the Evidence page)."
    if found.all_received:
        return f"All {found.requested} agency summaries received."
    return (f"{found.received} of {found.requested} agency summaries received; waiting for "
            + ", ".join(found.waiting) + ".")
