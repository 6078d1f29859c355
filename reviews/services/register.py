"""The pseudonym register: the people in a case, their identifiers and name variants.

Every write is one transaction, checks the review is open, and records who and why
(``save_with_history``). Nothing is deleted: a person, an identifier or a reviewer's
variant choice is withdrawn, and the history keeps it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agencies.models import User
from reviews.models import NameVariantChoice, Review, Subject, SubjectIdentifier
from reviews.services.base import open_review_locked
from scr.anonymise import name_variants
from scr.anonymise.fold import fold_key
from scr.history import save_with_history, withdraw_with_history
from scr.rules import fresh_locked, require_reason

__all__ = [
    "name_variant_add",
    "name_variant_choice_withdraw",
    "name_variant_remove",
    "subject_add",
    "subject_identifier_add",
    "subject_identifier_withdraw",
    "subject_update",
    "subject_withdraw",
]


def _pseudonym_taken(subject: Subject) -> bool:
    others = Subject.objects.filter(review_id=subject.review_id, withdrawn=False).exclude(
        pk=subject.pk).only("pseudonym")
    return any(other.pseudonym_key == subject.pseudonym_key for other in others)


@transaction.atomic(savepoint=False)
def _add_identifier(*, by: User, subject: Subject, kind: str, value: str,
                    reason: str) -> SubjectIdentifier:
    identifier = SubjectIdentifier(subject=subject, kind=kind, value=value)
    identifier.full_clean(exclude=["subject"])
    if SubjectIdentifier.objects.filter(subject=subject, kind=identifier.kind,
                                        value=identifier.value, withdrawn=False).exists():
        raise ValidationError({"value": f"{subject} already has that "
                                        f"{identifier.get_kind_display().lower()}"})
    return save_with_history(identifier, by=by, reason=reason)


@transaction.atomic(durable=True)
def subject_add(*, by: User, review: Review, reason: str = "Added to the pseudonym register",
                identifiers: Iterable[tuple[str, str]] = (), **fields: Any) -> Subject:
    """A person and, in the same transaction, any identifiers (kind, value) known already."""
    review = open_review_locked(review)
    subject = Subject(review=review, **fields)
    subject.full_clean()
    if _pseudonym_taken(subject):
        raise ValidationError({"pseudonym": "Someone in this review already has that pseudonym"})
    save_with_history(subject, by=by, reason=reason)
    for kind, value in identifiers:
        _add_identifier(by=by, subject=subject, kind=kind, value=value, reason=reason)
    return subject


@transaction.atomic(durable=True)
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


@transaction.atomic(durable=True)
def subject_withdraw(*, by: User, subject: Subject, reason: str) -> Subject:
    """Take a person out of the register (never deleted: history keeps them)."""
    open_review_locked(subject.review)
    return withdraw_with_history(subject, by=by, reason=reason,
                                 already="This person has already been withdrawn.")


def _open_subject(subject: Subject) -> Subject:
    open_review_locked(subject.review)
    stored = fresh_locked(subject)
    if stored.withdrawn:
        raise ValidationError("This person has been taken off the register. Nothing was changed.")
    return stored


@transaction.atomic(durable=True)
def subject_identifier_add(*, by: User, subject: Subject, kind: str, value: str,
                           reason: str = "Identifier added to the register") -> SubjectIdentifier:
    """One more name, address or number for a person; refused if it cannot be right
    (an NHS number whose check digit fails, a postcode that is no postcode)."""
    stored = _open_subject(subject)
    try:
        return _add_identifier(by=by, subject=stored, kind=kind, value=value,
                               reason=reason.strip() or "Identifier added to the register")
    except IntegrityError:  # the same value added at the same moment by someone else
        raise ValidationError({"value": "That identifier was added just now"}) from None


@transaction.atomic(durable=True)
def subject_identifier_withdraw(*, by: User, identifier: SubjectIdentifier,
                                reason: str) -> SubjectIdentifier:
    _open_subject(identifier.subject)
    return withdraw_with_history(identifier, by=by, reason=reason,
                                 already="This identifier has already been removed.")


def _choices(subject: Subject) -> dict[str, NameVariantChoice]:
    return {c.key: c for c in NameVariantChoice.objects.filter(subject=subject, withdrawn=False)}


def _subject_variants(subject: Subject) -> dict[str, Any]:
    others = [i.value for i in subject.identifiers.filter(
        withdrawn=False, kind__in=("known_as", "previous_surname", "nickname"))]
    return {v.key: v for v in name_variants(subject.full_name, others)}


@transaction.atomic(durable=True)
def name_variant_add(*, by: User, subject: Subject, text: str,
                     reason: str = "") -> NameVariantChoice:
    """A form of the person's name the generated list lacks, matched from now on."""
    stored = _open_subject(subject)
    choice = NameVariantChoice(subject=stored, action=NameVariantChoice.Action.ADDED, text=text)
    choice.full_clean(exclude=["subject"])
    existing = _choices(stored).get(choice.key)
    if existing is not None and existing.action == NameVariantChoice.Action.REMOVED:
        raise ValidationError({"text": "That variant was removed: restore it instead"})
    if existing is not None or choice.key in _subject_variants(stored):
        raise ValidationError({"text": "That variant is already in the list"})
    return save_with_history(choice, by=by, reason=reason.strip() or "Name variant added")


@transaction.atomic(durable=True)
def name_variant_remove(*, by: User, subject: Subject, variant: str,
                        reason: str) -> NameVariantChoice:
    """Stop matching a wrong *generated* variant (a nickname that is another word here).
    A part of the real name cannot be removed: change the name or the other names."""
    reason = require_reason(reason)
    stored = _open_subject(subject)
    key = fold_key(variant)
    generated = _subject_variants(stored).get(key)
    if generated is None or not generated.removable:
        raise ValidationError({"variant": "Only a generated variant can be removed; a part of "
                                          "the person's name is always matched"})
    if key in _choices(stored):
        raise ValidationError({"variant": "That variant has already been removed"})
    choice = NameVariantChoice(subject=stored, action=NameVariantChoice.Action.REMOVED,
                               text=generated.text)
    choice.full_clean(exclude=["subject"])
    return save_with_history(choice, by=by, reason=reason)


@transaction.atomic(durable=True)
def name_variant_choice_withdraw(*, by: User, choice: NameVariantChoice,
                                 reason: str) -> NameVariantChoice:
    """Undo a choice: an added variant is no longer matched, a removed one is again."""
    _open_subject(choice.subject)
    return withdraw_with_history(choice, by=by, reason=reason,
                                 already="This has already been undone.")
