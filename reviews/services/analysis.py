"""Writes of the analysis: the partnership's themes, findings and the evidence they rest on,
recommendations.

Findings and recommendations are drafted by the review's independent reviewer (or a
business manager) between the Analysis and Sign-off stages. Every change to them is a
change to the report (they are pulled into it), so each one goes through
``report_changed``: the report's revision moves on and any sign-off approval is voided.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from agencies.models import Agency, User
from agencies.models.roles import Role
from reviews.models import (
    ChronologyEntry,
    Episode,
    EvidenceRequest,
    EvidenceSubmission,
    Finding,
    FindingEvidence,
    Meeting,
    Recommendation,
    Review,
    Stage,
    Theme,
)
from reviews.services.base import open_review_locked, report_changed, require_changer
from scr.history import mark_history, save_with_history, withdraw_with_history
from scr.rules import fresh_locked
from scr.text import normalise_text

__all__ = [
    "DRAFTING_STAGES",
    "finding_create",
    "finding_evidence_add",
    "finding_evidence_withdraw",
    "finding_update",
    "finding_withdraw",
    "recommendation_create",
    "recommendation_update",
    "recommendation_withdraw",
    "theme_create",
    "theme_delete",
    "theme_update",
]

# When the analysis and the report may change: from Analysis until sign-off is done.
DRAFTING_STAGES = (Stage.ANALYSIS, Stage.REPORT, Stage.SIGN_OFF)


def drafting_review(by: User, review: Review, what: str) -> Review:
    """The review, locked, if ``by`` drafts it (its reviewer, or a business manager) and it
    is at a drafting stage."""
    stored = open_review_locked(review)
    require_changer(by, stored, what)
    if stored.stage not in DRAFTING_STAGES:
        raise ValidationError(f"You can {what} from the Analysis stage until sign-off; this "
                              f"review is at {Stage(stored.stage).label}. Nothing was changed.")
    return stored


# ---------------------------------------------------------------- themes


def _manager_only(by: User) -> None:
    if not by.has_role(Role.BUSINESS_MANAGER):
        raise ValidationError("Only a business manager can change the list of themes.")


def _theme_name(name: str, exclude: int = 0) -> str:
    name = normalise_text(name or "")
    if not name:
        raise ValidationError({"name": "Enter the name of the theme"})
    if Theme.objects.exclude(pk=exclude).filter(name__iexact=name).exists():
        raise ValidationError({"name": f"There is already a theme called “{name}”"})
    return name


@transaction.atomic(durable=True)
def theme_create(*, by: User, name: str, description: str = "") -> Theme:
    _manager_only(by)
    position = (Theme.objects.aggregate(last=Max("position"))["last"] or 0) + 1
    theme = Theme(name=_theme_name(name), description=description.strip(), position=position)
    theme.full_clean()
    return save_with_history(theme, by=by, reason="Theme added")


@transaction.atomic(durable=True)
def theme_update(*, by: User, theme: Theme, name: str, description: str, retired: bool,
                 reason: str = "") -> Theme:
    """Rename, describe, retire or bring back a theme. Retiring keeps it on the findings
    that have it; it is no longer offered for new ones."""
    _manager_only(by)
    stored = fresh_locked(theme)
    stored.name = _theme_name(name, exclude=stored.pk)
    stored.description = description.strip()
    stored.retired = retired
    stored.full_clean()
    save_with_history(stored, by=by, reason=reason.strip() or "Theme changed")
    theme.refresh_from_db()
    return theme


@transaction.atomic(durable=True)
def theme_delete(*, by: User, theme: Theme) -> None:
    """A theme no finding has ever used may go (it is not case data); a theme in use — on
    any finding, even a withdrawn one — can only be retired."""
    _manager_only(by)
    stored = fresh_locked(theme)
    past = apps.get_model("reviews", "HistoricalFinding_themes")
    if stored.findings.exists() or past.objects.filter(theme=stored).exists():
        raise ValidationError(f"“{stored}” is used by findings, so it cannot be deleted. "
                              "Retire it instead: findings keep it, new ones cannot choose it.")
    mark_history(stored, by=by, reason="Theme deleted (never used)")
    stored.delete()


# ---------------------------------------------------------------- findings


def _check_themes(themes: Iterable[Theme], current: Iterable[Theme] = ()) -> list[Theme]:
    """Retired themes can stay on a finding that had them, but not be newly chosen."""
    themes = list(themes)
    had = {t.pk for t in current}
    retired = [t.name for t in themes if t.retired and t.pk not in had]
    if retired:
        raise ValidationError({"themes": f"“{retired[0]}” has been retired: choose a current "
                                         "theme"})
    return themes


def _check_repeats(review: Review, repeats: Iterable[Finding]) -> list[Finding]:
    """A finding repeats findings of *earlier published* reviews, never its own review's."""
    repeats = list(Finding.objects.filter(pk__in=[f.pk for f in repeats]).select_related("review"))
    for earlier in repeats:
        if earlier.review_id == review.pk or earlier.review.published_on is None or earlier.withdrawn:
            raise ValidationError({"repeats": "A finding can only repeat a finding of an earlier "
                                              "published review"})
    return repeats


def _clean_lines(lines: Iterable[str]) -> list[str]:
    return sorted({normalise_text(line) for line in lines if normalise_text(line)})


@transaction.atomic(durable=True)
def finding_create(*, by: User, review: Review, title: str, statement: str,
                   why_it_matters: str, themes: Iterable[Theme] = (),
                   lines_of_enquiry: Iterable[str] = (),
                   repeats: Iterable[Finding] = ()) -> Finding:
    review = drafting_review(by, review, "write findings")
    number = (review.findings.aggregate(last=Max("number"))["last"] or 0) + 1
    finding = Finding(review=review, number=number, title=normalise_text(title),
                      statement=statement.strip(), why_it_matters=why_it_matters.strip(),
                      lines_of_enquiry=_clean_lines(lines_of_enquiry), created_by=by)
    finding.full_clean()
    save_with_history(finding, by=by, reason="Finding added")
    finding.themes.set(_check_themes(themes))
    finding.repeats.set(_check_repeats(review, repeats))
    # The many-to-many sets are part of this version: record them in its history too.
    save_with_history(finding, by=by, reason="Finding added")
    report_changed(review, by=by, what=f"Finding {number} added")
    return finding


@transaction.atomic(durable=True)
def finding_update(*, by: User, finding: Finding, title: str, statement: str,
                   why_it_matters: str, themes: Iterable[Theme] = (),
                   lines_of_enquiry: Iterable[str] = (), repeats: Iterable[Finding] = (),
                   reason: str = "") -> Finding:
    review = drafting_review(by, finding.review, "change findings")
    stored = fresh_locked(finding)
    if stored.withdrawn:
        raise ValidationError("This finding was withdrawn. Nothing was changed.")
    stored.title, stored.statement = normalise_text(title), statement.strip()
    stored.why_it_matters = why_it_matters.strip()
    stored.lines_of_enquiry = _clean_lines(lines_of_enquiry)
    stored.full_clean()
    stored.themes.set(_check_themes(themes, stored.themes.all()))
    stored.repeats.set(_check_repeats(review, repeats))
    save_with_history(stored, by=by, reason=reason.strip() or "Finding changed")
    report_changed(review, by=by, what=f"Finding {stored.number} changed")
    finding.refresh_from_db()
    return finding


@transaction.atomic(durable=True)
def finding_withdraw(*, by: User, finding: Finding, reason: str) -> Finding:
    """Withdraw (never delete) a finding. Refused while a recommendation rests on it alone:
    a recommendation always has a finding."""
    review = drafting_review(by, finding.review, "withdraw findings")
    withdraw_with_history(finding, by=by, reason=reason, prepare=_no_recommendation_rests_on,
                          already="This finding has already been withdrawn.",
                          missing_reason="Enter the reason for withdrawing the finding")
    report_changed(review, by=by, what=f"Finding {finding.number} withdrawn")
    return finding


def _no_recommendation_rests_on(finding: Finding, _reason: str) -> None:
    for rec in finding.recommendations.filter(withdrawn=False).prefetch_related("findings"):
        if not [f for f in rec.findings.all() if f.pk != finding.pk and not f.withdrawn]:
            raise ValidationError(f"{rec} rests only on this finding: tie it to another "
                                  f"finding or withdraw it first. Nothing was changed.")


# A link of a kind with its own record names that record: "Chronology entry" with no entry
# would look like a finding traced to evidence while it is traced to nothing (issue 19). A
# source with no record in the system is "Other source", with where it is.
CHOOSE_TARGET = {"evidence_request": "Choose the evidence from an agency",
                 "episode": "Choose the key practice episode (or choose “Other source” and "
                            "say where the evidence is)",
                 "chronology_entry": "Choose the chronology entry (or choose “Other source” "
                                     "and say where the evidence is)",
                 "agency_report": "Choose the agency report (or choose “Other source” and say "
                                  "where the evidence is)",
                 "meeting": "Choose the meeting (or choose “Other source” and say where the "
                            "evidence is)"}


@transaction.atomic(durable=True)
def finding_evidence_add(*, by: User, finding: Finding, kind: str,
                         evidence_request: EvidenceRequest | None = None,
                         episode: Episode | None = None,
                         chronology_entry: ChronologyEntry | None = None,
                         agency_report: EvidenceSubmission | None = None,
                         meeting: Meeting | None = None,
                         source_reference: str = "", note: str = "") -> FindingEvidence:
    """Link a finding to the evidence it rests on: the record of the kind chosen (a key
    practice episode, a submitted chronology entry, a submitted agency report, a meeting, an
    evidence request), always named, with a reference to where in it if useful; or, for
    "Other source", the reference alone."""
    review = drafting_review(by, finding.review, "link evidence to findings")
    if fresh_locked(finding).withdrawn:
        raise ValidationError("This finding was withdrawn. Nothing was changed.")
    targets: dict[str, Any] = {"evidence_request": evidence_request, "episode": episode,
                               "chronology_entry": chronology_entry,
                               "agency_report": agency_report, "meeting": meeting}
    own = FindingEvidence.TARGETS.get(kind)
    for name, target in targets.items():
        if target is None:
            continue
        if name != own and name != "evidence_request":  # a request may back any kind
            raise ValidationError({name: f"This is not {FindingEvidence.Kind(kind).label.lower()}:"
                                         " choose the kind of evidence it is"})
        problem = _target_problem(name, target, review)
        if problem:
            raise ValidationError({name: problem})
    source_reference = normalise_text(source_reference)
    if own and targets[own] is None:
        raise ValidationError({own: CHOOSE_TARGET[own]})
    if not any(targets.values()) and not source_reference:
        raise ValidationError({"source_reference": "Choose the evidence or say where it is"})
    link = FindingEvidence(review=review, finding=finding, kind=kind,
                           source_reference=source_reference, note=note.strip(), created_by=by,
                           **targets)
    link.full_clean()
    save_with_history(link, by=by, reason="Evidence linked to a finding")
    report_changed(review, by=by, what=f"Evidence linked to finding {finding.number}")
    return link


def _target_problem(name: str, target: Any, review: Review) -> str:
    """Why this record cannot be cited by a finding of ``review`` ("" if it can)."""
    review_id = target.request.review_id if name == "agency_report" else target.review_id
    if review_id != review.pk:
        return "Choose evidence from this review"
    if getattr(target, "withdrawn", False):
        return "That record was withdrawn: choose another"
    if name == "chronology_entry" and target.is_draft:
        return "Choose a submitted chronology entry (a draft is still the agency's own)"
    if name == "evidence_request" and target.is_factual_check:
        return ("A factual-accuracy check is about the report itself, not evidence for it: "
                "choose another request")
    return ""


@transaction.atomic(durable=True)
def finding_evidence_withdraw(*, by: User, link: FindingEvidence, reason: str) -> FindingEvidence:
    review = drafting_review(by, link.review, "change the evidence of findings")
    withdraw_with_history(link, by=by, reason=reason,
                          already="This link has already been removed.",
                          missing_reason="Enter the reason for removing this evidence")
    report_changed(review, by=by, what="Evidence removed from a finding")
    return link


# ---------------------------------------------------------------- recommendations


def _recommendation_fields(review: Review, *, findings: Iterable[Finding], addressee: str,
                           agency: Agency | None) -> tuple[list[Finding], Agency | None]:
    """A recommendation is tied to at least one current finding of its own review, and
    addressed either to the partnership or to one agency involved in the review."""
    findings = [f for f in findings]
    if not findings:
        raise ValidationError({"findings": "Choose the finding or findings this recommendation "
                                           "answers: every recommendation is tied to a finding"})
    if any(f.review_id != review.pk or f.withdrawn for f in findings):
        raise ValidationError({"findings": "Choose current findings of this review"})
    if addressee == Recommendation.Addressee.AGENCY:
        if agency is None:
            raise ValidationError({"agency": "Choose the agency the recommendation is for"})
    else:
        agency = None
    return findings, agency


@transaction.atomic(durable=True)
def recommendation_create(*, by: User, review: Review, text: str, findings: Iterable[Finding],
                          addressee: str, scope: str, outcome_expected: str,
                          agency: Agency | None = None) -> Recommendation:
    """Refused with no finding; the quality warnings (how many, vague wording) are shown by
    ``selectors.recommendation_warnings``, not refused."""
    review = drafting_review(by, review, "write recommendations")
    chosen, agency = _recommendation_fields(review, findings=findings, addressee=addressee,
                                            agency=agency)
    number = (review.recommendations.aggregate(last=Max("number"))["last"] or 0) + 1
    rec = Recommendation(review=review, number=number, text=text.strip(), addressee=addressee,
                         agency=agency, scope=scope, outcome_expected=outcome_expected.strip(),
                         created_by=by)
    rec.full_clean()
    save_with_history(rec, by=by, reason="Recommendation added")
    rec.findings.set(chosen)
    save_with_history(rec, by=by, reason="Recommendation added")
    report_changed(review, by=by, what=f"Recommendation {number} added")
    return rec


@transaction.atomic(durable=True)
def recommendation_update(*, by: User, recommendation: Recommendation, text: str,
                          findings: Iterable[Finding], addressee: str, scope: str,
                          outcome_expected: str, agency: Agency | None = None,
                          reason: str = "") -> Recommendation:
    review = drafting_review(by, recommendation.review, "change recommendations")
    stored = fresh_locked(recommendation)
    if stored.withdrawn:
        raise ValidationError("This recommendation was withdrawn. Nothing was changed.")
    chosen, agency = _recommendation_fields(review, findings=findings, addressee=addressee,
                                            agency=agency)
    values: dict[str, Any] = {"text": text.strip(), "addressee": addressee, "agency": agency,
                              "scope": scope, "outcome_expected": outcome_expected.strip()}
    for name, value in values.items():
        setattr(stored, name, value)
    stored.full_clean()
    stored.findings.set(chosen)
    save_with_history(stored, by=by, reason=reason.strip() or "Recommendation changed")
    report_changed(review, by=by, what=f"Recommendation {stored.number} changed")
    recommendation.refresh_from_db()
    return recommendation


@transaction.atomic(durable=True)
def recommendation_withdraw(*, by: User, recommendation: Recommendation,
                            reason: str) -> Recommendation:
    review = drafting_review(by, recommendation.review, "withdraw recommendations")
    withdraw_with_history(recommendation, by=by, reason=reason,
                          already="This recommendation has already been withdrawn.",
                          missing_reason="Enter the reason for withdrawing the recommendation")
    report_changed(review, by=by, what=f"Recommendation {recommendation.number} withdrawn")
    return recommendation
