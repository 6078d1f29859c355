"""Real names out, pseudonyms in: the one function every displayed text goes through.

``pseudonymise(text, register)`` is pure (no database, no Django models): reviews turns
its subjects into ``RegisterEntry`` values (``reviews.selectors.review_register``) and
calls it for chronology views, history, e-mails and anything shown to someone who may
not see identities (DESIGN.md, "Anonymisation pipeline").

It is the anonymiser (scr.anonymise) with names and registered identifiers only: every
generated form of every name (full name, other names, each part, nicknames, Mc/Mac,
hyphenated joined or apart), in any case, with or without accents, any spaces or
hyphens or line breaks between the parts, whole words only, longest match first, in
one pass. Registered addresses and numbers become neutral phrases; a date of birth is
removed. Unregistered numbers and other dates are left alone: publication goes through
``scr.anonymise.anonymise``, which removes those too, and the leak check reads the PDF.

When one name belongs to two people (siblings share a surname) the stronger claim wins
(a typed name over a part of a name over a generated nickname), then the entry listed
first.
"""

from __future__ import annotations

from collections.abc import Iterable

from scr.anonymise.engine import anonymise
from scr.anonymise.fold import fold_key
from scr.anonymise.register import RegisterEntry

__all__ = ["RegisterEntry", "name_forms", "pseudonymise"]


def name_forms(name: str) -> set[str]:
    """Every folded form a name is matched in (its generated variants)."""
    return {v.key for v in RegisterEntry("", name).variants()} - {""} if fold_key(name) else set()


def pseudonymise(text: str, register: Iterable[RegisterEntry]) -> str:
    """``text`` with every form of every registered name replaced by its pseudonym."""
    # guess=True: a reader who may not see identities never sees a shared name left as it
    # was (the publishable text leaves those for a reviewer to decide; scr.anonymise).
    return anonymise(text, list(register), None, generic=False, guess=True).text
