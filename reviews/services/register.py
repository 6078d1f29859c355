"""The pseudonym register: the people in a case, their identifiers and name variants.

Every write is one transaction, checks the review is open and that the person may keep the
register (``may_keep_register``: a business manager or the review's appointed reviewer), and
records who and why (``save_with_history``). Nothing is deleted: a person, an identifier or
a reviewer's variant choice is withdrawn, and the history keeps it. An identifier that does
not look right is kept as typed (its ``warning`` says why), never refused. Once the approved
version has an anonymised PDF, every change makes it again (``register_changed``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction

from agencies.models import User
from reviews.formats.register import read_register
from reviews.models import NameVariantChoice, Review, Subject, SubjectIdentifier
from reviews.models.scope import may_keep_register
from reviews.services.base import open_review_locked
from reviews.services.publication import register_changed
from scr.anonymise import IDENTIFIER_KINDS, check_identifier, name_variants
from scr.anonymise.fold import fold_key
from scr.history import save_with_history, withdraw_with_history
from scr.rules import fresh_locked, require_reason
from scr.spreadsheets import ImportRefused, import_rows, import_upload
from scr.text import skeleton

__all__ = [
    "RegisterImportResult",
    "name_variant_add",
    "name_variant_choice_withdraw",
    "name_variant_remove",
    "register_import",
    "subject_add",
    "subject_identifier_add",
    "subject_identifier_withdraw",
    "subject_identifiers_add",
    "subject_update",
    "subject_withdraw",
]


def _keeper_review(by: User, review: Review) -> Review:
    """The review, locked and open, if ``by`` may change its register."""
    stored = open_review_locked(review)
    if not may_keep_register(by, stored):
        raise ValidationError("Only the review's independent reviewer or a business manager "
                              "can change the pseudonym register. Nothing was changed.")
    return stored


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
    review = _keeper_review(by, review)
    subject = Subject(review=review, **fields)
    subject.full_clean()
    if _pseudonym_taken(subject):
        raise ValidationError({"pseudonym": "Someone in this review already has that pseudonym"})
    save_with_history(subject, by=by, reason=reason)
    for kind, value in identifiers:
        _add_identifier(by=by, subject=subject, kind=kind, value=value, reason=reason)
    register_changed(review, by=by)
    return subject


@transaction.atomic(durable=True)
def subject_update(*, by: User, subject: Subject, reason: str, **fields: Any) -> Subject:
    reason = require_reason(reason)
    review = _keeper_review(by, subject.review)
    stored = fresh_locked(subject)
    for name, value in fields.items():
        setattr(stored, name, value)
    stored.full_clean()
    if _pseudonym_taken(stored):
        raise ValidationError({"pseudonym": "Someone in this review already has that pseudonym"})
    save_with_history(stored, by=by, reason=reason)
    register_changed(review, by=by)
    subject.refresh_from_db()
    return subject


@transaction.atomic(durable=True)
def subject_withdraw(*, by: User, subject: Subject, reason: str) -> Subject:
    """Take a person out of the register (never deleted: history keeps them)."""
    review = _keeper_review(by, subject.review)
    withdrawn = withdraw_with_history(subject, by=by, reason=reason,
                                      already="This person has already been withdrawn.")
    register_changed(review, by=by)
    return withdrawn


def _open_subject(subject: Subject, by: User) -> Subject:
    _keeper_review(by, subject.review)
    stored = fresh_locked(subject)
    if stored.withdrawn:
        raise ValidationError("This person has been taken off the register. Nothing was changed.")
    return stored


@transaction.atomic(durable=True)
def subject_identifier_add(*, by: User, subject: Subject, kind: str, value: str,
                           reason: str = "Identifier added to the register") -> SubjectIdentifier:
    """One more name, address or number for a person. A value that does not look right (an
    NHS number whose check digit fails) is kept as typed, with its ``warning``: it is still
    removed wherever it appears."""
    stored = _open_subject(subject, by)
    try:
        identifier = _add_identifier(by=by, subject=stored, kind=kind, value=value,
                                     reason=reason.strip() or "Identifier added to the register")
    except IntegrityError:  # the same value added at the same moment by someone else
        raise ValidationError({"value": "That identifier was added just now"}) from None
    register_changed(stored.review, by=by)
    return identifier


@transaction.atomic(durable=True)
def subject_identifiers_add(*, by: User, subject: Subject, identifiers: Sequence[tuple[str, str]],
                            reason: str = "Identifiers added to the register",
                            ) -> list[SubjectIdentifier]:
    """Several identifiers of one person at once, all or none: a problem with any (an empty
    value, one the person already has) adds nothing and names the line."""
    stored = _open_subject(subject, by)
    if not identifiers:
        raise ValidationError({"identifiers": "Enter at least one name, address or number"})
    added: list[SubjectIdentifier] = []
    problems: list[str] = []
    for line, (kind, value) in enumerate(identifiers, start=1):
        try:
            with transaction.atomic():  # a savepoint: the other lines are still checked
                added.append(_add_identifier(by=by, subject=stored, kind=kind, value=value,
                                             reason=reason))
        except ValidationError as refused:
            problems.append(f"Line {line}: {' '.join(refused.messages)}")
        except IntegrityError:
            problems.append(f"Line {line}: that identifier was added just now")
    if problems:
        raise ValidationError({"identifiers": problems})
    register_changed(stored.review, by=by)
    return added


@transaction.atomic(durable=True)
def subject_identifier_withdraw(*, by: User, identifier: SubjectIdentifier,
                                reason: str) -> SubjectIdentifier:
    subject = _open_subject(identifier.subject, by)
    withdrawn = withdraw_with_history(identifier, by=by, reason=reason,
                                      already="This identifier has already been removed.")
    register_changed(subject.review, by=by)
    return withdrawn


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
    stored = _open_subject(subject, by)
    choice = NameVariantChoice(subject=stored, action=NameVariantChoice.Action.ADDED, text=text)
    choice.full_clean(exclude=["subject"])
    existing = _choices(stored).get(choice.key)
    if existing is not None and existing.action == NameVariantChoice.Action.REMOVED:
        raise ValidationError({"text": "That variant was removed: restore it instead"})
    if existing is not None or choice.key in _subject_variants(stored):
        raise ValidationError({"text": "That variant is already in the list"})
    save_with_history(choice, by=by, reason=reason.strip() or "Name variant added")
    register_changed(stored.review, by=by)
    return choice


@transaction.atomic(durable=True)
def name_variant_remove(*, by: User, subject: Subject, variant: str,
                        reason: str) -> NameVariantChoice:
    """Stop matching a wrong *generated* variant (a nickname that is another word here).
    A part of the real name cannot be removed: change the name or the other names."""
    reason = require_reason(reason)
    stored = _open_subject(subject, by)
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
    save_with_history(choice, by=by, reason=reason)
    register_changed(stored.review, by=by)
    return choice


@transaction.atomic(durable=True)
def name_variant_choice_withdraw(*, by: User, choice: NameVariantChoice,
                                 reason: str) -> NameVariantChoice:
    """Undo a choice: an added variant is no longer matched, a removed one is again."""
    subject = _open_subject(choice.subject, by)
    withdrawn = withdraw_with_history(choice, by=by, reason=reason,
                                      already="This has already been undone.")
    register_changed(subject.review, by=by)
    return withdrawn


# ---------------------------------------------------------------- import


@dataclass
class RegisterImportResult:
    people: int
    identifiers: int
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Person:
    line: int
    pseudonym: str
    stored: Subject | None
    fields: dict[str, Any] = field(default_factory=dict)
    identifiers: list[tuple[int, str, str]] = field(default_factory=list)


_LABELS = dict(IDENTIFIER_KINDS)
_COMPARED = (("kind", "who they are in the case"), ("full_name", "full name"),
             ("date_of_birth", "date of birth"), ("sex", "sex"))


def _key(pseudonym: str) -> str:
    return skeleton(pseudonym).replace(" ", "")


def _differs(given: Any, known: Any) -> bool:
    return given not in ("", None, "unknown") and known not in ("", None, "unknown") and (
        (given.casefold() != known.casefold()) if isinstance(given, str) else given != known)


@transaction.atomic(durable=True)
def register_import(*, by: User, review: Review, upload: File) -> RegisterImportResult:
    """People and their identifiers from a CSV or XLSX file (reviews/formats/register.py).
    Every row is checked first; a file with any bad row imports nothing and names each bad
    row's line (``ImportRefused``). Rows with a pseudonym already in the register add their
    identifiers to that person (their name, kind and date of birth must be blank or the
    same); identifiers the person already has are skipped, so a file imported twice adds
    nothing the second time. Identifiers that do not look right are imported as typed and
    listed in ``warnings``."""
    stream, xlsx = import_upload(upload)
    review = _keeper_review(by, review)
    existing = {s.pseudonym_key: s for s in Subject.objects.filter(review=review,
                                                                    withdrawn=False)}
    people: dict[str, _Person] = {}
    problems: list[tuple[int, str]] = []
    for row in import_rows(read_register(stream, xlsx=xlsx)):
        if row.errors:
            problems.append((row.line, "; ".join(row.errors)))
            continue
        given: dict[str, Any] = {"kind": row.kind, "full_name": row.full_name,
                                 "date_of_birth": row.date_of_birth, "sex": row.sex}
        key = _key(row.pseudonym)
        person = people.get(key)
        if person is None:
            stored = existing.get(key)
            person = _Person(row.line, row.pseudonym, stored)
            if stored is not None:
                person.fields = {name: getattr(stored, name) for name, _ in _COMPARED}
            people[key] = person
        clash = [what for name, what in _COMPARED
                 if _differs(given[name], person.fields.get(name))]
        if clash:
            where = ("in the register" if person.stored is not None
                     else f"on line {person.line}")
            problems.append((row.line, f"{row.pseudonym} has another {' and '.join(clash)} "
                                       f"{where}: change it on their page, or correct the "
                                       "file"))
            continue
        for name, value in given.items():
            if person.fields.get(name) in ("", None, "unknown"):
                person.fields[name] = value
        person.identifiers += [(row.line, "known_as", n) for n in row.other_names]
        if row.identifier:
            person.identifiers.append((row.line, *row.identifier))
    new: list[tuple[_Person, Subject]] = []
    for person in people.values():
        if person.stored is not None:
            continue
        fields = {name: value for name, value in person.fields.items()
                  if value not in ("", None)}
        if not fields.get("full_name") or not fields.get("kind"):
            problems.append((person.line, f"Enter {person.pseudonym}'s full name and who they "
                                          "are in the case on their first row"))
            continue
        subject = Subject(review=review, pseudonym=person.pseudonym, **fields)
        try:
            subject.full_clean()
        except ValidationError as invalid:
            problems.append((person.line, " ".join(invalid.messages)))
            continue
        new.append((person, subject))
    if problems:
        raise ImportRefused(sorted(problems))
    if not people:
        raise ValidationError({"file": "The file has no people below its headings"})
    reason = f"Imported from {(upload.name or 'a file')[:100]}"
    warnings: list[str] = []
    added = 0
    for person, subject in new:
        person.stored = save_with_history(subject, by=by, reason=reason)
    for person in people.values():
        assert person.stored is not None
        have = {(i.kind, i.value) for i in person.stored.identifiers.filter(withdrawn=False)}
        for line, kind, value in person.identifiers:
            checked = check_identifier(kind, value)
            if (kind, checked.value) in have:
                continue
            have.add((kind, checked.value))
            _add_identifier(by=by, subject=person.stored, kind=kind, value=value, reason=reason)
            added += 1
            if checked.warning:
                warnings.append(f"Line {line}: {person.pseudonym}'s {_LABELS[kind].lower()} "
                                f"“{checked.value}”: {checked.warning}")
    register_changed(review, by=by)
    return RegisterImportResult(people=len(new), identifiers=added, warnings=warnings)
