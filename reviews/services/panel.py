"""Commissioning: terms of reference and panel appointments (with their grants)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import Agency, Membership, User
from agencies.models.roles import Role
from reviews.models import PanelAppointment, Review, TermsOfReference, scope
from reviews.selectors.panel import independence_problems
from reviews.services import handoffs
from reviews.services.base import open_review_locked, permission_grant, permission_revoke
from reviews.services.lifecycle import involve_agency
from scr.history import save_with_history
from scr.rules import fresh_locked, require_reason

__all__ = [
    "ROLE_GRANTS",
    "panel_appoint",
    "panel_appointment_end",
    "terms_create",
]


ROLE_GRANTS: dict[str, tuple[str, ...]] = {
    PanelAppointment.PanelRole.REVIEWER: (scope.VIEW, scope.CHANGE, scope.IDENTIFIABLE),
    PanelAppointment.PanelRole.CHAIR: (scope.VIEW, scope.IDENTIFIABLE),
    PanelAppointment.PanelRole.MEMBER: (scope.VIEW, scope.IDENTIFIABLE),
}


@transaction.atomic(durable=True)
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
    terms = TermsOfReference(review=review, version=latest + 1, scope_start=scope_start,
                             scope_end=scope_end, key_lines_of_enquiry=key_lines_of_enquiry,
                             method=method, created_by=by)
    terms.full_clean()
    agencies = list(agencies_in_scope)
    if not agencies:
        raise ValidationError({"agencies_in_scope": "Select the agencies in scope"})
    save_with_history(terms, by=by, reason=reason)
    terms.agencies_in_scope.set(agencies)
    involved = set(review.involvements.values_list("agency_id", flat=True))
    for agency in agencies:
        if agency.pk not in involved:
            involve_agency(by=by, review=review, agency=agency,
                            reason=f"In scope of the terms of reference v{terms.version}")
    return terms


# ---------------------------------------------------------------- panel


def _grant_person(review: Review, appointment: PanelAppointment, *, by: User,
                  reason: str) -> None:
    for codename in ROLE_GRANTS[appointment.panel_role]:
        permission_grant(review, codename, by=by, reason=reason, user=appointment.user)


@transaction.atomic(durable=True)
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
    handoffs.notify_panel_appointed(by=by, appointment=appointment)
    return appointment


@transaction.atomic(durable=True)
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
        permission_revoke(review, codename, user=user, by=by, reason=reason)
