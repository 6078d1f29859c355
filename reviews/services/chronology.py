"""The chronology: an agency's entries (by form or import), its submission, corrections,
and the reviewer's analysis (key practice episodes, episodes).

Rules that hold whatever the entry point, checked here: only the agency's own leads
write its entries; drafts change freely, submitted entries only through a reasoned
correction; an entry dated outside the review's bounds is refused and one outside the
terms of reference's scope period is saved with a warning (``ScopeBounds``); an import
with any bad row saves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone

from agencies.models import Agency, User
from reviews.formats.chronology import read_rows
from reviews.models import ChronologyEntry, ChronologySubmission, Episode, EvidenceRequest, Review
from reviews.models.chronology import ScopeBounds
from reviews.models.history import (
    TimelineRow,
    bulk_create_with_timeline,
    bulk_update_with_timeline,
)
from reviews.services import handoffs
from reviews.services.base import open_review_locked, require_changer
from scr.actions import Action
from scr.figures import note_case_write
from scr.history import save_with_history, withdraw_with_history
from scr.rules import fresh_locked, require_reason
from scr.spreadsheets import ImportRefused, import_rows, import_upload

__all__ = [
    "ENTRY_FIELDS",
    "ImportRefused",
    "ImportResult",
    "chronology_entry_add",
    "chronology_entry_correct",
    "chronology_entry_mark",
    "chronology_entry_update",
    "chronology_entry_withdraw",
    "chronology_import",
    "chronology_submit",
    "episode_create",
    "episode_withdraw",
]

ENTRY_FIELDS = ("occurred_on", "occurred_at", "source", "what_happened", "practitioner_role",
                "child_seen", "significance")


def _require_agency_lead(by: User, review: Review, agency: Agency) -> None:
    """Only the agency's own leads write its chronology, and only in a review their agency
    is involved in."""
    from agencies.models.roles import Role

    if agency.pk not in by.agency_ids(Role.AGENCY_LEAD) or not review.involvements.filter(
            agency=agency).exists():
        raise ValidationError("Only a lead of the agency can change its chronology. "
                              "Nothing was changed.")


def _check_entry(entry: ChronologyEntry, bounds: ScopeBounds) -> list[str]:
    """Field checks and the review's bounds (refused); the scope period (a warning)."""
    entry.full_clean(exclude=["review", "agency", "evidence_request", "submission", "episode"])
    error = bounds.error(entry.occurred_on)
    if error:
        raise ValidationError({"occurred_on": error})
    warning = bounds.warning(entry.occurred_on)
    return [warning] if warning else []


def _entry_changer(entry: ChronologyEntry, by: User, action: Action) -> None:
    """Refuse unless ``by`` may ``action`` the entry and its review is still open (locked)."""
    if not ChronologyEntry.objects.for_user(by, action).filter(pk=entry.pk).exists():
        raise ValidationError("You cannot change this entry. Nothing was changed.")
    open_review_locked(entry.review)


def _locked_entry(entry: ChronologyEntry, by: User, action: Action) -> ChronologyEntry:
    _entry_changer(entry, by, action)
    return fresh_locked(entry)


@transaction.atomic(durable=True)
def chronology_entry_add(*, by: User, review: Review, agency: Agency,
                         evidence_request: EvidenceRequest | None = None,
                         reason: str = "Chronology entry added", **fields: Any,
                         ) -> ChronologyEntry:
    """A draft entry in the agency's chronology. ``entry.warnings`` says when its date is
    outside the terms of reference's scope period (saved all the same)."""
    review = open_review_locked(review)
    _require_agency_lead(by, review, agency)
    entry = ChronologyEntry(review=review, agency=agency, evidence_request=evidence_request,
                            **{k: v for k, v in fields.items() if k in ENTRY_FIELDS})
    warnings = _check_entry(entry, ScopeBounds(review))
    save_with_history(entry, by=by, reason=reason)
    entry.warnings = warnings
    return entry


@transaction.atomic(durable=True)
def chronology_entry_update(*, by: User, entry: ChronologyEntry, reason: str = "",
                            **fields: Any) -> ChronologyEntry:
    """Change a draft entry (the agency's own, before it submits)."""
    stored = _locked_entry(entry, by, "manage")
    if not stored.is_draft:
        raise ValidationError("This entry has been submitted: it can only be corrected, "
                              "with a reason. Nothing was changed.")
    for name in ENTRY_FIELDS:
        if name in fields:
            setattr(stored, name, fields[name])
    warnings = _check_entry(stored, ScopeBounds(stored.review))
    save_with_history(stored, by=by, reason=reason.strip() or "Draft entry changed")
    entry.refresh_from_db()
    entry.warnings = warnings
    return entry


@transaction.atomic(durable=True)
def chronology_entry_correct(*, by: User, entry: ChronologyEntry, reason: str,
                             **fields: Any) -> ChronologyEntry:
    """Correct a submitted entry: the agency's lead, with a reason the history keeps beside
    the values it replaced. The entry stays submitted."""
    reason = require_reason(reason, "Enter the reason for the correction")
    stored = _locked_entry(entry, by, "manage")
    if stored.is_draft:
        raise ValidationError("This entry is still a draft: change it directly.")
    if stored.withdrawn:
        raise ValidationError("This entry was withdrawn. Nothing was changed.")
    changed = [n for n in ENTRY_FIELDS if n in fields and getattr(stored, n) != fields[n]]
    if not changed:
        raise ValidationError("Nothing in the entry was changed.")
    for name in changed:
        setattr(stored, name, fields[name])
    warnings = _check_entry(stored, ScopeBounds(stored.review))
    save_with_history(stored, by=by, reason=f"Correction: {reason}")
    entry.refresh_from_db()
    entry.warnings = warnings
    return entry


@transaction.atomic(durable=True)
def chronology_entry_withdraw(*, by: User, entry: ChronologyEntry, reason: str,
                              ) -> ChronologyEntry:
    """Take an entry out of the chronology (kept, with who and why, in the history)."""
    _entry_changer(entry, by, "manage")
    return withdraw_with_history(entry, by=by, reason=reason, prepare=_ungroup,
                                 already="This entry has already been withdrawn.")


def _ungroup(entry: ChronologyEntry, _reason: str) -> None:
    entry.episode = None


@transaction.atomic(durable=True)
def chronology_submit(*, by: User, review: Review, agency: Agency,
                      evidence_request: EvidenceRequest | None = None) -> ChronologySubmission:
    """Submit the agency's chronology: every draft entry becomes submitted, fixed, and joins
    the merged chronology. A second submission with no new drafts (a double click) is
    refused, changing nothing."""
    return chronology_submit_within(by=by, review=review, agency=agency,
                                    evidence_request=evidence_request)


@transaction.atomic(savepoint=False)
def chronology_submit_within(*, by: User, review: Review, agency: Agency,
                             evidence_request: EvidenceRequest | None = None,
                             ) -> ChronologySubmission:
    """``chronology_submit`` in the caller's transaction (``services.evidence`` submits the
    agency's chronology request with it, in one step)."""
    review = open_review_locked(review)
    _require_agency_lead(by, review, agency)
    submission = submit_drafts(by=by, review=review, agency=agency,
                                evidence_request=evidence_request)
    if submission is None:
        raise ValidationError("There are no draft entries to submit. Nothing was changed.")
    if evidence_request is None:  # through a request: its answer is the hand-off
        handoffs.notify_chronology_submitted(by=by, review=review, agency_name=str(agency),
                                             submission=submission)
    return submission


@transaction.atomic(savepoint=False)
def submit_drafts(*, by: User, review: Review, agency: Agency,
                   evidence_request: EvidenceRequest | None) -> ChronologySubmission | None:
    """The agency's draft entries become submitted (None when it has none), in the caller's
    transaction: ``chronology_submit`` and the submission of a chronology-kind evidence
    request (``services.evidence``) both end here."""
    drafts = list(ChronologyEntry.objects.select_for_update().filter(
        review=review, agency=agency, status=ChronologyEntry.Status.DRAFT, withdrawn=False))
    if not drafts:
        return None
    now = timezone.now()
    submission = save_with_history(ChronologySubmission(
        review=review, agency=agency, evidence_request=evidence_request, submitted_at=now,
        submitted_by=by, entries_count=len(drafts)), by=by, reason="Chronology submitted")
    for entry in drafts:
        entry.status = ChronologyEntry.Status.SUBMITTED
        entry.submission = submission
        if evidence_request is not None and entry.evidence_request_id is None:
            entry.evidence_request = evidence_request
    bulk_update_with_timeline(drafts, ChronologyEntry,
                              ["status", "submission", "evidence_request"], batch_size=1000,
                              default_user=by, default_change_reason="Chronology submitted",
                              default_date=now)
    note_case_write()
    if len(drafts) >= ANALYZE_AFTER:
        transaction.on_commit(_refresh_statistics)
    return submission


# ---------------------------------------------------------------- import


@dataclass
class ImportResult:
    created: int
    warnings: list[str] = field(default_factory=list)


# After an import this large, PostgreSQL's statistics on the table are refreshed at once
# rather than when autovacuum gets to it: with stale ones the planner takes the scope's
# subquery as matching one row and runs it per entry (seconds instead of milliseconds).
ANALYZE_AFTER = 1000


def _refresh_statistics() -> None:
    """The entries' table and the review's timeline (two rows per entry once submitted)."""
    with connection.cursor() as cursor:
        for model in (ChronologyEntry, TimelineRow):
            cursor.execute(f"ANALYZE {model._meta.db_table}")


@transaction.atomic(durable=True)
def chronology_import(*, by: User, review: Review, agency: Agency, upload: File,
                      evidence_request: EvidenceRequest | None = None) -> ImportResult:
    """Import draft entries from a CSV or XLSX file: every row is checked first, and a file
    with any bad row imports nothing (``ImportRefused`` names each bad row's line)."""
    stream, xlsx = import_upload(upload)
    review = open_review_locked(review)
    _require_agency_lead(by, review, agency)
    bounds = ScopeBounds(review)
    entries: list[ChronologyEntry] = []
    problems: list[tuple[int, str]] = []
    warnings: list[str] = []
    for row in import_rows(read_rows(stream, xlsx=xlsx)):
        if not row.errors and row.fields["occurred_on"]:
            error = bounds.error(row.fields["occurred_on"])
            if error:
                row.errors.append(error)
            elif warning := bounds.warning(row.fields["occurred_on"]):
                warnings.append(f"Line {row.line}: {warning}")
        if row.errors:
            problems.append((row.line, "; ".join(row.errors)))
            continue
        entries.append(ChronologyEntry(review=review, agency=agency,
                                       evidence_request=evidence_request, **row.fields))
    if problems:
        raise ImportRefused(problems)
    if not entries:
        raise ValidationError({"file": "The file has no entries below its headings"})
    reason = f"Imported from {(upload.name or 'a file')[:100]}"
    if connection.features.can_return_rows_from_bulk_insert:
        bulk_create_with_timeline(entries, ChronologyEntry, batch_size=1000, default_user=by,
                                  default_change_reason=reason)
        note_case_write()
        if len(entries) >= ANALYZE_AFTER:
            transaction.on_commit(_refresh_statistics)
    else:  # a database that does not return the new ids (old SQLite): one save at a time
        for entry in entries:
            save_with_history(entry, by=by, reason=reason)
    return ImportResult(created=len(entries), warnings=warnings)


# ---------------------------------------------------------------- the reviewer's analysis


def _analysed_entry(entry: ChronologyEntry, by: User) -> ChronologyEntry:
    require_changer(by, entry.review, "mark submitted entries")
    if not ChronologyEntry.objects.for_user(by, "change").filter(pk=entry.pk).exists():
        raise ValidationError("Only submitted entries are marked. Nothing was changed.")
    open_review_locked(entry.review)
    return fresh_locked(entry)


@transaction.atomic(durable=True)
def chronology_entry_mark(*, by: User, entry: ChronologyEntry, significance: str,
                          reason: str = "") -> ChronologyEntry:
    """The reviewer's judgement of a submitted entry's significance (a key practice episode,
    or not); the agency's own view stays in the history."""
    stored = _analysed_entry(entry, by)
    if significance not in ChronologyEntry.Significance.values:
        raise ValidationError({"significance": "Select the significance"})
    if stored.significance == significance:
        raise ValidationError("The entry is already marked so. Nothing was changed.")
    stored.significance = significance
    label = ChronologyEntry.Significance(significance).label
    save_with_history(stored, by=by, reason=reason.strip() or f"Marked: {label}")
    entry.refresh_from_db()
    return entry


@transaction.atomic(durable=True)
def episode_create(*, by: User, review: Review, title: str, entries: list[ChronologyEntry],
                   description: str = "") -> Episode:
    """Group submitted entries into an episode with a title."""
    review = open_review_locked(review)
    require_changer(by, review, "group entries")
    if not title.strip():
        raise ValidationError({"title": "Enter a title for the episode"})
    ids = [e.pk for e in entries]
    chosen = list(ChronologyEntry.objects.for_user(by, "change").select_for_update().filter(
        review=review, pk__in=ids, withdrawn=False))
    if not ids:
        raise ValidationError("Select the entries to group into the episode.")
    if len(chosen) != len(set(ids)):
        raise ValidationError("Some of the selected entries are not submitted entries of this "
                              "review. Nothing was changed.")
    taken = [e for e in chosen if e.episode_id is not None]
    if taken:
        raise ValidationError(f"{len(taken)} of the selected entries already belong to an "
                              "episode. Nothing was changed.")
    episode = Episode(review=review, title=title.strip(), description=description.strip())
    episode.full_clean(exclude=["review"])
    save_with_history(episode, by=by, reason="Episode created")
    for entry in chosen:
        entry.episode = episode
        save_with_history(entry, by=by, reason=f"Grouped into the episode “{episode.title}”")
    return episode


@transaction.atomic(durable=True)
def episode_withdraw(*, by: User, episode: Episode, reason: str) -> Episode:
    """Ungroup an episode: its entries are no longer grouped; the episode is kept, withdrawn."""
    require_changer(by, episode.review, "change this episode")
    open_review_locked(episode.review)

    def ungroup_entries(stored: Episode, reason: str) -> None:
        for entry in ChronologyEntry.objects.select_for_update().filter(episode=stored):
            entry.episode = None
            save_with_history(entry, by=by, reason=reason)

    return withdraw_with_history(episode, by=by, reason=reason, prepare=ungroup_entries,
                                 already="This episode has already been withdrawn.")
