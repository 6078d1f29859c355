"""Evidence from agencies: sending requests, answering them, and deciding on the answers.

Every move of a request goes through ``_move``, which reads ``EVIDENCE_MOVES`` (who may
make it, from which state) under a row lock, so a double click or a second tab is refused
rather than applied twice. E-mails to the agency's leads are queued after the commit
(``reviews.tasks.evidence_notify``, ids only) and sent once per lead through the
reminders ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from agencies.models import Agency, User
from agencies.models.roles import Role
from reviews.models import (
    AWAITING_AGENCY,
    EVIDENCE_MOVES,
    IMR_HEADINGS,
    OPEN_EVIDENCE,
    AgencyReport,
    ChronologySubmission,
    EvidenceDocument,
    EvidenceKind,
    EvidenceRequest,
    EvidenceStatus,
    EvidenceSubmission,
    FactualAnswer,
    Mover,
    ReportSnapshot,
    Review,
    SnapshotPart,
)
from reviews.selectors.evidence import is_lead_of as _is_lead_of
from reviews.selectors.evidence import may_move
from reviews.services import handoffs
from reviews.services.base import open_review_locked, require_changer
from reviews.services.chronology import chronology_submit_within, submit_drafts
from scr.documents import document_restore, document_store_version, document_withdraw
from scr.history import save_with_history
from scr.rules import fresh_locked, require_reason

__all__ = [
    "IMR_REQUIRED",
    "agency_chronology_submit",
    "agency_report_save",
    "chronology_submitted",
    "evidence_answer_share",
    "evidence_document_restore",
    "evidence_document_upload",
    "evidence_document_withdraw",
    "evidence_request_accept",
    "evidence_request_acknowledge",
    "evidence_request_create",
    "evidence_request_edit",
    "evidence_request_return",
    "evidence_request_submit",
    "evidence_request_withdraw",
    "evidence_requests_accept",
    "evidence_requests_send",
    "factual_check_answer",
    "factual_check_send",
]

S = EvidenceStatus
# The headings an agency report cannot be submitted without.
IMR_REQUIRED = ("author", "independence", "records_secured_on", "analysis", "lessons")


def _notify(request: EvidenceRequest, event: str, number: int = 0, *, by: User) -> None:
    """Tell the agency's leads (a notification, e-mailed once through the outbox and the
    reminders ledger: ``services.handoffs``)."""
    if event == "returned":
        handoffs.notify_evidence_returned(by=by, request=request, number=number)
    else:
        handoffs.notify_evidence_requested(by=by, request=request)


def _check_move(by: User, stored: EvidenceRequest, to: str) -> None:
    """Refuse, saying why, a move the table does not have or the person may not make."""
    if stored.status == to:
        raise ValidationError(f"This request is already {S(to).label.lower()}. "
                              "Nothing was changed.")
    if (stored.status, to) not in EVIDENCE_MOVES:
        raise ValidationError(f"A request that is {S(stored.status).label.lower()} cannot be "
                              f"{S(to).label.lower()}. Nothing was changed.")
    if not may_move(by, stored, to):
        mover = Mover(EVIDENCE_MOVES[(stored.status, to)]).label
        raise ValidationError(f"Only {mover} can do this. Nothing was changed.")


@transaction.atomic(savepoint=False)
def _move(*, by: User, request: EvidenceRequest, to: str, reason: str,
          **fields: Any) -> EvidenceRequest:
    """Move a request to ``to`` (a fresh, locked copy), or refuse saying why, changing
    nothing. The caller's object is refreshed once saved."""
    open_review_locked(request.review)
    stored = fresh_locked(request)
    _check_move(by, stored, to)
    stored.status = to
    for name, value in fields.items():
        setattr(stored, name, value)
    stored.full_clean()
    save_with_history(stored, by=by, reason=reason)
    request.refresh_from_db()
    return stored


def _open_duplicate(review: Review, agency: Agency, kind: str,
                    snapshot: ReportSnapshot | None = None) -> EvidenceRequest | None:
    """The open request this one would duplicate: of the same kind (for a factual-accuracy
    check, of the same version of the report)."""
    found = review.evidence_requests.filter(agency=agency, kind=kind, status__in=OPEN_EVIDENCE)
    if kind == EvidenceKind.FACTUAL_ACCURACY:
        found = found.filter(snapshot=snapshot)
    return found.first()


def _duplicate_error(first: EvidenceRequest) -> ValidationError:
    what = (f"{first.kind_phrase} of this version" if first.is_factual_check
            else first.kind_phrase)
    link = format_html('A request for the {} has already been sent to {} and is still open: '
                       '<a class="govuk-link" href="{}">see the open request</a>. Nothing was '
                       'sent.', what, first.agency,
                       reverse("evidence_request", args=[first.pk]))
    return ValidationError({"agencies": link})


@transaction.atomic(savepoint=False)
def _send(*, by: User, review: Review, agencies: Iterable[Agency], kind: str,
          description: str, due_on: date, snapshot: ReportSnapshot | None = None,
          parts: Mapping[int, Sequence[SnapshotPart]] | None = None) -> list[EvidenceRequest]:
    """Every request is made here (one per agency, all or none). A factual-accuracy check
    also names the version of the report (``snapshot``) and, per agency id, the parts of it
    sent to that agency (``parts``)."""
    review = open_review_locked(review)
    require_changer(by, review, "request evidence", nothing="sent")
    agencies = list(agencies)
    if not agencies:
        raise ValidationError({"agencies": "Select at least one agency"})
    if kind not in EvidenceKind.values:
        raise ValidationError({"kind": "Select the kind of evidence"})
    if (kind == EvidenceKind.FACTUAL_ACCURACY) != (snapshot is not None):
        raise ValidationError({"kind": "A factual-accuracy check is sent from a version of "
                                       "the report, with the sections to check"})
    if not description.strip():
        raise ValidationError({"description": "Describe what is needed"})
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": "The due date cannot be in the past"})
    involved = set(review.involvements.values_list("agency_id", flat=True))
    for agency in agencies:
        if agency.pk not in involved:
            raise ValidationError({"agencies": f"{agency} is not involved in this review"})
        first = _open_duplicate(review, agency, kind, snapshot)
        if first is not None:
            raise _duplicate_error(first)
    sent = []
    for agency in agencies:
        request = EvidenceRequest(review=review, agency=agency, kind=kind,
                                  description=description.strip(), due_on=due_on,
                                  snapshot=snapshot)
        request.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                save_with_history(request, by=by, reason="Evidence requested")
        except IntegrityError:
            # Sent at the same moment from another tab: the first one stands.
            first = _open_duplicate(review, agency, kind, snapshot)
            assert first is not None  # the insert broke the unique constraint of an open one
            raise _duplicate_error(first) from None
        if parts is not None:
            request.checked_parts.set(parts[agency.pk])
        _notify(request, "sent", by=by)
        sent.append(request)
    return sent


@transaction.atomic(durable=True)
def evidence_requests_send(*, by: User, review: Review, agencies: Iterable[Agency], kind: str,
                           description: str, due_on: date) -> list[EvidenceRequest]:
    """Send one request to each agency at once (all or none): refused if any agency already
    has an open request of this kind, with a link to it."""
    return _send(by=by, review=review, agencies=agencies, kind=kind, description=description,
                 due_on=due_on)


@transaction.atomic(durable=True)
def evidence_request_create(*, by: User, review: Review, agency: Agency, due_on: date,
                            description: str, kind: str = EvidenceKind.IMR) -> EvidenceRequest:
    """One request to one agency (``evidence_requests_send`` for one agency)."""
    return _send(by=by, review=review, agencies=[agency], kind=kind, description=description,
                 due_on=due_on)[0]


@transaction.atomic(durable=True)
def evidence_request_edit(*, by: User, request: EvidenceRequest, description: str,
                          due_on: date, reason: str) -> EvidenceRequest:
    """Change what is needed or the due date of an open request, with a reason."""
    reason = require_reason(reason)
    open_review_locked(request.review)
    stored = fresh_locked(request)
    require_changer(by, stored.review, "change a request")
    if not stored.is_open:
        raise ValidationError(f"This request is {stored.get_status_display().lower()}, so it "
                              "can no longer be changed. Nothing was changed.")
    if due_on != stored.due_on and due_on < timezone.localdate():
        raise ValidationError({"due_on": "The due date cannot be in the past"})
    if not description.strip():
        raise ValidationError({"description": "Describe what is needed"})
    stored.description, stored.due_on = description.strip(), due_on
    stored.full_clean()
    save_with_history(stored, by=by, reason=reason)
    request.refresh_from_db()
    return request


@transaction.atomic(durable=True)
def evidence_request_acknowledge(*, by: User, request: EvidenceRequest) -> EvidenceRequest:
    _move(by=by, request=request, to=S.ACKNOWLEDGED, reason="Request acknowledged")
    return request


def chronology_submitted(*, by: User, request: EvidenceRequest,
                         submission: EvidenceSubmission) -> None:
    """Called, inside the submission's transaction, when an agency submits a request of the
    chronology kind: the agency's draft chronology entries (entered in a form or imported,
    ``services.chronology``) become its submitted entries in the merged chronology, linked
    to this request. An answer with no draft entries (a document or a note only, or entries
    submitted earlier from the agency's chronology page) submits nothing more."""
    submit_drafts(by=by, review=request.review, agency=request.agency, evidence_request=request)


@transaction.atomic(durable=True)
def evidence_request_submit(*, by: User, request: EvidenceRequest, expected_number: int,
                            note: str = "") -> EvidenceSubmission:
    """Submit the answer: a new immutable, numbered version. ``expected_number`` is the
    number of submissions when the form was shown, so the same version sent twice (a double
    click) is refused. An agency report needs its required headings; any other kind a note
    or a document (a factual-accuracy check is answered with ``factual_check_answer``).
    Documents not yet submitted go with it."""
    return _submit(by=by, request=request, expected_number=expected_number, note=note)


@transaction.atomic(savepoint=False)
def _submit(*, by: User, request: EvidenceRequest, expected_number: int, note: str = "",
            answer: str = "") -> EvidenceSubmission:
    open_review_locked(request.review)
    stored = fresh_locked(request)
    to = S.RESUBMITTED if stored.status == S.RETURNED else S.SUBMITTED
    number = stored.submissions.count()
    if expected_number != number:
        raise ValidationError("This version has already been submitted. Nothing was changed.")
    _check_move(by, stored, to)
    pending = stored.documents.filter(submission_number__isnull=True, withdrawn_at__isnull=True)
    report: dict[str, str] = {}
    if stored.kind == EvidenceKind.FACTUAL_ACCURACY:
        if answer not in FactualAnswer.values:
            raise ValidationError({"answer": "Say whether the sections are accurate or need "
                                             "corrections"})
        if answer == FactualAnswer.CORRECTIONS and not note.strip():
            raise ValidationError({"corrections": "Enter the corrections needed"})
        report = {"answer": answer}
    elif stored.kind == EvidenceKind.IMR:
        draft = AgencyReport.objects.filter(request=stored).first()
        report = draft.as_report() if draft else {}
        labels = {name: label for name, label, _ in IMR_HEADINGS}
        empty = [labels[name] for name in IMR_REQUIRED if not report.get(name)]
        if empty:
            raise ValidationError("Complete the agency report before submitting it: "
                                  + ", ".join(empty) + ".")
    elif not note.strip() and not pending.exists():
        raise ValidationError({"note": "Add a note or upload a document before submitting"})
    _move(by=by, request=request, to=to,
          reason="Evidence resubmitted" if to == S.RESUBMITTED else "Evidence submitted")
    submission = save_with_history(EvidenceSubmission(
        request=stored, number=number + 1, note=note.strip(), report=report,
        due_on=stored.due_on, submitted_by=by), by=by, reason=f"Version {number + 1} submitted")
    for document in pending:
        document.submission_number = submission.number
        save_with_history(document, by=by, reason=f"Submitted with version {submission.number}")
    if stored.kind == EvidenceKind.CHRONOLOGY:
        chronology_submitted(by=by, request=stored, submission=submission)
    handoffs.notify_evidence_answered(by=by, request=stored, number=submission.number)
    return submission


@transaction.atomic(durable=True)
def agency_chronology_submit(*, by: User, review: Review, agency: Agency,
                             ) -> tuple[ChronologySubmission, EvidenceRequest | None]:
    """Submitting the agency's chronology is one step (issue 19): its draft entries join the
    merged chronology and, if the agency has a chronology request still awaiting its answer
    (the one due first), that request is submitted with them, so nobody has to submit it
    again from the request's page. Without such a request, the entries alone."""
    review = open_review_locked(review)
    request = (EvidenceRequest.objects.filter(
        review=review, agency=agency, kind=EvidenceKind.CHRONOLOGY, status__in=AWAITING_AGENCY)
        .order_by("due_on", "pk").first())
    submission = chronology_submit_within(by=by, review=review, agency=agency,
                                          evidence_request=request)
    if request is not None:
        entries = submission.entries_count
        _submit(by=by, request=request, expected_number=request.submissions.count(),
                note=f"The agency's chronology: {entries} entr{'y' if entries == 1 else 'ies'} "
                     f"submitted.")
    return submission, request


@transaction.atomic(durable=True)
def factual_check_send(*, by: User, snapshot: ReportSnapshot,
                       agency_sections: Mapping[Agency, Sequence[SnapshotPart]], due_on: date,
                       description: str = "") -> list[EvidenceRequest]:
    """Send a named version of the report to involved agencies for a factual-accuracy check:
    each agency gets its own request (an evidence request of the factual-accuracy kind, so
    e-mails, due dates, overdue, the home page and the grid work as for any other) with the
    sections about it. The business manager or the review's reviewer; at least one section
    per agency, all of this version; refused if an agency already has an open check of this
    version. All or none."""
    review = snapshot.review
    require_changer(by, review, "send the report for factual-accuracy checking",
                    nothing="sent")
    if not agency_sections:
        raise ValidationError({"agencies": "Select the sections to send to at least one agency"})
    parts: dict[int, list[SnapshotPart]] = {}
    for agency, chosen in agency_sections.items():
        chosen = list(chosen)
        if not chosen:
            raise ValidationError({"agencies": f"Select at least one section for {agency}"})
        if any(part.snapshot_id != snapshot.pk for part in chosen):
            raise ValidationError({"agencies": "Send only sections of this version"})
        parts[agency.pk] = sorted(set(chosen), key=lambda part: part.position)
    text = " ".join(description.split()) or (
        f"Please check the sections of “{snapshot.name}” (version {snapshot.number}) sent to "
        "you for factual accuracy: answer “accurate”, or say what needs correcting.")
    return _send(by=by, review=review, agencies=list(agency_sections),
                 kind=EvidenceKind.FACTUAL_ACCURACY, description=text, due_on=due_on,
                 snapshot=snapshot, parts=parts)


@transaction.atomic(durable=True)
def factual_check_answer(*, by: User, request: EvidenceRequest, expected_number: int,
                         answer: str, corrections: str = "") -> EvidenceSubmission:
    """The agency's answer to a factual-accuracy check: "accurate", or "corrections" with
    the corrections (required then). Submitted like any other answer: a new immutable,
    numbered version the reviewer accepts or returns for more."""
    if request.kind != EvidenceKind.FACTUAL_ACCURACY:
        raise ValidationError("This request is not a factual-accuracy check.")
    note = corrections if answer == FactualAnswer.CORRECTIONS else ""
    return _submit(by=by, request=request, expected_number=expected_number, note=note,
                   answer=answer)


@transaction.atomic(durable=True)
def evidence_request_return(*, by: User, request: EvidenceRequest,
                            missing: str) -> EvidenceRequest:
    """Return a submission for more, saying what is missing; the agency's leads are told."""
    missing = require_reason(missing, "Say what is missing", field="missing")
    number = request.submissions.count()
    _move(by=by, request=request, to=S.RETURNED, reason=f"Returned for more: {missing}",
          missing=missing)
    _notify(request, "returned", number, by=by)
    return request


@transaction.atomic(durable=True)
def evidence_request_accept(*, by: User, request: EvidenceRequest) -> EvidenceRequest:
    _move(by=by, request=request, to=S.ACCEPTED, reason="Evidence accepted",
          accepted_on=timezone.localdate())
    return request


@transaction.atomic(durable=True)
def evidence_requests_accept(*, by: User, review: Review,
                             requests: Iterable[EvidenceRequest]) -> list[EvidenceRequest]:
    """Accept several submitted answers of one review at once: each as
    ``evidence_request_accept`` would, all or none (one refused refuses them all, saying
    which and why)."""
    chosen = list(requests)
    if not chosen:
        raise ValidationError({"requests": "Select the evidence to accept"})
    accepted = []
    for request in chosen:
        if request.review_id != review.pk:
            raise ValidationError("Choose evidence of this review. Nothing was changed.")
        named = f"{request.get_kind_display()} from {request.agency}"  # read before a refusal
        try:
            accepted.append(_move(by=by, request=request, to=S.ACCEPTED,
                                  reason="Evidence accepted", accepted_on=timezone.localdate()))
        except ValidationError as error:
            raise ValidationError(f"{named}: {' '.join(error.messages)} Nothing was "
                                  f"changed.") from error
    return accepted


@transaction.atomic(durable=True)
def evidence_request_withdraw(*, by: User, request: EvidenceRequest,
                              reason: str) -> EvidenceRequest:
    reason = require_reason(reason, "Enter the reason for withdrawing the request")
    _move(by=by, request=request, to=S.WITHDRAWN, reason=f"Request withdrawn: {reason}",
          withdrawn_reason=reason)
    return request


@transaction.atomic(durable=True)
def evidence_answer_share(*, by: User, request: EvidenceRequest) -> EvidenceRequest:
    """The reviewer (or business manager) shares a received answer with the panel."""
    open_review_locked(request.review)
    stored = fresh_locked(request)
    require_changer(by, stored.review, "share an answer with the panel")
    if stored.shared_with_panel:
        raise ValidationError("This answer is already shared with the panel. "
                              "Nothing was changed.")
    if not stored.submissions.exists():
        raise ValidationError("Nothing has been submitted yet, so there is nothing to share.")
    stored.shared_with_panel = True
    save_with_history(stored, by=by, reason="Answer shared with the panel")
    request.refresh_from_db()
    return request


def _answerable(by: User, request: EvidenceRequest) -> EvidenceRequest:
    """The fresh, locked request if ``by`` may still work on its answer."""
    open_review_locked(request.review)
    stored = fresh_locked(request)
    if not _is_lead_of(by, stored.agency_id):
        raise ValidationError(f"Only {stored.agency}'s leads can answer this request. "
                              "Nothing was changed.")
    if not stored.awaits_agency:
        raise ValidationError(f"This request is {stored.get_status_display().lower()}, so it "
                              "cannot be answered now. Nothing was changed.")
    return stored


@transaction.atomic(durable=True)
def agency_report_save(*, by: User, request: EvidenceRequest, **headings: Any) -> AgencyReport:
    """Save the agency report's draft (private to the agency until submitted)."""
    stored = _answerable(by, request)
    if stored.kind != EvidenceKind.IMR:
        raise ValidationError("This request does not ask for an agency report.")
    draft = AgencyReport.objects.select_for_update().filter(request=stored).first() or \
        AgencyReport(request=stored)
    for name, _, _ in IMR_HEADINGS:
        if name in headings:
            setattr(draft, name, headings[name])
    draft.updated_at = timezone.now()
    draft.full_clean()
    return save_with_history(draft, by=by, reason="Agency report draft saved")


@transaction.atomic(durable=True)
def evidence_document_upload(*, by: User, request: EvidenceRequest, upload: File,
                             replaces: EvidenceDocument | None = None) -> EvidenceDocument:
    """Attach a file to the answer, or replace one (its next version): checked by content
    (scr.documents), stored under a random name, never overwriting anything."""
    stored = _answerable(by, request)
    if replaces is not None and replaces.request_id != stored.pk:
        raise ValidationError("That document belongs to another request.")
    series = replaces.series if replaces is not None else (
        stored.documents.aggregate(n=Max("series"))["n"] or 0) + 1
    return document_store_version(
        model=EvidenceDocument, by=by, upload=upload, request=stored, series=series,
        reason="Document replaced" if replaces is not None else "Document attached")


def _document_changer(by: User, document: EvidenceDocument) -> None:
    open_review_locked(document.request.review)
    if not (by.has_role(Role.BUSINESS_MANAGER) or _is_lead_of(by, document.request.agency_id)):
        raise ValidationError("Only the agency's leads or the business manager can do this.")


@transaction.atomic(durable=True)
def evidence_document_withdraw(*, by: User, document: EvidenceDocument,
                               reason: str) -> EvidenceDocument:
    _document_changer(by, document)
    return document_withdraw(document=document, by=by, reason=reason)


@transaction.atomic(durable=True)
def evidence_document_restore(*, by: User, document: EvidenceDocument,
                              reason: str) -> EvidenceDocument:
    _document_changer(by, document)
    return document_restore(document=document, by=by, reason=reason)
