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
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from agencies.models import Agency, Membership, User
from agencies.roles import Role
from scr.history import save_with_history

from . import access
from .clocks import next_clock, review_clocks
from .models import (
    ClockKind,
    ClockPause,
    DelayExplanation,
    EvidenceRequest,
    InvolvedAgency,
    PanelAppointment,
    ParallelProcess,
    Review,
    Stage,
    StageChange,
    Subject,
    TermsOfReference,
)
from .workflow import TRANSITIONS, may_make

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


def _update_review(*, by: User, review: Review, reason: str, recorded: str,
                   **fields: Any) -> Review:
    """Set fields on the review. Recording a value needs no reason (``recorded`` is kept
    as the history note); changing or clearing one already recorded needs the user's."""
    stored = Review.objects.get(pk=review.pk)  # what was recorded, whatever is in memory
    overwritten = [name for name, value in fields.items()
                   if getattr(stored, name) not in (None, "") and getattr(stored, name) != value]
    if overwritten and not reason.strip():
        raise ValidationError({"reason": "Enter the reason for changing what was already "
                                         "recorded"})
    for name, value in fields.items():
        setattr(review, name, value)
    review.full_clean()
    save_with_history(review, by=by, reason=reason.strip() or recorded)
    return review_refresh_clocks(review)


# ---------------------------------------------------------------- referral


def _next_reference(aware_date: date) -> str:
    prefix = f"{settings.REVIEW_VOCABULARY}-{aware_date.year}-"
    taken = Review.objects.filter(reference__startswith=prefix).values_list("reference", flat=True)
    numbers = [int(r.rsplit("-", 1)[1]) for r in taken if r.rsplit("-", 1)[1].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _grant_agency(review: Review, agency: Agency) -> None:
    for codename in AGENCY_GRANTS:
        assign_perm(f"reviews.{codename}", agency.group, review)


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
                    creation_token=creation_token, reference=_next_reference(aware_date))
    review.full_clean(exclude=["reference"])
    save_with_history(review, by=by, reason="Referral recorded")
    involved = {a.pk: a for a in agencies_involved}
    involved.setdefault(referring_agency.pk, referring_agency)
    for agency in involved.values():
        save_with_history(InvolvedAgency(review=review, agency=agency), by=by,
                          reason="Agency involved in the case")
        _grant_agency(review, agency)
    return review_refresh_clocks(review)


@transaction.atomic
def review_update_referral(*, by: User, review: Review, reason: str, **fields: Any) -> Review:
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for this change"})
    updated = _update_review(by=by, review=review, reason=reason, recorded=reason, **fields)
    referring = fields.get("referring_agency")
    if referring is not None and not review.involvements.filter(agency=referring).exists():
        agency_involve(by=by, review=review, agency=referring,
                       reason="The referring agency is involved in the case")
    return updated


@transaction.atomic
def agency_involve(*, by: User, review: Review, agency: Agency, reason: str) -> InvolvedAgency:
    if review.involvements.filter(agency=agency).exists():
        raise ValidationError({"agency": f"{agency} is already involved in this review"})
    involvement = save_with_history(InvolvedAgency(review=review, agency=agency), by=by,
                                    reason=reason)
    _grant_agency(review, agency)
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


@transaction.atomic
def report_and_publication_record(*, by: User, review: Review, reason: str = "",
                                  **fields: Any) -> Review:
    """Report and publication dates. The publication date is the act of publishing: it can
    be recorded only at the Publication stage, once everything publication needs holds."""
    from .workflow import ready_to_publish

    allowed = {"final_report_received_on", "planned_publication_on",
               "national_panel_sent_report_on", "published_on"}
    fields = {k: v for k, v in fields.items() if k in allowed}
    if fields.get("published_on") and fields["published_on"] != review.published_on:
        if review.stage != Stage.PUBLICATION:
            raise ValidationError({"published_on": "The publication date can be recorded only "
                                                   "at the Publication stage"})
        # Judge publication on the dates this same form records alongside it.
        for name, value in fields.items():
            if name != "published_on":
                setattr(review, name, value)
        missing = ready_to_publish(review)
        if missing:
            raise ValidationError({"published_on": "Before publishing, record: "
                                                   + "; ".join(missing)})
    return _update_review(by=by, review=review, reason=reason,
                          recorded="Report and publication dates recorded", **fields)


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
    missing = transition.guard(locked)
    if missing:
        raise TransitionRefused(
            f"Before moving to {Stage(to).label}, record: " + "; ".join(missing) + ".")
    if transition.needs_reason and not reason.strip():
        raise TransitionRefused("Enter the reason for this move.")
    save_with_history(StageChange(review=locked, from_stage=locked.stage, to_stage=to, by=by,
                                  reason=reason), by=by, reason=reason or "Stage changed")
    locked.stage = to
    locked.stage_entered_at = timezone.now()
    save_with_history(locked, by=by, reason=reason or f"Moved to {Stage(to).label}")
    review_refresh_clocks(locked)
    review.refresh_from_db()  # the caller's instance is now the moved review
    return review


# ---------------------------------------------------------------- subjects


@transaction.atomic
def subject_add(*, by: User, review: Review, reason: str = "Added to the pseudonym register",
                **fields: Any) -> Subject:
    subject = Subject(review=review, **fields)
    subject.full_clean()
    if review.subjects.filter(pseudonym__iexact=subject.pseudonym, withdrawn=False).exists():
        raise ValidationError({"pseudonym": "Someone in this review already has that pseudonym"})
    return save_with_history(subject, by=by, reason=reason)


@transaction.atomic
def subject_update(*, by: User, subject: Subject, reason: str, **fields: Any) -> Subject:
    for name, value in fields.items():
        setattr(subject, name, value)
    subject.full_clean()
    clash = subject.review.subjects.filter(pseudonym__iexact=subject.pseudonym,
                                           withdrawn=False).exclude(pk=subject.pk)
    if clash.exists():
        raise ValidationError({"pseudonym": "Someone in this review already has that pseudonym"})
    return save_with_history(subject, by=by, reason=reason)


@transaction.atomic
def subject_withdraw(*, by: User, subject: Subject, reason: str) -> Subject:
    """Take a person out of the register (never deleted: history keeps them)."""
    subject.withdrawn = True
    return save_with_history(subject, by=by, reason=reason)


# ---------------------------------------------------------------- terms of reference


@transaction.atomic
def terms_create(*, by: User, review: Review, expected_version: int, scope_start: date,
                 scope_end: date, key_lines_of_enquiry: str, method: str,
                 agencies_in_scope: Iterable[Agency],
                 reason: str = "Terms of reference saved") -> TermsOfReference:
    """Save a new version. ``expected_version`` (the latest the user saw) stops a double
    submission, or two people editing at once, from saving a version twice."""
    Review.objects.select_for_update().filter(pk=review.pk).first()
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
    return terms


# ---------------------------------------------------------------- panel


def independence_problems(review: Review, user: User) -> list[str]:
    """Why ``user`` is not independent of this review's agencies (empty if they are)."""
    involved = set(review.involvements.values_list("agency_id", flat=True))
    clashes = (Membership.objects.active().filter(user=user, agency_id__in=involved)
               .select_related("agency"))
    return [f"{user} works for {m.agency}, an agency involved in this case" for m in clashes]


def _grant_person(review: Review, appointment: PanelAppointment) -> None:
    for codename in ROLE_GRANTS[appointment.panel_role]:
        assign_perm(f"reviews.{codename}", appointment.user, review)


@transaction.atomic
def panel_appoint(*, by: User, review: Review, user: User, panel_role: str,
                  agency: Agency | None = None, independence_declaration: str = "",
                  reason: str = "Appointed to the panel") -> PanelAppointment:
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
    _grant_person(review, appointment)
    return appointment


@transaction.atomic
def panel_appointment_end(*, by: User, appointment: PanelAppointment, reason: str) -> None:
    if appointment.ended_on is not None:
        raise ValidationError("This appointment has already ended. Nothing was changed.")
    appointment.ended_on = timezone.localdate()
    save_with_history(appointment, by=by, reason=reason)
    review, user = appointment.review, appointment.user
    still = set()
    for other in review.panel.filter(user=user, ended_on__isnull=True):
        still |= set(ROLE_GRANTS[other.panel_role])
    for codename in set(ROLE_GRANTS[appointment.panel_role]) - still:
        remove_perm(f"reviews.{codename}", user, review)


# ---------------------------------------------------------------- parallel processes and pauses


@transaction.atomic
def parallel_process_open(*, by: User, review: Review, kind: str, opened_on: date,
                          description: str = "", pause_clocks: Iterable[str] = (),
                          reason: str = "Parallel process recorded") -> ParallelProcess:
    if opened_on > timezone.localdate():
        raise ValidationError({"opened_on": "The start date cannot be in the future"})
    if review.parallel_processes.filter(kind=kind, opened_on=opened_on,
                                        cleared_on__isnull=True).exists():
        raise ValidationError("This parallel process is already recorded. Nothing was changed.")
    process = save_with_history(ParallelProcess(review=review, kind=kind, opened_on=opened_on,
                                                description=description), by=by, reason=reason)
    for clock in pause_clocks:
        clock_pause(by=by, review=review, clock=clock, paused_on=opened_on,
                    reason=f"{process.get_kind_display()} under way", parallel_process=process)
    return process


@transaction.atomic
def parallel_process_clear(*, by: User, process: ParallelProcess, cleared_on: date,
                           reason: str) -> ParallelProcess:
    if process.cleared_on is not None:
        raise ValidationError("This process has already been cleared. Nothing was changed.")
    if cleared_on < process.opened_on:
        raise ValidationError({"cleared_on": "It cannot clear before it started"})
    if cleared_on > timezone.localdate():
        raise ValidationError({"cleared_on": "The date cleared cannot be in the future"})
    process.cleared_on = cleared_on
    save_with_history(process, by=by, reason=reason)
    for pause in process.pauses.filter(resumed_on__isnull=True):
        clock_resume(by=by, pause=pause, resumed_on=cleared_on, reason=reason)
    return process


@transaction.atomic
def clock_pause(*, by: User, review: Review, clock: str, paused_on: date, reason: str,
                parallel_process: ParallelProcess | None = None) -> ClockPause:
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for pausing the clock"})
    if paused_on > timezone.localdate():
        raise ValidationError({"paused_on": "The date paused cannot be in the future"})
    if review.clock_pauses.filter(clock=clock, resumed_on__isnull=True).exists():
        raise ValidationError({"clock": "This clock is already paused"})
    running = {c.kind: c for c in review_clocks(review) if c.pausable}
    if clock not in running:
        raise ValidationError({"clock": f"“{ClockKind(clock).label}” has not started, cannot be "
                                        "paused, or has already been met"})
    if running[clock].started and paused_on < running[clock].started:
        raise ValidationError({"paused_on": "A clock cannot be paused before it started"})
    if running[clock].due and paused_on > running[clock].due:
        raise ValidationError({"paused_on": "The clock was already overdue on that date: record "
                                            "an explanation for the delay instead"})
    pause = save_with_history(ClockPause(review=review, clock=clock, paused_on=paused_on,
                                         reason=reason, parallel_process=parallel_process),
                              by=by, reason=reason)
    review_refresh_clocks(review)
    return pause


@transaction.atomic
def clock_resume(*, by: User, pause: ClockPause, resumed_on: date, reason: str) -> ClockPause:
    if pause.resumed_on is not None:
        raise ValidationError("This clock has already resumed. Nothing was changed.")
    if resumed_on < pause.paused_on:
        raise ValidationError({"resumed_on": "A clock cannot resume before it was paused"})
    if resumed_on > timezone.localdate():
        raise ValidationError({"resumed_on": "The date resumed cannot be in the future"})
    pause.resumed_on = resumed_on
    save_with_history(pause, by=by, reason=reason)
    review_refresh_clocks(pause.review)
    return pause


@transaction.atomic
def delay_explain(*, by: User, review: Review, clock: str, explanation: str) -> DelayExplanation:
    if not explanation.strip():
        raise ValidationError({"explanation": "Enter the explanation for the delay"})
    existing = review.delay_explanations.filter(clock=clock).first()
    if existing:
        existing.explanation = explanation
        return save_with_history(existing, by=by, reason="Delay explanation changed")
    return save_with_history(DelayExplanation(review=review, clock=clock, explanation=explanation),
                             by=by, reason="Delay explained")


# ---------------------------------------------------------------- evidence requests


@transaction.atomic
def evidence_request_create(*, by: User, review: Review, agency: Agency, due_on: date,
                            description: str) -> EvidenceRequest:
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": "The due date cannot be in the past"})
    if not review.involvements.filter(agency=agency).exists():
        raise ValidationError({"agency": f"{agency} is not involved in this review"})
    if review.evidence_requests.filter(agency=agency, description=description, due_on=due_on,
                                       received_on__isnull=True, withdrawn=False).exists():
        raise ValidationError("This request has already been sent. Nothing was changed.")
    return save_with_history(EvidenceRequest(review=review, agency=agency, due_on=due_on,
                                             description=description),
                             by=by, reason="Evidence requested")


@transaction.atomic
def evidence_request_received(*, by: User, request: EvidenceRequest,
                              received_on: date) -> EvidenceRequest:
    if request.received_on is not None:
        raise ValidationError("This evidence has already been marked as received. "
                              "Nothing was changed.")
    if request.withdrawn:
        raise ValidationError("This request was withdrawn.")
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "The date received cannot be in the future"})
    if received_on < request.requested_on:
        raise ValidationError({"received_on": "It cannot be received before it was requested"})
    request.received_on = received_on
    return save_with_history(request, by=by, reason="Evidence received")
