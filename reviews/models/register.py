"""The pseudonym register: the people in a case, under the names they will be published as.

A ``Subject`` holds who someone is (full name, date of birth) and the pseudonym; every
other identifier — other names, addresses, postcodes, school, NHS and National
Insurance numbers, police and local-authority references, phone numbers, e-mail
addresses — is a ``SubjectIdentifier`` row (a kind and a value), because a person has
any number of each and each has its own history. Values are stored in one normal form
(``scr.anonymise.check_identifier``: a postcode is written "NT1 2AB"; a value that does
not look right — an NHS number whose check digit fails — is kept as typed, with a warning
shown beside it, never refused). ``NameVariantChoice`` keeps a reviewer's
corrections to the generated name variants (a variant added, or a generated one
removed). Nothing is deleted: rows are withdrawn, and the history keeps them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from reviews.models.base import ReviewRecord, ReviewScopedQuerySet, check_dates
from reviews.models.lifecycle import Review
from scr.anonymise import IDENTIFIER_KINDS, InvalidIdentifier, check_identifier, normalise_identifier
from scr.anonymise.fold import fold_key
from scr.text import DESCRIPTION_LENGTH, normalise_text, skeleton

__all__ = [
    "NameVariantChoice",
    "Subject",
    "SubjectIdentifier",
]


class Subject(ReviewRecord):
    """A person in the case, in the pseudonym register (DOMAIN.md, anonymisation)."""

    class Kind(models.TextChoices):
        CHILD = "child", "Subject child"
        SIBLING = "sibling", "Sibling"
        PARENT = "parent", "Parent or carer"
        RELATIVE = "relative", "Other family member"
        ADULT = "adult", "Other adult"
        PROFESSIONAL = "professional", "Professional"

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        UNKNOWN = "unknown", "Not known"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="subjects")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    pseudonym = models.CharField(max_length=60,
                                 help_text='As it will appear when published, e.g. "Child A".')
    full_name = models.CharField(max_length=200)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN, blank=True,
                           help_text="Helps decide whose a shared name is: “Ms Marsh” is not "
                                     "a boy.")
    withdrawn = models.BooleanField(default=False)

    class Meta:
        ordering = ["kind", "pseudonym"]
        constraints = [
            models.UniqueConstraint(fields=["review", "pseudonym"],
                                    condition=Q(withdrawn=False),
                                    name="pseudonym_unique_in_review"),
        ]

    def __str__(self) -> str:
        # Never the real name: str() ends up in logs, history and the access log.
        return self.pseudonym

    def clean_fields(self, exclude: Any = None) -> None:
        """One normal form for every name (scr/text.py), before validation, so look-alikes
        cannot slip past the one-pseudonym rule or, later, the search for names in a
        published report."""
        for name in ("pseudonym", "full_name"):
            setattr(self, name, normalise_text(getattr(self, name) or ""))
        super().clean_fields(exclude=exclude)

    @property
    def pseudonym_key(self) -> str:
        """Pseudonyms that differ only in case, spacing or look-alike letters are one."""
        return skeleton(self.pseudonym).replace(" ", "")

    def clean(self) -> None:
        check_dates(self, past_only=("date_of_birth",))


class IdentifiableQuerySet(ReviewScopedQuerySet):
    """Identifiers are identifiable data whatever the page: seeing one needs
    ``view_identifiable`` on the review (board members never have it)."""

    review_action = {**ReviewScopedQuerySet.review_action, "view": "view_identifiable"}


if TYPE_CHECKING:
    IdentifiableManager = models.Manager.from_queryset(IdentifiableQuerySet)


class SubjectIdentifier(ReviewRecord):
    """One identifier of one person: another name, an address, a number (IDENTIFIER_KINDS)."""

    REVIEW_FIELD = "subject__review"
    objects: ClassVar[IdentifiableManager[Self]] = IdentifiableQuerySet.as_manager()  # narrower than the base

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="identifiers")
    kind = models.CharField(max_length=20, choices=IDENTIFIER_KINDS)
    value = models.TextField(max_length=DESCRIPTION_LENGTH)
    withdrawn = models.BooleanField(default=False)

    class Meta:
        ordering = ["subject", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "kind", "value"],
                                    condition=Q(withdrawn=False),
                                    name="identifier_unique_per_subject"),
        ]

    def __str__(self) -> str:
        # The kind, never the value: str() appears in history titles and the access log.
        return f"{self.get_kind_display()} of {self.subject}"

    @property
    def review_id(self) -> int:
        return self.subject.review_id

    def clean_fields(self, exclude: Any = None) -> None:
        super().clean_fields(exclude=exclude)
        try:
            self.value = normalise_identifier(self.kind, self.value)
        except InvalidIdentifier as invalid:
            raise ValidationError({"value": str(invalid)}) from None

    @property
    def warning(self) -> str:
        """Why the value does not look right (a check digit that fails), or "": it is kept
        as typed and searched for all the same (``check_identifier``)."""
        try:
            return check_identifier(self.kind, self.value).warning
        except InvalidIdentifier:
            return ""


class NameVariantChoice(ReviewRecord):
    """A reviewer's correction to a subject's generated name variants."""

    REVIEW_FIELD = "subject__review"
    objects: ClassVar[IdentifiableManager[Self]] = IdentifiableQuerySet.as_manager()  # narrower than the base

    class Action(models.TextChoices):
        ADDED = "added", "Added"
        REMOVED = "removed", "Removed"

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT,
                                related_name="variant_choices")
    action = models.CharField(max_length=10, choices=Action.choices)
    text = models.CharField(max_length=200)
    key = models.CharField(max_length=200, editable=False)
    withdrawn = models.BooleanField(default=False)

    class Meta:
        ordering = ["subject", "action", "text"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "key"], condition=Q(withdrawn=False),
                                    name="one_variant_choice_per_form"),
        ]

    def __str__(self) -> str:
        return f"Name variant {self.get_action_display().lower()} for {self.subject}"

    @property
    def review_id(self) -> int:
        return self.subject.review_id

    def clean_fields(self, exclude: Any = None) -> None:
        self.text = normalise_text(self.text or "")
        self.key = fold_key(self.text)
        if not any(len(w) > 1 for w in self.key.split()):
            raise ValidationError({"text": "Enter a name of at least 2 letters"})
        super().clean_fields(exclude=exclude)
