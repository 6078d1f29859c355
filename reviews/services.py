"""Writes to reviews: keyword-only, one transaction each, with who and why.

Views call these and nothing else to change a review. Each service validates,
saves with history (``scr.history``) and keeps the derived clock fields in step.
Errors are ``ValidationError``s whose messages are meant for the form.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import Agency, Membership, User
from agencies.roles import Role
from scr.history import save_with_history
from scr.rules import fresh_locked, require_reason

from . import access
from .clocks import next_clock, review_clocks
from .independence import independence_conflicts, independence_problems
from .models import (
    ENDED_STAGES,
    ClockKind,
    ClockPause,
    DelayExplanation,
    EvidenceRequest,
    InvolvedAgency,
    PanelAppointment,
    ParallelProcess,
    ReferenceCounter,
    Review,
    ReviewGroupObjectPermission,
    ReviewUserObjectPermission,
    Stage,
    StageChange,
    Subject,
    TermsOfReference,
)
from .workflow import TRANSITIONS, may_make, ready_to_publish

__all__ = ["independence_conflicts", "independence_problems"]  # re-exported for callers

AGENCY_GRANTS = (access.VIEW, access.IDENTIFIABLE)
ROLE_GRANTS = {
    PanelAppointment.PanelRole.REVIEWER: (access.VIEW, access.CHANGE, access.IDENTIFIABLE),
    PanelAppointment.PanelRole.CHAIR: (access.VIEW, access.IDENTIFIABLE),
    PanelAppointment.PanelRole.MEMBER: (access.VIEW, access.IDENTIFIABLE),
}


class TransitionRefused(ValidationError):
    pass


# ---------------------------------------------------------------- clocks


def review_refresh_clocks(review: Review) -> Review:
    """Recompute the stored next clock. Derived data: saved without a history row."""
    clocks = review_clocks(review)
    upcoming = next_clock(clocks) if review.is_open else None
    review.next_clock = upcoming.kind if upcoming else ""
    review.next_due_on = upcoming.due if upcoming else None
    review.has_missed_clock = any(c.met_on is not None and c.missed for c in clocks)
    review.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        review.save(update_fields=["next_clock", "next_due_on", "has_missed_clock"])
    finally:
        del review.skip_history_when_saving  # type: ignore[attr-defined]
    return review


def open_review_locked(review: Review) -> Review:
    """The review, fresh and row-locked, if it may still change. An ended review (closed,
    no review, withdrawn) is read-only: only a reasoned reopen changes it."""
    locked = fresh_locked(review)
    if locked.stage in ENDED_STAGES:
        raise ValidationError(
            f"This review is {Stage(locked.stage).label.lower()}, so it is read-only. Nothing "
            "was changed. A business manager can reopen it, with a reason, to change it.")
    return locked


def _update_review(*, by: User, review: Review, reason: str, recorded: str,
                   **fields: Any) -> Review:
    """Set fields on the review. Recording a value needs no reason (``recorded`` is kept
    as the history note); changing or clearing one already recorded needs the user's.
    Works on a fresh locked copy: a refusal leaves the caller's object untouched."""
    stored = open_review_locked(review)
    overwritten = [name for name, value in fields.items()
                   if getattr(stored, name) not in (None, "") and getattr(stored, name) != value]
    if overwritten:
        require_reason(reason, "Enter the reason for changing what was already recorded")
    for name, value in fields.items():
        setattr(stored, name, value)
    stored.full_clean()
    save_with_history(stored, by=by, reason=reason.strip() or recorded)
    review_refresh_clocks(stored)
    review.refresh_from_db()
    return review


# ---------------------------------------------------------------- grants


def _permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="reviews", codename=codename)


def _grant(review: Review, codename: str, *, by: User, reason: str, user: User | None = None,
           group: Group | None = None) -> None:
    """Give one per-review permission (a guardian row on the direct-FK tables), with who
    and why in its history, like every other change."""
    model = ReviewUserObjectPermission if user is not None else ReviewGroupObjectPermission
    holder: dict[str, Any] = {"user": user} if user is not None else {"group": group}
    permission = _permission(codename)
    if model.objects.filter(content_object=review, permission=permission, **holder).exists():
        return
    save_with_history(model(content_object=review, permission=permission, **holder), by=by,
                      reason=reason)


def _revoke(review: Review, codename: str, *, user: User, by: User, reason: str) -> None:
    for row in ReviewUserObjectPermission.objects.filter(content_object=review, user=user,
                                                         permission__codename=codename):
        row._history_user = by  # type: ignore[attr-defined]
        row._change_reason = reason  # type: ignore[attr-defined]
        row.delete()  # an access grant, not case data: history keeps who ended it and why


# ---------------------------------------------------------------- referral


def _highest_reference_number(year: int) -> int:
    taken = Review.objects.filter(reference__contains=f"-{year}-").values_list("reference",
                                                                               flat=True)
    numbers = [int(r.rsplit("-", 1)[1]) for r in taken if r.rsplit("-", 1)[1].isdigit()]
    return max(numbers, default=0)


def _next_reference(aware_date: date, by: User) -> str:
    """The next number of the year, whatever the vocabulary's prefix, taken from a
    row-locked counter so that referrals saved at once never share a number."""
    year = aware_date.year
    counter = ReferenceCounter.objects.select_for_update().filter(year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                ReferenceCounter.objects.create(year=year, last=_highest_reference_number(year))
        except IntegrityError:
            pass  # another referral created it first; its row lock is taken below
        counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    save_with_history(counter, by=by, reason="Reference allocated")
    return f"{settings.REVIEW_VOCABULARY}-{year}-{counter.last:03d}"


def _grant_agency(review: Review, agency: Agency, *, by: User, reason: str) -> None:
    for codename in AGENCY_GRANTS:
        _grant(review, codename, by=by, reason=reason, group=agency.group)


@transaction.atomic
def review_create(*, by: User, incident_date: date, aware_date: date, what_happened: str,
                  harm: str, abuse_or_neglect: str, criteria_met: bool, referring_agency: Agency,
                  agencies_involved: Iterable[Agency], creation_token: uuid.UUID | None = None,
                  ) -> Review:
    """Open a review from a referral. A repeated ``creation_token`` returns the first review."""
    if creation_token is not None:
        existing = Review.objects.filter(creation_token=creation_token).first()
        if existing is not None:
            return existing
    review = Review(incident_date=incident_date, aware_date=aware_date,
                    what_happened=what_happened, harm=harm, abuse_or_neglect=abuse_or_neglect,
                    criteria_met=criteria_met, referring_agency=referring_agency,
                    creation_token=creation_token, reference="")
    review.full_clean(exclude=["reference"])
    review.reference = _next_reference(aware_date, by)
    save_with_history(review, by=by, reason="Referral recorded")
    involved = {a.pk: a for a in agencies_involved}
    involved.setdefault(referring_agency.pk, referring_agency)
    for agency in involved.values():
        save_with_history(InvolvedAgency(review=review, agency=agency), by=by,
                          reason="Agency involved in the case")
        _grant_agency(review, agency, by=by, reason="Agency involved in the case")
    return review_refresh_clocks(review)


@transaction.atomic
def review_update_referral(*, by: User, review: Review, reason: str, **fields: Any) -> Review:
    require_reason(reason)
    updated = _update_review(by=by, review=review, reason=reason, recorded=reason, **fields)
    referring = fields.get("referring_agency")
    if referring is not None and not review.involvements.filter(agency=referring).exists():
        agency_involve(by=by, review=review, agency=referring,
                       reason="The referring agency is involved in the case")
    return updated


@transaction.atomic
def agency_involve(*, by: User, review: Review, agency: Agency, reason: str) -> InvolvedAgency:
    review = open_review_locked(review)
    reason = require_reason(reason)
    if review.involvements.filter(agency=agency).exists():
        raise ValidationError({"agency": f"{agency} is already involved in this review"})
    involvement = save_with_history(InvolvedAgency(review=review, agency=agency), by=by,
                                    reason=reason)
    _grant_agency(review, agency, by=by, reason=reason)
    return involvement


# ---------------------------------------------------------------- stage records


@transaction.atomic
def notification_record(*, by: User, review: Review, notification_sent_on: date,
                        reason: str = "") -> Review:
    return _update_review(by=by, review=review, reason=reason, recorded="Notification recorded",
                          notification_sent_on=notification_sent_on)


@transaction.atomic
def rapid_review_record(*, by: User, review: Review, reason: str = "", **fields: Any) -> Review:
    allowed = {"rapid_review_meeting_on", "agency_summaries_received_on",
               "rapid_review_report_sent_on", "national_panel_reply_on", "national_panel_reply"}
    return _update_review(by=by, review=review, reason=reason, recorded="Rapid review recorded",
                          **{k: v for k, v in fields.items() if k in allowed})


# The decision is taken at the rapid review; afterwards it stands (a new decision means
# withdrawing the review and recording why).
DECISION_STAGES = frozenset({Stage.NOTIFICATION, Stage.RAPID_REVIEW, Stage.DECISION})


@transaction.atomic
def decision_record(*, by: User, review: Review, decision: str, decision_date: date,
                    decision_reasons: str, reason: str = "") -> Review:
    if review.stage not in DECISION_STAGES:
        raise ValidationError(f"The decision can be recorded or changed only during the "
                              f"notification, rapid review or decision stages; this review is "
                              f"at {Stage(review.stage).label}. Nothing was changed.")
    if not decision_reasons.strip():
        raise ValidationError({"decision_reasons": "Enter the reasons for the decision"})
    return _update_review(by=by, review=review, reason=reason, recorded="Decision recorded",
                          decision=decision, decision_date=decision_date,
                          decision_reasons=decision_reasons)


REPORT_FIELDS = ("final_report_received_on", "planned_publication_on",
                 "national_panel_sent_report_on", "published_on")
# Where each date may be recorded: the final report once the report is being written,
# the plan and the notice to the national Panel from sign-off, publication at Publication.
RECORDED_AT = {
    "final_report_received_on": (Stage.REPORT, Stage.SIGN_OFF, Stage.PUBLICATION),
    "planned_publication_on": (Stage.REPORT, Stage.SIGN_OFF, Stage.PUBLICATION),
    "national_panel_sent_report_on": (Stage.REPORT, Stage.SIGN_OFF, Stage.PUBLICATION),
    "published_on": (Stage.PUBLICATION,),
}


@transaction.atomic
def report_and_publication_record(*, by: User, review: Review, reason: str = "",
                                  **fields: Any) -> Review:
    """Report and publication dates. The publication date is the act of publishing: it can
    be recorded only at the Publication stage, once everything publication needs holds on
    that very date. Once published, these dates are fixed: a wrong publication date goes
    through ``publication_date_correct``."""
    stored = open_review_locked(review)
    fields = {k: v for k, v in fields.items() if k in REPORT_FIELDS}
    changed = {k: v for k, v in fields.items() if getattr(stored, k) != v}
    if stored.published_on and changed:
        raise ValidationError({next(iter(changed)): (
            "This review is published, so its report and publication dates are fixed. To "
            "correct the publication date, use “Correct the publication date” with a reason.")})
    for name, value in changed.items():
        if value is not None and stored.stage not in RECORDED_AT[name]:
            stages = " or ".join(Stage(s).label for s in RECORDED_AT[name])
            raise ValidationError({name: f"This date can be recorded only at the {stages} "
                                         f"stage; this review is at {Stage(stored.stage).label}"})
    if changed.get("published_on"):
        _check_publishable(stored, changed)
    return _update_review(by=by, review=review, reason=reason,
                          recorded="Report and publication dates recorded", **fields)


def _check_publishable(stored: Review, changed: dict[str, Any]) -> None:
    """Judge publication on the actual publication date, with the other dates the same
    form records alongside it (on a copy: the caller's object is never changed)."""
    candidate = Review.objects.get(pk=stored.pk)
    for name, value in changed.items():
        setattr(candidate, name, value)
    missing = ready_to_publish(candidate, on=changed["published_on"])
    if missing:
        raise ValidationError({"published_on": "Before publishing, record: "
                                               + "; ".join(missing)})


@transaction.atomic
def publication_date_correct(*, by: User, review: Review, published_on: date | None,
                             reason: str) -> Review:
    """The one way to change a recorded publication date: business managers only, with a
    reason kept in the history. The review stays published (the date cannot be cleared)
    and the corrected date must still meet every publication rule."""
    if not by.has_role(Role.BUSINESS_MANAGER):
        raise ValidationError("Only a business manager can correct a publication date.")
    reason = require_reason(reason, "Enter the reason for correcting the publication date")
    stored = open_review_locked(review)
    if not stored.published_on:
        raise ValidationError("This review has not been published: record the publication "
                              "date instead.")
    if published_on is None:
        raise ValidationError({"published_on": "Enter the corrected publication date: a "
                                               "published review keeps a publication date"})
    _check_publishable(stored, {"published_on": published_on})
    stored.published_on = published_on
    stored.full_clean()
    save_with_history(stored, by=by, reason=reason)
    review_refresh_clocks(stored)
    review.refresh_from_db()
    return review


# ---------------------------------------------------------------- transitions


@transaction.atomic
def review_transition(*, by: User, review: Review, to: str, expected_from: str,
                      reason: str = "") -> Review:
    """The one way a review changes stage. Refuses, changing nothing, with what is missing."""
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if locked.stage != expected_from:
        raise TransitionRefused(
            f"This review has already moved to {Stage(locked.stage).label}. Nothing was changed.")
    transition = TRANSITIONS.get((locked.stage, to))
    if to not in Stage.values:
        raise TransitionRefused(f"There is no stage called “{to}”.")
    if transition is None:
        raise TransitionRefused(
            f"A review cannot move from {Stage(locked.stage).label} to {Stage(to).label}.")
    if not may_make(by, locked, transition):
        raise TransitionRefused("Your role cannot make this move on this review.")
    if transition.needs_reason and not reason.strip():
        raise TransitionRefused("Enter the reason for this move.")
    missing = transition.guard(locked)
    if missing:
        raise TransitionRefused(
            f"Before moving to {Stage(to).label}, record: " + "; ".join(missing) + ".")
    save_with_history(StageChange(review=locked, from_stage=locked.stage, to_stage=to, by=by,
                                  reason=reason), by=by, reason=reason or "Stage changed")
    locked.stage = to
    locked.stage_entered_at = timezone.now()
    save_with_history(locked, by=by, reason=reason or f"Moved to {Stage(to).label}")
    review_refresh_clocks(locked)
    review.refresh_from_db()  # the caller's instance is now the moved review
    return review


# ---------------------------------------------------------------- subjects


def _pseudonym_taken(subject: Subject) -> bool:
    others = Subject.objects.filter(review_id=subject.review_id, withdrawn=False).exclude(
        pk=subject.pk).only("pseudonym")
    return any(other.pseudonym_key == subject.pseudonym_key for other in others)


@transaction.atomic
def subject_add(*, by: User, review: Review, reason: str = "Added to the pseudonym register",
                **fields: Any) -> Subject:
    review = open_review_locked(review)
    subject = Subject(review=review, **fields)
    subject.full_clean()
    if _pseudonym_taken(subject):
        raise ValidationError({"pseudonym": "Someone in this review already has that pseudonym"})
    return save_with_history(subject, by=by, reason=reason)


@transaction.atomic
def subject_update(*, by: User, subject: Subject, reason: str, **fields: Any) -> Subject:
    reason = require_reason(reason)
    open_review_locked(subject.review)
    stored = fresh_locked(subject)
    for name, value in fields.items():
        setattr(stored, name, value)
    stored.full_clean()
    if _pseudonym_taken(stored):
        raise ValidationError({"pseudonym": "Someone in this review already has that pseudonym"})
    save_with_history(stored, by=by, reason=reason)
    subject.refresh_from_db()
    return subject


@transaction.atomic
def subject_withdraw(*, by: User, subject: Subject, reason: str) -> Subject:
    """Take a person out of the register (never deleted: history keeps them)."""
    reason = require_reason(reason)
    open_review_locked(subject.review)
    stored = fresh_locked(subject)
    if stored.withdrawn:
        raise ValidationError("This person has already been withdrawn. Nothing was changed.")
    stored.withdrawn = True
    save_with_history(stored, by=by, reason=reason)
    subject.refresh_from_db()
    return subject


# ---------------------------------------------------------------- terms of reference


@transaction.atomic
def terms_create(*, by: User, review: Review, expected_version: int, scope_start: date,
                 scope_end: date, key_lines_of_enquiry: str, method: str,
                 agencies_in_scope: Iterable[Agency],
                 reason: str = "Terms of reference saved") -> TermsOfReference:
    """Save a new version. ``expected_version`` (the latest the user saw) stops a double
    submission, or two people editing at once, from saving a version twice. Every agency
    in scope becomes involved in the review (and so reaches it, and counts for the
    reviewer's independence)."""
    review = open_review_locked(review)
    latest = review.terms.order_by("-version").values_list("version", flat=True).first() or 0
    if latest != expected_version:
        raise ValidationError(f"Version {latest} of the terms of reference was saved meanwhile. "
                              "Check it before saving again.")
    if scope_end < scope_start:
        raise ValidationError({"scope_end": "The end of the scope period must be on or after "
                                            "its start"})
    agencies = list(agencies_in_scope)
    if not agencies:
        raise ValidationError({"agencies_in_scope": "Select the agencies in scope"})
    terms = save_with_history(
        TermsOfReference(review=review, version=latest + 1, scope_start=scope_start,
                         scope_end=scope_end, key_lines_of_enquiry=key_lines_of_enquiry,
                         method=method, created_by=by), by=by, reason=reason)
    terms.agencies_in_scope.set(agencies)
    involved = set(review.involvements.values_list("agency_id", flat=True))
    for agency in agencies:
        if agency.pk not in involved:
            agency_involve(by=by, review=review, agency=agency,
                           reason=f"In scope of the terms of reference v{terms.version}")
    return terms


# ---------------------------------------------------------------- panel


def _grant_person(review: Review, appointment: PanelAppointment, *, by: User,
                  reason: str) -> None:
    for codename in ROLE_GRANTS[appointment.panel_role]:
        _grant(review, codename, by=by, reason=reason, user=appointment.user)


@transaction.atomic
def panel_appoint(*, by: User, review: Review, user: User, panel_role: str,
                  agency: Agency | None = None, independence_declaration: str = "",
                  reason: str = "Appointed to the panel") -> PanelAppointment:
    review = open_review_locked(review)
    reason = require_reason(reason)
    if not user.is_active:
        raise ValidationError({"user": f"{user}'s account is deactivated"})
    if panel_role in (PanelAppointment.PanelRole.REVIEWER, PanelAppointment.PanelRole.CHAIR):
        problems = independence_problems(review, user)
        if problems:
            raise ValidationError({"user": problems[0] + ": they cannot be "
                                           "appointed as independent reviewer or chair"})
        if not user.has_role(Role.REVIEWER):
            raise ValidationError({"user": f"{user} does not hold the independent reviewer "
                                           "role: give them that role first"})
        if not independence_declaration.strip():
            raise ValidationError({"independence_declaration":
                                   "Record the independence declaration"})
        agency = None
    else:
        if not user.has_role(Role.PANEL_MEMBER):
            raise ValidationError({"user": f"{user} does not hold the panel member role: "
                                           "give them that role first"})
        if agency is None:
            raise ValidationError({"agency": "Select the agency the panel member represents"})
        if not Membership.objects.active().filter(user=user, agency=agency).exists():
            raise ValidationError({"user": f"{user} does not work for {agency}"})
        if review.panel.filter(agency=agency, panel_role=panel_role,
                               ended_on__isnull=True).exists():
            raise ValidationError({"agency": f"{agency} already has a member on this panel"})
    if review.panel.filter(user=user, panel_role=panel_role, ended_on__isnull=True).exists():
        raise ValidationError({"user": f"{user} already holds this place on the panel"})
    try:
        with transaction.atomic():
            appointment = save_with_history(
                PanelAppointment(review=review, user=user, panel_role=panel_role, agency=agency,
                                 independence_declaration=independence_declaration),
                by=by, reason=reason)
    except IntegrityError:
        raise ValidationError("This appointment has just been made. Nothing was changed.") from None
    _grant_person(review, appointment, by=by, reason=reason)
    return appointment


@transaction.atomic
def panel_appointment_end(*, by: User, appointment: PanelAppointment, reason: str) -> None:
    reason = require_reason(reason)
    review = open_review_locked(appointment.review)
    stored = fresh_locked(appointment)
    if stored.ended_on is not None:
        raise ValidationError("This appointment has already ended. Nothing was changed.")
    stored.ended_on = timezone.localdate()
    stored.full_clean()
    save_with_history(stored, by=by, reason=reason)
    appointment.refresh_from_db()
    user = stored.user
    still = set()
    for other in review.panel.filter(user=user, ended_on__isnull=True):
        still |= set(ROLE_GRANTS[other.panel_role])
    for codename in set(ROLE_GRANTS[stored.panel_role]) - still:
        _revoke(review, codename, user=user, by=by, reason=reason)


# ---------------------------------------------------------------- parallel processes and pauses


@transaction.atomic
def parallel_process_open(*, by: User, review: Review, kind: str, opened_on: date,
                          description: str = "", pause_clocks: Iterable[str] = (),
                          reason: str = "Parallel process recorded") -> ParallelProcess:
    review = open_review_locked(review)
    process = ParallelProcess(review=review, kind=kind, opened_on=opened_on,
                              description=description)
    process.full_clean()
    if review.parallel_processes.filter(kind=kind, opened_on=opened_on,
                                        cleared_on__isnull=True).exists():
        raise ValidationError("This parallel process is already recorded. Nothing was changed.")
    save_with_history(process, by=by, reason=require_reason(reason))
    for clock in pause_clocks:
        clock_pause(by=by, review=review, clock=clock, paused_on=opened_on,
                    reason=f"{process.get_kind_display()} under way", parallel_process=process)
    return process


@transaction.atomic
def parallel_process_clear(*, by: User, process: ParallelProcess, cleared_on: date,
                           reason: str) -> ParallelProcess:
    reason = require_reason(reason)
    open_review_locked(process.review)
    stored = fresh_locked(process)
    if stored.cleared_on is not None:
        raise ValidationError("This process has already been cleared. Nothing was changed.")
    stored.cleared_on = cleared_on
    stored.full_clean()
    save_with_history(stored, by=by, reason=reason)
    for pause in stored.pauses.filter(resumed_on__isnull=True):
        clock_resume(by=by, pause=pause, resumed_on=cleared_on, reason=reason)
    process.refresh_from_db()
    return process


@transaction.atomic
def clock_pause(*, by: User, review: Review, clock: str, paused_on: date, reason: str,
                parallel_process: ParallelProcess | None = None) -> ClockPause:
    """Pause a running clock. Pauses of one clock never overlap: each paused working day
    counts once (a backdated pause inside an earlier one is refused)."""
    review = open_review_locked(review)
    reason = require_reason(reason, "Enter the reason for pausing the clock")
    own = list(review.clock_pauses.filter(clock=clock))
    if any(p.resumed_on is None for p in own):
        raise ValidationError({"clock": "This clock is already paused"})
    pause = ClockPause(review=review, clock=clock, paused_on=paused_on, reason=reason,
                       parallel_process=parallel_process)
    pause.full_clean()
    overlapping = next((p for p in own if p.resumed_on and p.resumed_on > paused_on), None)
    if overlapping is not None:
        raise ValidationError({"paused_on": (
            f"This pause overlaps the pause from {overlapping.paused_on:%-d %B %Y} to "
            f"{overlapping.resumed_on:%-d %B %Y}: a day can be paused only once. Choose a date "
            "on or after the day that pause resumed.")})
    running = {c.kind: c for c in review_clocks(review) if c.pausable}
    if clock not in running:
        raise ValidationError({"clock": f"“{ClockKind(clock).label}” has not started, cannot be "
                                        "paused, or has already been met"})
    if running[clock].started and paused_on < running[clock].started:
        raise ValidationError({"paused_on": "A clock cannot be paused before it started"})
    if running[clock].due and paused_on > running[clock].due:
        raise ValidationError({"paused_on": "The clock was already overdue on that date: record "
                                            "an explanation for the delay instead"})
    save_with_history(pause, by=by, reason=reason)
    review_refresh_clocks(review)
    return pause


@transaction.atomic
def clock_resume(*, by: User, pause: ClockPause, resumed_on: date, reason: str) -> ClockPause:
    reason = require_reason(reason)
    review = open_review_locked(pause.review)
    stored = fresh_locked(pause)
    if stored.resumed_on is not None:
        raise ValidationError("This clock has already resumed. Nothing was changed.")
    stored.resumed_on = resumed_on
    stored.full_clean()
    save_with_history(stored, by=by, reason=reason)
    review_refresh_clocks(review)
    pause.refresh_from_db()
    return pause


@transaction.atomic
def delay_explain(*, by: User, review: Review, clock: str, explanation: str,
                  reason: str = "") -> DelayExplanation:
    """Record why a clock was missed. Changing an explanation already given needs a reason,
    and the history keeps both."""
    review = open_review_locked(review)
    explanation = require_reason(explanation, "Enter the explanation for the delay",
                                 field="explanation")
    existing = review.delay_explanations.select_for_update().filter(clock=clock).first()
    if existing is None:
        return save_with_history(DelayExplanation(review=review, clock=clock,
                                                  explanation=explanation),
                                 by=by, reason="Delay explained")
    if existing.explanation == explanation:
        return existing
    reason = require_reason(reason, "Enter the reason for changing the explanation already "
                                    "recorded")
    existing.explanation = explanation
    return save_with_history(existing, by=by, reason=reason)


# ---------------------------------------------------------------- evidence requests


@transaction.atomic
def evidence_request_create(*, by: User, review: Review, agency: Agency, due_on: date,
                            description: str) -> EvidenceRequest:
    review = open_review_locked(review)
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": "The due date cannot be in the past"})
    if not review.involvements.filter(agency=agency).exists():
        raise ValidationError({"agency": f"{agency} is not involved in this review"})
    request = EvidenceRequest(review=review, agency=agency, due_on=due_on,
                              description=description)
    request.full_clean()
    if review.evidence_requests.filter(agency=agency, description=description, due_on=due_on,
                                       received_on__isnull=True, withdrawn=False).exists():
        raise ValidationError("This request has already been sent. Nothing was changed.")
    return save_with_history(request, by=by, reason="Evidence requested")


@transaction.atomic
def evidence_request_received(*, by: User, request: EvidenceRequest,
                              received_on: date) -> EvidenceRequest:
    open_review_locked(request.review)
    stored = fresh_locked(request)
    if stored.received_on is not None:
        raise ValidationError("This evidence has already been marked as received. "
                              "Nothing was changed.")
    if stored.withdrawn:
        raise ValidationError("This request was withdrawn.")
    stored.received_on = received_on
    stored.full_clean()
    save_with_history(stored, by=by, reason="Evidence received")
    request.refresh_from_db()
    return request
