"""The register as the anonymiser and the subject's page read it, and the one way a page
shows a review's free text: real names for those with identifiable access, pseudonyms for
everyone else (``text_shown_to``). ``review_register`` is the only code that turns
``Subject`` rows into register entries; pages, exports and the published report all
replace names through it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Case, IntegerField, Prefetch, Value, When

from agencies.models import Agency
from reviews.models import NameVariantChoice, Review, Subject, SubjectIdentifier
from reviews.models.scope import can_see_identities
from scr.anonymise import NAME_KINDS, Identifier, RegisterEntry, Variant, name_variants
from scr.pseudonymise import pseudonymise

if TYPE_CHECKING:
    from agencies.models import User

__all__ = ["TextShown", "VariantRow", "register_entry", "review_public_names", "review_register",
           "review_registers",
           "subject_page", "subject_variant_rows", "text_shown_to"]

TextShown = Callable[[str], str]

# Who wins a name two people share: the child first, professionals last.
KIND_ORDER = ["child", "sibling", "parent", "relative", "adult", "professional"]


def register_entry(subject: Subject) -> RegisterEntry:
    """One subject as the anonymiser sees it (identifiers and variant choices prefetched
    by ``review_register``, or read here)."""
    identifiers = getattr(subject, "live_identifiers", None)
    if identifiers is None:
        identifiers = list(subject.identifiers.filter(withdrawn=False))
    choices = getattr(subject, "live_choices", None)
    if choices is None:
        choices = list(subject.variant_choices.filter(withdrawn=False))
    return RegisterEntry(
        pseudonym=subject.pseudonym, full_name=subject.full_name,
        other_names=tuple(i.value for i in identifiers if i.kind in NAME_KINDS),
        date_of_birth=subject.date_of_birth,
        identifiers=tuple(Identifier(i.kind, i.value) for i in identifiers
                          if i.kind not in NAME_KINDS),
        variants_added=tuple(c.text for c in choices if c.action == "added"),
        variants_removed=tuple(c.text for c in choices if c.action == "removed"),
        kind=subject.kind, sex=subject.sex if subject.sex in ("female", "male") else "")


def review_register(review: Review) -> list[RegisterEntry]:
    """The whole register of a review for ``scr.anonymise`` and ``scr.pseudonymise``: every
    person not withdrawn, with identifiers and variant choices, the child first. Three
    queries. Callers have already checked the reader may see the review."""
    return review_registers([review.pk]).get(review.pk, [])


def review_registers(review_ids: Iterable[int]) -> dict[int, list[RegisterEntry]]:
    """``review_register`` of several reviews at once (lists across reviews: earlier
    findings, action plans, digests): three queries whatever the number of reviews."""
    order = Case(*(When(kind=k, then=Value(i)) for i, k in enumerate(KIND_ORDER)),
                 output_field=IntegerField())
    subjects = (Subject._base_manager.filter(review_id__in=sorted(set(review_ids)),
                                             withdrawn=False)
                .annotate(kind_order=order).order_by("review_id", "kind_order", "pk")
                .prefetch_related(
                    Prefetch("identifiers", SubjectIdentifier.objects.filter(withdrawn=False),
                             to_attr="live_identifiers"),
                    Prefetch("variant_choices", NameVariantChoice.objects.filter(withdrawn=False),
                             to_attr="live_choices")))
    registers: dict[int, list[RegisterEntry]] = defaultdict(list)
    for subject in subjects:
        registers[subject.review_id].append(register_entry(subject))
    return registers


def review_public_names(review: Review) -> list[str]:
    """Names a published report may print that are nobody's identity: the partnership,
    the agencies, the review's reference and the people appointed to its panel (reviewer,
    chair, members). The ``ignore`` of ``scr.anonymise.unregistered_names``; a reviewer's
    dismissed words are added by the caller."""
    panel = review.panel.select_related("user")
    return [settings.PARTNERSHIP_NAME, review.reference,
            *Agency.objects.values_list("name", flat=True),
            *(a.user.get_full_name() for a in panel if a.user.get_full_name())]


@dataclass(frozen=True)
class VariantRow:
    """One line of the variants table on a subject's page."""

    variant: Variant
    choice: NameVariantChoice | None  # the reviewer's added or removed choice, if any

    @property
    def removed(self) -> bool:
        return self.choice is not None and self.choice.action == "removed"


def subject_variant_rows(subject: Subject) -> list[VariantRow]:
    """The generated variants as matched, then the ones a reviewer removed."""
    entry = register_entry(subject)
    choices = {c.key: c for c in subject.variant_choices.filter(withdrawn=False)}
    rows = [VariantRow(v, choices.get(v.key)) for v in entry.variants()]
    removed = name_variants(entry.full_name, list(entry.other_names))
    rows += [VariantRow(v, choices[v.key]) for v in removed
             if v.key in choices and choices[v.key].action == "removed"]
    return rows


def subject_page(subject: Subject, identifiable: bool) -> dict[str, object]:
    """What a subject's page shows: identifiers and variants only to those who may see
    identities (the caller says; board members never may)."""
    if not identifiable:
        return {"subject": subject, "identifiers": [], "variant_rows": []}
    return {"subject": subject,
            "identifiers": list(subject.identifiers.filter(withdrawn=False)),
            "variant_rows": subject_variant_rows(subject)}


def _unchanged(text: str) -> str:
    return text


def text_shown_to(user: User, review: Review) -> TextShown:
    """A function that turns a text of ``review`` into what ``user`` may read: as written
    for those with identifiable access, pseudonymised for everyone else. The register is
    read once per call of this function, not once per text."""
    if can_see_identities(user, review):
        return _unchanged
    entries = review_register(review)

    def shown(text: str) -> str:
        return pseudonymise(text, entries)

    return shown
