"""The pseudonym register as the pseudonymiser reads it, and the one way a page shows a
review's free text: real names for those with identifiable access, pseudonyms for others.

``register_entries`` is the only code that turns ``Subject`` rows into
``scr.pseudonymise.RegisterEntry`` values; every page, export and (later) the published
report calls ``scr.pseudonymise.pseudonymise`` through it, so the replacement is written
once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from scr.pseudonymise import RegisterEntry, pseudonymise

from ..access import can_see_identities
from ..models import Review, Subject

if TYPE_CHECKING:
    from agencies.models import User

__all__ = ["TextShown", "register_entries", "text_shown_to"]

TextShown = Callable[[str], str]


def register_entries(review: Review) -> list[RegisterEntry]:
    """Every person in the review's register (withdrawn ones too: a name taken off the
    register is still a name), the subject child first so that a part shared with a
    relative (a surname) becomes the child's pseudonym."""
    rows = Subject.objects.filter(review=review).order_by("withdrawn", "kind", "pk").values_list(
        "kind", "pseudonym", "full_name", "other_names")
    ordered = sorted(rows, key=lambda r: r[0] != Subject.Kind.CHILD)
    return [RegisterEntry(pseudonym, full_name,
                          tuple(n.strip() for n in other_names.splitlines() if n.strip()))
            for _kind, pseudonym, full_name, other_names in ordered]


def _unchanged(text: str) -> str:
    return text


def text_shown_to(user: User, review: Review) -> TextShown:
    """A function that turns a text of ``review`` into what ``user`` may read: as written
    for those with identifiable access, pseudonymised for everyone else. The register is
    read once per call of this function, not once per text."""
    if can_see_identities(user, review):
        return _unchanged
    entries = register_entries(review)

    def shown(text: str) -> str:
        return pseudonymise(text, entries)

    return shown
