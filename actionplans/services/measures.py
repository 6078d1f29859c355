"""Measured impact: an action's baseline and its measurements over time, recorded by a lead
of the action's agency or a business manager (``locked_action``: the action's ``change``
scope), each one transaction with its history; withdrawn with a reason, never deleted.

The rules, whatever the entry point: one live baseline per action, which says which way is
better; measurements only after a baseline and never dated before it or in the future; an
evidence document is stored through ``scr.documents`` as the action's evidence of impact.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from actionplans.models import Action, ImpactEvidence, Measurement
from actionplans.services.base import locked_action
from agencies.models import User
from scr.documents import document_store_version
from scr.history import save_with_history
from scr.rules import fresh_locked, require_reason

__all__ = ["measurement_record", "measurement_withdraw"]


def _live_baseline(action: Action) -> Measurement | None:
    return Measurement._base_manager.filter(action=action, is_baseline=True,
                                            withdrawn=False).first()


@transaction.atomic(durable=True)
def measurement_record(*, by: User, action: Action, value: Decimal, measured_on: date,
                       source: str, unit: str = "", is_baseline: bool = False,
                       improves_when: str = "", upload: File | None = None,
                       evidence_title: str = "") -> Measurement:
    """Record the baseline (``is_baseline``, with which way is better) or a measurement."""
    locked = locked_action(by, action)
    if measured_on > timezone.localdate():
        raise ValidationError({"measured_on": "The date of the measurement must be today or "
                                              "in the past"})
    if not source.strip():
        raise ValidationError({"source": "Enter where the value comes from"})
    baseline = _live_baseline(locked)
    if is_baseline:
        if baseline is not None:
            raise ValidationError(
                f"This action already has a baseline ({baseline.value} on "
                f"{baseline.measured_on:%-d %B %Y}): withdraw it first to record another. "
                "Nothing was changed.")
        if improves_when not in Measurement.Better.values:
            raise ValidationError({"improves_when": "Select which way is an improvement"})
    else:
        improves_when = ""
        if baseline is None:
            raise ValidationError("Record the baseline first: a measurement is read against "
                                  "it. Nothing was changed.")
        if measured_on < baseline.measured_on:
            raise ValidationError({"measured_on": "The measurement must be dated on or after "
                                   f"the baseline ({baseline.measured_on:%-d %B %Y})"})
    evidence: ImpactEvidence | None = None
    if upload is not None:
        title = evidence_title.strip() or f"{source.strip()[:150]}, {measured_on:%-d %B %Y}"
        evidence = document_store_version(model=ImpactEvidence, by=by, upload=upload,
                                          reason="Evidence of a measurement", action=locked,
                                          title=title, review=locked.review)
    return save_with_history(Measurement(
        review=locked.review, action=locked, is_baseline=is_baseline,
        improves_when=improves_when, value=value, unit=unit.strip(), measured_on=measured_on,
        source=source.strip(), evidence=evidence, by=by),
        by=by, reason="Baseline recorded" if is_baseline else "Measurement recorded")


@transaction.atomic(durable=True)
def measurement_withdraw(*, by: User, measurement: Measurement, reason: str) -> Measurement:
    """Withdraw a measurement (or the baseline) recorded in error, with the reason."""
    locked_action(by, measurement.action)
    require_reason(reason)
    locked = fresh_locked(measurement)
    if locked.withdrawn:
        raise ValidationError("This measurement is already withdrawn. Nothing was changed.")
    locked.withdrawn, locked.withdrawn_reason = True, reason.strip()
    return save_with_history(locked, by=by, reason=reason.strip())
