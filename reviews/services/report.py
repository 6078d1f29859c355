"""Writes of the report: its sections and their versions (no lost words), autosaved
drafts, named snapshots shared with the panel, the panel's comments, sign-off and the
board's response.

No lost words: a section is saved against the version its writer started from
(``base_version``). Saves of one review's report are serialised on the report row
(``report_locked``), so when two people save the same base version the second is refused
with ``SectionConflict``, which carries both texts; nothing is silently overwritten.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from agencies.models import Agency, Membership, User
from agencies.models.roles import Role
from reviews.formats.report import pulled_markdown
from reviews.models import (
    Approval,
    BoardResponse,
    BoardResponseItem,
    Report,
    ReportComment,
    ReportSection,
    ReportSnapshot,
    Review,
    SectionDraft,
    SectionVersion,
    SignOffApprover,
    SignOffDesignation,
    SignOffSubmission,
    SnapshotPart,
    Stage,
)
from reviews.selectors.report import approvers, default_approvers, may_approve
from reviews.services import handoffs
from reviews.services.analysis import drafting_review
from reviews.services.base import (
    LIVE,
    close_live_submission,
    open_review_locked,
    report_changed,
    report_locked,
    transition_effect,
)
from reviews.services.lifecycle import update_review
from scr.history import mark_history, save_with_history
from scr.rules import fresh_locked, require_reason

__all__ = [
    "SectionConflict",
    "StaleVersion",
    "approval_give",
    "board_response_record",
    "comment_add",
    "comment_resolve",
    "report_start",
    "section_add",
    "section_autosave",
    "section_move",
    "section_save",
    "sign_off_approver_add",
    "sign_off_approver_update",
    "sign_off_designate",
    "sign_off_designation_end",
    "sign_off_submit",
    "snapshot_create",
    "snapshot_share",
]


class SectionConflict(ValidationError):
    """A save based on a version that is no longer the latest: both texts travel with the
    refusal so the page can show them side by side and let the writer merge."""

    def __init__(self, *, section: ReportSection, current: SectionVersion | None, yours: str,
                 base_version: int) -> None:
        who = current.saved_by if current else None
        super().__init__(
            f"{who} saved “{section.title}” (version {current.number if current else 0}) "
            f"after you started from version {base_version}. Your text was not saved: merge "
            f"the two below and save again.")
        self.section, self.current, self.yours = section, current, yours


class StaleVersion(ValidationError):
    """An action on a version of the report that is no longer the current one."""

    def __init__(self, message: str, *, current: ReportSnapshot | None) -> None:
        super().__init__(message)
        self.current = current


def _section_locked(section: ReportSection) -> ReportSection:
    stored = (ReportSection.objects.select_for_update(of=("self",)).select_related("current")
              .get(pk=section.pk))
    if stored.withdrawn:
        raise ValidationError("This section was removed from the report. Nothing was saved.")
    return stored


# ---------------------------------------------------------------- sections


@transaction.atomic(durable=True)
def report_start(*, by: User, review: Review) -> list[ReportSection]:
    """The report's sections in the usual order (``ReportSection.Kind``), each empty."""
    review = drafting_review(by, review, "start the report")
    report_locked(review, by=by)
    if review.report_sections.exists():
        raise ValidationError("The report has already been started. Nothing was changed.")
    sections = []
    kinds = [k for k in ReportSection.Kind if k != ReportSection.Kind.CUSTOM]
    for position, kind in enumerate(kinds, start=1):
        sections.append(save_with_history(
            ReportSection(review=review, kind=kind, title=kind.label, position=position),
            by=by, reason="Report started"))
    report_changed(review, by=by, what="Report started")
    return sections


def _renumber(review: Review, ordered: list[ReportSection], *, by: User, reason: str) -> None:
    for position, section in enumerate(ordered, start=1):
        if section.position != position:
            section.position = position
            save_with_history(section, by=by, reason=reason)


@transaction.atomic(durable=True)
def section_add(*, by: User, review: Review, title: str,
                after: ReportSection | None = None) -> ReportSection:
    """A section of the partnership's own, placed after ``after`` (or at the end)."""
    review = drafting_review(by, review, "add sections")
    report_locked(review, by=by)
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": "Enter the title of the section"})
    ordered = list(review.report_sections.select_for_update().filter(withdrawn=False))
    section = ReportSection(review=review, kind=ReportSection.Kind.CUSTOM, title=title,
                            position=len(ordered) + 1)
    section.full_clean()
    save_with_history(section, by=by, reason="Section added")
    index = next((i + 1 for i, s in enumerate(ordered) if after and s.pk == after.pk), len(ordered))
    ordered.insert(index, section)
    _renumber(review, ordered, by=by, reason="Sections reordered")
    report_changed(review, by=by, what=f"Section “{title}” added")
    return section


@transaction.atomic(durable=True)
def section_move(*, by: User, section: ReportSection, direction: str) -> ReportSection:
    """Move a section one place up or down."""
    review = drafting_review(by, section.review, "reorder sections")
    report_locked(review, by=by)
    ordered = list(review.report_sections.select_for_update().filter(withdrawn=False))
    index = next(i for i, s in enumerate(ordered) if s.pk == section.pk)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(ordered):
        raise ValidationError("This section cannot move that way. Nothing was changed.")
    ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(review, ordered, by=by, reason=f"“{section.title}” moved {direction}")
    report_changed(review, by=by, what=f"Section “{section.title}” moved {direction}")
    section.refresh_from_db()
    return section


@transaction.atomic(durable=True)
def section_save(*, by: User, section: ReportSection, body: str, base_version: int,
                 note: str = "") -> SectionVersion:
    """Save ``body`` as the section's next version, if nobody saved it since
    ``base_version``; otherwise refuse with ``SectionConflict`` (both texts kept)."""
    review = drafting_review(by, section.review, "write the report")
    report_locked(review, by=by)
    stored = _section_locked(section)
    body = body.replace("\r\n", "\n")
    if stored.version_number != base_version:
        raise SectionConflict(section=stored, current=stored.current, yours=body,
                              base_version=base_version)
    if stored.current is not None and stored.current.body == body:
        raise ValidationError({"body": f"You have not changed “{stored.title}” since version "
                                       f"{base_version}. Nothing was saved."})
    version = save_with_history(SectionVersion(
        review=review, section=stored, number=base_version + 1, body=body, saved_by=by,
        note=" ".join(note.split())[:300]),
        by=by, reason=f"Version {base_version + 1} saved")
    stored.current = version
    save_with_history(stored, by=by, reason=f"Version {version.number} saved")
    for draft in SectionDraft.objects.filter(section=stored, author=by):
        mark_history(draft, by=by, reason="Saved as a version")
        draft.delete()  # the autosaved work is now the saved version
    report_changed(review, by=by, what=f"“{stored.title}” saved as version {version.number}")
    section.refresh_from_db()
    return version


@transaction.atomic(durable=True)
def section_autosave(*, by: User, section: ReportSection, body: str,
                     base_version: int) -> SectionDraft | None:
    """Keep unsaved work on a section (one draft per person and section), so a session
    that times out loses nothing. Not a version: the report does not change."""
    review = drafting_review(by, section.review, "write the report")
    stored = _section_locked(section)
    body = body.replace("\r\n", "\n")
    draft = SectionDraft.objects.select_for_update().filter(section=stored, author=by).first()
    if draft is None:
        saved = stored.current.body if stored.current else ""
        if body == saved and base_version == stored.version_number:
            return None  # nothing typed yet: no draft to keep
        draft = SectionDraft(review=review, section=stored, author=by)
    elif draft.body == body and draft.base_version == base_version:
        return draft  # unchanged since the last autosave: no new history row
    draft.body, draft.base_version, draft.saved_at = body, base_version, timezone.now()
    return save_with_history(draft, by=by, reason="Autosaved")


# ---------------------------------------------------------------- snapshots and comments


@transaction.atomic(durable=True)
def snapshot_create(*, by: User, review: Review, name: str,
                    share: bool = False) -> ReportSnapshot:
    """Freeze the whole report as it stands, under a name ("v3 for panel"): each section's
    current version with the records it pulls in, so later edits never change it; with
    ``share``, shared with the panel in the same transaction."""
    from reviews.selectors.report import pulled_records

    review = drafting_review(by, review, "name a version of the report")
    report = report_locked(review, by=by)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Enter a name for this version, for example “v3 for panel”"})
    sections = list(review.report_sections.filter(withdrawn=False).select_related("current"))
    if not sections:
        raise ValidationError("Start the report before naming a version of it.")
    number = (review.report_snapshots.aggregate(last=Max("number"))["last"] or 0) + 1
    snapshot = ReportSnapshot(review=review, number=number, name=name, revision=report.revision,
                              created_by=by)
    snapshot.full_clean()
    save_with_history(snapshot, by=by, reason=f"Version {number} named “{name}”")
    records = pulled_records(review)
    for section in sections:
        own = section.current.body if section.current else ""
        pulled = pulled_markdown(section, **records)
        save_with_history(SnapshotPart(
            review=review, snapshot=snapshot, section=section, section_version=section.current,
            position=section.position, title=section.title,
            body="\n\n".join(text for text in (own, pulled) if text)),
            by=by, reason=f"Part of version {number}")
    if share:
        _share(snapshot, by=by)
    return snapshot


@transaction.atomic(durable=True)
def snapshot_share(*, by: User, snapshot: ReportSnapshot) -> ReportSnapshot:
    """Share a version with the review's panel (who then read and comment on it)."""
    drafting_review(by, snapshot.review, "share versions with the panel")
    stored = fresh_locked(snapshot)
    if stored.shared_with_panel_at:
        raise ValidationError("This version is already shared with the panel. Nothing was "
                              "changed.")
    _share(stored, by=by)
    snapshot.refresh_from_db()
    return snapshot


def _share(snapshot: ReportSnapshot, *, by: User) -> None:
    snapshot.shared_with_panel_at, snapshot.shared_by = timezone.now(), by
    save_with_history(snapshot, by=by, reason="Shared with the panel")
    handoffs.notify_version_shared(by=by, snapshot=snapshot)


@transaction.atomic(durable=True)
def comment_add(*, by: User, part: SnapshotPart, text: str) -> ReportComment:
    """A comment on one section of a version shared with the panel, by someone who may
    read it (its panel members; the drafting team)."""
    review = open_review_locked(part.review)
    if not SnapshotPart.objects.for_user(by).filter(pk=part.pk).exists():
        raise ValidationError("You cannot comment on this version.")
    if part.snapshot.shared_with_panel_at is None:
        raise ValidationError("Only versions shared with the panel take comments.")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Enter your comment"})
    comment = ReportComment(review=review, snapshot=part.snapshot, part=part, author=by,
                            text=text)
    comment.full_clean()
    save_with_history(comment, by=by, reason=f"Comment on “{part.title}”")
    handoffs.notify_comment(by=by, comment=comment)
    return comment


@transaction.atomic(durable=True)
def comment_resolve(*, by: User, comment: ReportComment, resolution: str) -> ReportComment:
    """The reviewer says what was done about a comment. Kept in the review's history."""
    drafting_review(by, comment.review, "resolve comments")
    stored = fresh_locked(comment)
    if stored.resolved_at:
        raise ValidationError("This comment has already been resolved. Nothing was changed.")
    stored.resolution = require_reason(resolution, "Say what was done about the comment",
                                       field="resolution")
    stored.resolved_at, stored.resolved_by = timezone.now(), by
    save_with_history(stored, by=by, reason="Comment resolved")
    comment.refresh_from_db()
    return comment


# ---------------------------------------------------------------- sign-off


def _stale(snapshot: ReportSnapshot, review: Review, report: Report, action: str) -> StaleVersion:
    latest = review.report_snapshots.order_by("-number").first()
    current = latest if latest and latest.revision == report.revision else None
    where = (f"The current version is version {current.number} (“{current.name}”)."
             if current else "Name a new version of the changed report first.")
    return StaleVersion(f"Version {snapshot.number} (“{snapshot.name}”) is no longer the current "
                        f"version of the report: it changed after this version was named "
                        f"({report.last_change}). You cannot {action} it. {where}",
                        current=current)


@transaction.atomic(durable=True)
def sign_off_submit(*, by: User, snapshot: ReportSnapshot) -> SignOffSubmission:
    """Submit one specific, current version for sign-off. It is shared with the panel (the
    partners' representatives approve it there). The first submission of a review with a
    decision to review also records the date the final report was received (its clock)."""
    review = drafting_review(by, snapshot.review, "submit the report for sign-off")
    if review.stage not in (Stage.REPORT, Stage.SIGN_OFF):
        raise ValidationError("The report can be submitted for sign-off at the Report or "
                              "Sign-off stage. Nothing was changed.")
    report = report_locked(review, by=by)
    stored = fresh_locked(snapshot)
    if stored.revision != report.revision:
        raise _stale(stored, review, report, "submit")
    if review.sign_off_submissions.filter(status__in=LIVE).exists():
        raise ValidationError("A version is already submitted for sign-off. Nothing was changed.")
    if not stored.shared_with_panel_at:
        _share(stored, by=by)
    submission = save_with_history(SignOffSubmission(review=review, snapshot=stored,
                                                     submitted_by=by),
                                   by=by, reason=f"Version {stored.number} submitted for sign-off")
    if (not review.final_report_received_on and not review.national_panel_sent_report_on
            and review.decision == Review.Decision.REVIEW and review.decision_date):
        update_review(by=by, review=review, reason="", recorded="Final report submitted",
                       final_report_received_on=timezone.localdate())
    handoffs.notify_sign_off_submitted(by=by, submission=submission)
    return submission


@transaction.atomic(durable=True)
def approval_give(*, by: User, submission: SignOffSubmission, approver_key: str,
                  comment: str = "") -> Approval:
    """One approver's approval of the submitted version, if it is still the current one."""
    review = open_review_locked(submission.review)
    report = report_locked(review, by=by)
    stored = SignOffSubmission.objects.select_for_update(of=("self",)).select_related(
        "snapshot").get(pk=submission.pk)
    if review.stage != Stage.SIGN_OFF:
        raise ValidationError("Approvals are given at the Sign-off stage. Nothing was changed.")
    if stored.status != SignOffSubmission.Status.PENDING or stored.snapshot.revision != report.revision:
        if stored.snapshot.revision != report.revision:
            raise _stale(stored.snapshot, review, report, "approve")
        raise StaleVersion(f"This submission is {stored.get_status_display().lower()}: there is "
                           f"nothing to approve. Nothing was changed.",
                           current=None)
    approver = next((a for a in approvers() if a.key == approver_key), None)
    if approver is None or not may_approve(by, review, approver):
        raise ValidationError({"approver_key": "You cannot give this approval"})
    if stored.approvals.filter(approver_key=approver.key, voided_at__isnull=True).exists():
        raise ValidationError(f"{approver.label} has already approved this version. Nothing was "
                              f"changed.")
    approval = save_with_history(Approval(
        review=review, submission=stored, approver_key=approver.key,
        approver_label=approver.label, approved_by=by, comment=comment.strip()),
        by=by, reason=f"Approved by {approver.label}")
    complete = _complete_if_every_approval(stored, by=by)
    handoffs.notify_approval_given(by=by, submission=stored, label=approver.label,
                                   complete=complete)
    return approval


def _complete_if_every_approval(submission: SignOffSubmission, *, by: User) -> bool:
    """Mark a pending submission approved when every approval now needed is given (after an
    approval, or after the list of approvers changed)."""
    given = set(submission.approvals.filter(voided_at__isnull=True)
                .values_list("approver_key", flat=True))
    if submission.status != SignOffSubmission.Status.PENDING or not given >= {
            a.key for a in approvers()}:
        return False
    submission.status, submission.closed_at, submission.closed_by = (
        SignOffSubmission.Status.APPROVED, timezone.now(), by)
    submission.outcome = "Every approval given."
    save_with_history(submission, by=by, reason="Every approval given")
    return True


# ------------------------------------------------- who must approve (a partnership setting)


def _approvers_manager(by: User) -> None:
    if not by.has_role(Role.BUSINESS_MANAGER):
        raise ValidationError("Only a business manager can change who must approve the report.")


def _approver_rows(by: User) -> dict[str, SignOffApprover]:
    """The setting's rows, locked; the first change writes the defaults it replaces, so the
    list a business manager saw is the list they change."""
    rows = {r.key: r for r in SignOffApprover.objects.select_for_update().order_by("position")}
    if not rows:
        for position, approver in enumerate(default_approvers(), start=1):
            who, kind = ((SignOffApprover.Who.PARTNER, approver.kind) if approver.kind
                         else (approver.who, ""))
            rows[approver.key] = save_with_history(SignOffApprover(
                key=approver.key, label=approver.label, who=who, agency_kind=kind,
                position=position), by=by, reason="The default approvers, written on first change")
    return rows


def _approvers_changed(*, by: User) -> None:
    """A live submission whose approvals are now all given is approved."""
    for submission in SignOffSubmission.objects.select_for_update().filter(
            status=SignOffSubmission.Status.PENDING):
        _complete_if_every_approval(submission, by=by)


@transaction.atomic(durable=True)
def sign_off_approver_add(*, by: User, agency_kind: str, label: str) -> SignOffApprover:
    """A safeguarding partner whose approval sign-off needs (one per kind of agency); a
    partner retired before is brought back."""
    _approvers_manager(by)
    rows = _approver_rows(by)
    label = " ".join(label.split())
    if not label:
        raise ValidationError({"label": "Enter the partner's name as the sign-off page shows it"})
    same = [r for r in rows.values() if r.who == SignOffApprover.Who.PARTNER
            and r.agency_kind == agency_kind]
    if any(not r.retired for r in same):
        raise ValidationError({"agency_kind": f"{same[0].label} already speaks for this kind "
                                              f"of agency"})
    if same:
        stored = same[0]
        stored.retired, stored.label = False, label
        return save_with_history(stored, by=by, reason="Approver brought back")
    key = f"partner_{agency_kind}"
    approver = SignOffApprover(key=key, label=label, who=SignOffApprover.Who.PARTNER,
                               agency_kind=agency_kind,
                               position=max((r.position for r in rows.values()), default=0) + 1)
    approver.full_clean()
    return save_with_history(approver, by=by, reason="Approver added")


@transaction.atomic(durable=True)
def sign_off_approver_update(*, by: User, key: str, label: str, retired: bool,
                             reason: str) -> SignOffApprover:
    """Rename an approver, or retire it (no longer needed) or bring it back, with a reason.
    At least one approval is always needed: the last one cannot be retired."""
    _approvers_manager(by)
    rows = _approver_rows(by)
    if key not in rows:
        raise ValidationError("There is no such approver. Nothing was changed.")
    require_reason(reason, "Enter why the approvers change")
    stored = rows[key]
    if retired and not stored.retired and not any(
            not r.retired for r in rows.values() if r.key != key):
        raise ValidationError({"retired": "Sign-off needs at least one approval: add another "
                                          "approver before retiring this one"})
    label = " ".join(label.split())
    if not label:
        raise ValidationError({"label": "Enter the approver's name"})
    stored.label, stored.retired = label, retired
    save_with_history(stored, by=by, reason=reason.strip())
    _approvers_changed(by=by)
    return stored


@transaction.atomic(durable=True)
def sign_off_designate(*, by: User, key: str, user: User) -> SignOffDesignation:
    """Designate an agency lead to give a partner's approval (as its lead or delegated
    representative) without a panel seat. They must lead an agency of the partner's kind."""
    _approvers_manager(by)
    rows = _approver_rows(by)
    approver = rows.get(key)
    if approver is None or approver.who != SignOffApprover.Who.PARTNER or approver.retired:
        raise ValidationError("Only a current partner's approval can be designated. Nothing "
                              "was changed.")
    leads = Membership.objects.active().filter(user=user, role=Role.AGENCY_LEAD,
                                               agency__kind=approver.agency_kind)
    if not leads.exists():
        kind = Agency.Kind(approver.agency_kind).label.lower()
        raise ValidationError({"user": f"Choose an agency lead of a {kind} agency"})
    if approver.designations.filter(user=user, ended_at__isnull=True).exists():
        raise ValidationError({"user": f"{user} is already designated for {approver}"})
    return save_with_history(SignOffDesignation(approver=approver, user=user), by=by,
                             reason=f"Designated to approve for {approver}")


@transaction.atomic(durable=True)
def sign_off_designation_end(*, by: User, designation: SignOffDesignation,
                             reason: str) -> SignOffDesignation:
    """End a designation, with the reason; approvals already given stand."""
    _approvers_manager(by)
    require_reason(reason, "Enter why the designation ends")
    stored = fresh_locked(designation)
    if stored.ended_at is not None:
        raise ValidationError("This designation has already ended. Nothing was changed.")
    stored.ended_at, stored.end_reason = timezone.now(), reason.strip()
    return save_with_history(stored, by=by, reason=f"Designation ended: {reason.strip()}")


@transition_effect("sign_off_returned")
@transaction.atomic(savepoint=False)
def sign_off_returned(*, by: User, review: Review, reason: str) -> None:
    """Sign-off → Report (``review_transition``): the submitted version goes back to the
    reviewer with the reasons, and its approvals are voided."""
    close_live_submission(
        review, by=by, status=SignOffSubmission.Status.RETURNED,
        outcome=f"Returned to the reviewer: {reason}",
        void_reason=f"Voided: the draft was returned to the reviewer ({reason}).")


@transaction.atomic(durable=True)
def board_response_record(*, by: User, review: Review, response: str, monitoring: str,
                          decisions: dict[str, tuple[str, str]]) -> BoardResponse:
    """A new version of the board's written response, with its decision (and what it will
    do) on every current finding and recommendation, keyed ``finding-<pk>`` /
    ``recommendation-<pk>``. Recorded by a business manager for the board."""
    if not by.has_role(Role.BUSINESS_MANAGER):
        raise ValidationError("Only a business manager can record the board's response.")
    review = open_review_locked(review)
    if review.stage not in (Stage.SIGN_OFF, Stage.PUBLICATION):
        raise ValidationError("The board's response is recorded at the Sign-off or Publication "
                              "stage. Nothing was changed.")
    errors: dict[str, Any] = {}
    if not response.strip():
        errors["response"] = "Enter the board's response"
    if not monitoring.strip():
        errors["monitoring"] = "Enter how the board will monitor the actions"
    targets = ([(f"finding-{f.pk}", f, None) for f in review.findings.filter(withdrawn=False)]
               + [(f"recommendation-{r.pk}", None, r)
                  for r in review.recommendations.filter(withdrawn=False)])
    for key, finding, rec in targets:
        if decisions.get(key, ("", ""))[0] not in BoardResponseItem.Decision.values:
            errors[key] = f"Say whether the board accepts {finding or rec}"
    if errors:
        raise ValidationError(errors)
    version = (review.board_responses.aggregate(last=Max("version"))["last"] or 0) + 1
    try:
        with transaction.atomic():
            board = save_with_history(BoardResponse(
                review=review, version=version, response=response.strip(),
                monitoring=monitoring.strip(), recorded_by=by),
                by=by, reason=f"Board response version {version}")
    except IntegrityError as exc:
        raise ValidationError("Someone recorded a response at the same time. Try again.") from exc
    for key, finding, rec in targets:
        decision, action = decisions[key]
        save_with_history(BoardResponseItem(review=review, response=board, finding=finding,
                                            recommendation=rec, decision=decision,
                                            action=action.strip()),
                          by=by, reason=f"Board response version {version}")
    return board
