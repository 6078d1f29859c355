"""Does a person appear in the partnership's reviews? (business managers only)

A person is asked for by name (with its variants) or by an identifier, or as a person
already in one review's pseudonym register (their names and identifiers, in every *other*
review). Names are compared in their folded forms (``scr.anonymise.fold``: case, accents,
spaces and hyphens do not count), each with its common nicknames, so "Kate Smith" finds
"Katherine Smith", and a previous surname or a "known as" name counts as the person's name;
identifiers are compared in the register's one normal form (``normalise_identifier``: a
postcode "NT1 2AB", an NHS number without spaces).

Candidates are read through ``Subject.objects.for_user(user, "view_identifiable")`` (the
register's own scope) in one query with their identifiers; each is then kept only if one
of its name forms is one of the person's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse

from agencies.models import User
from reviews.models import Subject, SubjectIdentifier
from scr.anonymise import NAME_KINDS, InvalidIdentifier, normalise_identifier
from scr.anonymise.fold import fold_key
from scr.anonymise.words import nicknames_of

__all__ = ["PersonMatch", "PersonQuery", "name_forms_of", "person_matches"]

MAX_MATCHES = 200


@dataclass(frozen=True)
class PersonQuery:
    name: str = ""
    identifier_kind: str = ""
    identifier: str = ""
    subject: Subject | None = None  # a person already in a register: look in other reviews


@dataclass(frozen=True)
class PersonMatch:
    subject: Subject
    review: str  # its reference
    url: str
    why: str  # "name", "identifier", or both


def name_forms_of(full_name: str, other_names: Iterable[str] = (),
                  surnames: Iterable[str] = ()) -> set[str]:
    """The folded forms a person's name is compared in: each full name as written, and the
    first given name (and each of its nicknames) with each surname (previous ones too)."""
    forms: set[str] = set()
    given: set[str] = set()
    family: set[str] = {fold_key(s) for s in surnames if fold_key(s)}
    for name in (full_name, *other_names):
        key = fold_key(name)
        if not key:
            continue
        forms.add(key)
        words = key.split()
        if len(words) > 1:
            given |= {words[0], *(fold_key(n) for n in nicknames_of(words[0]))}
            family.add(words[-1])
        else:
            given |= {words[0], *(fold_key(n) for n in nicknames_of(words[0]))}
    forms |= {f"{g} {s}" for g in given for s in family if g and s}
    return {f for f in forms if len(f.split()) > 1} or forms


def _subject_forms(subject: Subject) -> set[str]:
    ids = list(subject.identifiers.all())
    other = [i.value for i in ids if i.kind in ("known_as", "nickname")]
    previous = [i.value for i in ids if i.kind == "previous_surname"]
    return name_forms_of(subject.full_name, other, previous)


def _query_forms(query: PersonQuery) -> set[str]:
    if query.subject is not None:
        return _subject_forms(query.subject)
    return name_forms_of(query.name) if fold_key(query.name) else set()


def _query_identifiers(query: PersonQuery) -> set[tuple[str, str]]:
    if query.subject is not None:
        return {(i.kind, i.value) for i in query.subject.identifiers.all()
                if i.kind not in NAME_KINDS and not i.withdrawn}
    if query.identifier_kind and query.identifier.strip():
        try:
            return {(query.identifier_kind,
                     normalise_identifier(query.identifier_kind, query.identifier))}
        except InvalidIdentifier:
            return set()
    return set()


def _candidates(user: User, forms: set[str], identifiers: set[tuple[str, str]]) -> QuerySet[Subject]:
    words = sorted({w for f in forms for w in f.split() if len(w) > 1})
    by_name = Q(pk__in=[])
    for word in words:
        by_name |= Q(full_name__icontains=word)
        by_name |= Q(identifiers__kind__in=sorted(NAME_KINDS), identifiers__value__icontains=word,
                     identifiers__withdrawn=False)
    for kind, value in identifiers:
        by_name |= Q(identifiers__kind=kind, identifiers__value__iexact=value,
                     identifiers__withdrawn=False)
    live = SubjectIdentifier.objects.filter(withdrawn=False)
    return (Subject.objects.for_user(user, "view_identifiable").filter(by_name, withdrawn=False)
            .distinct().select_related("review")
            .prefetch_related(Prefetch("identifiers", queryset=live))
            .order_by("-review__aware_date", "review_id", "pk"))


def person_matches(user: User, query: PersonQuery) -> list[PersonMatch]:
    """The people in the registers this person may read who match ``query`` (in other
    reviews than the subject's own, when asked from a register)."""
    forms = _query_forms(query)
    identifiers = _query_identifiers(query)
    if not forms and not identifiers:
        return []
    found = _candidates(user, forms, identifiers)
    if query.subject is not None:
        found = found.exclude(review_id=query.subject.review_id)
    matches = []
    for subject in found[:MAX_MATCHES * 5]:
        why = []
        if forms & _subject_forms(subject):
            why.append("name")
        if identifiers & {(i.kind, i.value) for i in subject.identifiers.all()}:
            why.append("identifier")
        if why:
            matches.append(PersonMatch(subject, subject.review.reference,
                                       reverse("subject_detail", args=[subject.pk]),
                                       " and ".join(why)))
    return matches[:MAX_MATCHES]
