"""The pseudonym register: the people in a case, under the names they will be published as."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from scr.text import DESCRIPTION_LENGTH, normalise_text, skeleton

from .base import ReviewRecord, check_dates
from .lifecycle import Review

__all__ = [
    "Subject",
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

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="subjects")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    pseudonym = models.CharField(max_length=60,
                                 help_text='As it will appear when published, e.g. "Child A".')
    full_name = models.CharField(max_length=200)
    other_names = models.TextField(blank=True, max_length=DESCRIPTION_LENGTH,
                                   help_text="Known as, previous surnames, nicknames: "
                                             "one per line.")
    date_of_birth = models.DateField(null=True, blank=True)
    address = models.TextField(blank=True, max_length=DESCRIPTION_LENGTH)
    school = models.CharField(max_length=200, blank=True)
    identifiers = models.TextField(blank=True, max_length=DESCRIPTION_LENGTH,
                                   help_text="NHS number and other identifiers: "
                                             "one per line.")
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
        for name in ("pseudonym", "full_name", "school"):
            setattr(self, name, normalise_text(getattr(self, name) or ""))
        for name in ("other_names", "identifiers", "address"):
            setattr(self, name, normalise_text(getattr(self, name) or "", multiline=True))
        super().clean_fields(exclude=exclude)

    @property
    def pseudonym_key(self) -> str:
        """Pseudonyms that differ only in case, spacing or look-alike letters are one."""
        return skeleton(self.pseudonym).replace(" ", "")

    def clean(self) -> None:
        check_dates(self, past_only=("date_of_birth",))
